"""The text face and what the reviewer saw in print: ordinals, bold, a paragraph that opens with
a year, the filmography table.

EB Garamond on Debian is two optical sizes; the 08 (a caption cut) has a 1000-unit advance on
`ordfeminine` for a 269-unit outline, so "1.ª" was followed by an em of white. The themes set
the 12. The book: one review of *¡Ay, Carmela!* (Saura, 1990) with ordinals, a bold word, a
paragraph that Markdown reads as a list starting at 1990, and a list after it.
"""

from __future__ import annotations

import io
import itertools
import re
import shutil
import subprocess
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from fontTools.ttLib import TTFont

from publisher.pipeline import BuildRequest, BuildResult, Format, build

pytestmark = pytest.mark.skipif(
    not shutil.which("pdftotext") or not shutil.which("fc-list"), reason="needs poppler, fontconfig"
)

TOML = """\
title = "Números y letras"
editors = ["Marta Llorente"]
publisher = "Ediciones del Ensayo"
lang = "es"
date = 2026-03-02
rights = "© 2026"
description = "Una antología breve de cine español."
subjects = ["Cine"]
front = []
theme = "{theme}"

[[parts]]
id = "espana"
title = "España"
select = {{ tags = ["espana"] }}
"""

REVIEW = """\
---
title: "Cómicos en la línea del frente"
film:
  title: "¡Ay, Carmela!"
  year: 1990
  directors: ["Carlos Saura"]
  country: "España"
  runtime_min: 102
date: 2026-02-11
tags: [espana]
---

Es su 1.ª película con Carmen Maura como cómica ambulante y su 2.º trabajo sobre una obra de
José Sanchis Sinisterra, llevado a la pantalla con un éxito **rotundo** en los Goya.

1990. Fue el año de su estreno, con trece premios Goya en la gala siguiente.

Lo que queda de la obra:

1. la gira por los pueblos del frente;
2. la última función en Belchite.
"""


@dataclass(frozen=True)
class Book:
    result: BuildResult
    out: Path


@pytest.fixture(scope="module", params=["clasico", "contemporaneo"])
def book(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Book:
    root = tmp_path_factory.mktemp(request.param)
    manuscripts = root / "manuscripts"
    (manuscripts / "reviews").mkdir(parents=True)
    (manuscripts / "front").mkdir()
    (manuscripts / "anthology.toml").write_text(TOML.format(theme=request.param), "utf-8")
    (manuscripts / "reviews" / "ay-carmela.md").write_text(REVIEW, encoding="utf-8")
    formats = frozenset({Format.PDF, Format.EPUB, Format.HTML})
    result = build(BuildRequest(manuscripts / "anthology.toml", formats, root / "out", cache=False))
    return Book(result, root / "out")


def _pdfs(book: Book) -> tuple[Path, Path]:
    return book.out / "numeros-y-letras.pdf", book.out / "numeros-y-letras-print.pdf"


@dataclass(frozen=True)
class Word:
    text: str
    x_min: float
    x_max: float
    y_min: float
    height: float


def _words(pdf: Path) -> list[Word]:
    xml = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pattern = re.compile(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    )
    return [
        Word(text, float(x0), float(x1), float(y0), float(y1) - float(y0))
        for x0, y0, x1, y1, text in pattern.findall(xml)
    ]


@pytest.mark.parametrize("ordinal", ["1.ª", "2.º"])
def test_an_ordinal_is_followed_by_an_ordinary_space(book: Book, ordinal: str) -> None:
    for pdf in _pdfs(book):
        words = _words(pdf)
        pairs = [
            (word, after)
            for word, after in itertools.pairwise(words)
            if word.text == ordinal and abs(after.y_min - word.y_min) < 0.5
        ]
        assert pairs, f"{ordinal} with a word after it on its line in {pdf.name}"
        for word, after in pairs:
            # pdftotext's word box is one em tall and spans the glyphs' advances, so the 08
            # cut's em-wide ª widened the box itself (1.74 em from "1.ª" to the next word).
            # A digit, a period, the ordinal and a space take some 1.2 em in the 12.
            assert after.x_min - word.x_max < 0.5 * word.height, (pdf.name, word, after)
            assert after.x_min - word.x_min < 1.4 * word.height, (pdf.name, word, after)


def _programs(pdf: Path) -> dict[str, str]:
    """BaseFont (subset tag dropped) → PostScript name of the embedded program."""
    names: dict[str, str] = {}
    with pikepdf.open(pdf) as document:
        for obj in document.objects:
            if not (
                isinstance(obj, pikepdf.Dictionary)
                and obj.get("/Type") == "/FontDescriptor"
                and "/FontFile3" in obj
            ):
                continue
            program = TTFont(io.BytesIO(obj.FontFile3.read_bytes()))
            names[str(obj.FontName).split("+", 1)[-1]] = str(program["name"].getDebugName(6))
    return names


def test_text_and_bold_come_from_the_text_size_cut(book: Book) -> None:
    for pdf in _pdfs(book):
        programs = _programs(pdf)
        garamond = {base: name for base, name in programs.items() if "Garamond" in base}
        assert "EB-Garamond" in garamond and "EB-Garamond-Bold" in garamond, programs
        # Never the 08 caption cut. Bold comes from the 12 Regular: Debian's EBGaramond12-Bold
        # has 127 glyphs (no á é ñ …), so fontconfig rightly passes it over for Spanish.
        assert all(name.startswith("EBGaramond12-") for name in garamond.values()), garamond


def test_a_paragraph_opening_with_a_year_keeps_its_number_everywhere(book: Book) -> None:
    html = (book.out / "numeros-y-letras.html").read_text(encoding="utf-8")
    with zipfile.ZipFile(book.out / "numeros-y-letras.epub") as epub:
        xhtml = "".join(
            epub.read(name).decode("utf-8")
            for name in epub.namelist()
            if name.endswith(".xhtml") and "ay-carmela" in name
        )
    for source in (html, xhtml):
        assert '<ol start="1990">' in source
        assert source.count("<ol>") >= 1  # the list after it starts afresh
    for pdf in _pdfs(book):
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "1990. Fue el año" in text, pdf.name
        assert "1. la gira" in text and "2. la última" in text, pdf.name


def test_pdf_reads_ol_start_from_raw_html_too(tmp_path: Path) -> None:
    """`<ol start>` written as HTML in a manuscript reaches the PDF the same way."""
    root = tmp_path
    manuscripts = root / "manuscripts"
    (manuscripts / "reviews").mkdir(parents=True)
    (manuscripts / "front").mkdir()
    (manuscripts / "anthology.toml").write_text(TOML.format(theme="clasico"), "utf-8")
    body = REVIEW.split("---\n", 2)
    raw = textwrap.dedent("""\
        <ol start="7">
        <li>el séptimo de sus musicales;</li>
        <li>el octavo.</li>
        </ol>
        """)
    (manuscripts / "reviews" / "ay-carmela.md").write_text(
        "---\n".join([body[0], body[1], body[2] + "\n" + raw]), encoding="utf-8"
    )
    build(BuildRequest(manuscripts / "anthology.toml", frozenset({Format.PDF}), root / "out"))
    text = subprocess.run(
        ["pdftotext", str(root / "out" / "numeros-y-letras.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "7. el séptimo" in text and "8. el octavo." in text

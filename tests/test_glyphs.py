"""Glyph fidelity in the PDFs: every glyph drawn is its font's own (`glyph-wrong`), and every
character the book typesets has a face in the theme's stacks (`glyph-missing`).

The book here: a review of *Rashōmon* (Kurosawa, 1950) with its original title 羅生門 in the
front matter, a list with a nested level, and → ™ № in running text.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import textwrap
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from fontTools.ttLib import TTFont

from publisher.base.diagnostics import Severity
from publisher.base.fonts import check_typeset, typeset_text
from publisher.base.project import BUILTIN_STYLES
from publisher.pipeline import BuildRequest, BuildResult, Format, build
from publisher.validation.fontmaps import parse_to_unicode
from publisher.validation.glyphs import check_glyphs, embedded_fonts

pytestmark = pytest.mark.skipif(
    not shutil.which("fc-list") or not shutil.which("pdftotext"), reason="needs fontconfig, poppler"
)

TOML = """\
title = "Miradas de lejos"
editors = ["Marta Llorente"]
publisher = "Ediciones del Ensayo"
lang = "es"
date = 2026-03-02
rights = "© 2026"
description = "Una antología breve de cine japonés."
subjects = ["Cine"]
front = []
theme = "{theme}"

[[parts]]
id = "japon"
title = "Japón"
select = {{ tags = ["japon"] }}
"""

REVIEW = """\
---
title: "La verdad tiene cuatro caras"
film:
  title: "Rashōmon ({original})"
  year: 1950
  directors: ["Akira Kurosawa"]
  country: "Japón"
  runtime_min: 88
date: 2026-02-11
tags: [japon]
---

Kurosawa cuenta un crimen en el bosque cuatro veces, y cada testigo lo cuenta a su favor:

- el leñador, que lo vio todo desde la maleza;
- el bandido Tajōmaru;
    - y su duelo, mucho menos glorioso en la versión del leñador;
- la esposa y el samurái, que habla por boca de una médium.

El León de Oro de Venecia → el Óscar honorífico de 1952; hoy la palabra es casi una Marca™
de la crítica, y la película figura en el № 1 de muchas listas.
"""

CUNEIFORM = "\U00012000"  # 𒀀: Noto Sans Cuneiform has it, no face of the theme's stacks does


@dataclass(frozen=True)
class Book:
    result: BuildResult
    screen: Path
    print: Path


def _build(root: Path, theme: str, original: str = "羅生門", validate: bool = False) -> Book:
    manuscripts = root / "manuscripts"
    (manuscripts / "reviews").mkdir(parents=True)
    (manuscripts / "front").mkdir()
    (manuscripts / "anthology.toml").write_text(TOML.format(theme=theme), encoding="utf-8")
    review = REVIEW.format(original=original)
    (manuscripts / "reviews" / "rashomon.md").write_text(review, encoding="utf-8")
    request = BuildRequest(
        manuscripts / "anthology.toml",
        frozenset({Format.PDF}),
        root / "out",
        cache=False,
        validate=validate,
    )
    result = build(request)
    return Book(
        result, root / "out" / "miradas-de-lejos.pdf", root / "out" / "miradas-de-lejos-print.pdf"
    )


@pytest.fixture(scope="module", params=["clasico", "contemporaneo"])
def book(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Book:
    return _build(tmp_path_factory.mktemp(request.param), request.param, validate=True)


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout


def test_every_glyph_is_its_fonts_own_in_both_profiles(book: Book) -> None:
    for pdf in (book.screen, book.print):
        result = check_glyphs(pdf)
        assert result.ok, [d.message for d in result.diagnostics]
        assert result.counts["wrong"] == 0
        assert result.counts["glyphs"] > 60  # the check saw the book's glyphs, not nothing
    validators = {(r.validator, r.target.name): r.ok for r in book.result.validators}
    assert validators[("glyphs", book.screen.name)] and validators[("glyphs", book.print.name)]


def test_symbols_and_the_cjk_title_are_printed_and_nothing_is_missing(book: Book) -> None:
    assert not [d for d in book.result.diagnostics if d.severity is not Severity.INFO]
    text = _text(book.screen)
    for expected in ("• el leñador", "◦ y su duelo", "Venecia → el Óscar", "Marca™", "№ 1"):
        assert expected in text
    assert text.count("羅生門") >= 3  # film card, filmography, film index
    drawn = {char for font in embedded_fonts(book.screen) for char in font.texts.values()}
    assert {"•", "◦", "→", "™", "№", "羅", "生", "門"} <= drawn


def test_the_cjk_title_costs_little(book: Book) -> None:
    """Subset CJK faces: each well under the 17 MB of the installed collection."""
    with pikepdf.open(book.screen) as pdf:
        sizes = {
            str(obj.FontName): len(obj.FontFile3.read_raw_bytes())
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Dictionary)
            and obj.get("/Type") == "/FontDescriptor"
            and "/FontFile3" in obj
        }
    cjk = [size for name, size in sizes.items() if "CJK" in name]
    assert cjk and all(size < 120_000 for size in cjk), sizes


def test_the_old_fault_comes_back_without_the_workaround_and_is_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without one PDF font per font file, WeasyPrint 70 draws EB Garamond 12's bullet id
    from EB Garamond 08's program (Kozea/WeasyPrint#1951): `glyph-wrong` names it."""
    from publisher.export.pdf import chunks, restyle, whole, wrap_layout

    for user in (whole, wrap_layout, chunks, restyle):  # every write of a PDF
        monkeypatch.setattr(user, "fonts_keyed_by_file", nullcontext)
    # The themes name "EB Garamond 12" first, which has these symbols; a project stylesheet
    # naming only the family "EB Garamond" (fontconfig's choice: the 08) still meets the fault.
    styles = BUILTIN_STYLES
    overrides = tmp_path / "manuscripts" / "style-overrides" / "css"
    overrides.mkdir(parents=True)
    for css in (styles / "clasico/css/theme.css", *(styles / "base/css").glob("*.css")):
        single = css.read_text(encoding="utf-8").replace('"EB Garamond 12", ', "")
        (overrides / css.name).write_text(single, encoding="utf-8")
    book = _build(tmp_path, "clasico")
    errors = check_glyphs(book.screen).errors
    messages = [d.message for d in errors]
    assert any(m.startswith("“•” (U+2022)") for m in messages), messages
    assert any(m.startswith("“→” (U+2192)") for m in messages), messages
    assert all(d.code == "glyph-wrong" for d in errors)


def _swap_glyph(pdf_path: Path, victim: str, donor: str) -> None:
    """Rewrite the embedded program holding `victim` so its glyph draws `donor`'s outline."""
    with pikepdf.open(pdf_path, allow_overwriting_input=True) as pdf:
        for font in pdf.objects:
            if not isinstance(font, pikepdf.Dictionary) or font.get("/Subtype") != "/Type0":
                continue
            texts = parse_to_unicode(font.ToUnicode.read_bytes())
            descriptor = font.DescendantFonts[0].FontDescriptor
            if {victim, donor} - set(texts.values()) or "/FontFile3" not in descriptor:
                continue
            stream = descriptor.FontFile3
            program = TTFont(io.BytesIO(stream.read_bytes()))
            names = program.getGlyphOrder()
            cid = {text: cid for cid, text in texts.items()}
            strings = program["CFF "].cff.topDictIndex[0].CharStrings
            target, source = strings[names[cid[victim]]], strings[names[cid[donor]]]
            source.decompile()
            target.decompile()
            target.program = list(source.program)
            data = io.BytesIO()
            program.save(data)
            stream.write(data.getvalue())
            pdf.save(pdf_path)
            return
    raise AssertionError(f"no font draws both {victim!r} and {donor!r}")


def test_a_swapped_glyph_is_glyph_wrong(book: Book, tmp_path: Path) -> None:
    faulty = tmp_path / "swapped.pdf"
    shutil.copy(book.screen, faulty)
    _swap_glyph(faulty, "a", "o")
    result = check_glyphs(faulty)
    assert not result.ok
    [problem] = result.errors
    assert problem.code == "glyph-wrong" and str(problem.path) == str(faulty)
    assert problem.message.startswith("“a” (U+0061) in font EBGaramond")
    assert "is not the installed font's glyph" in problem.message


def test_glyph_missing_in_front_matter_names_the_manuscript_line(tmp_path: Path) -> None:
    book = _build(tmp_path, "clasico", original=f"羅生門 {CUNEIFORM}")
    missing = [d for d in book.result.diagnostics if d.code == "glyph-missing"]
    assert len(missing) == 1, missing
    [problem] = missing
    assert problem.severity is Severity.WARNING
    assert (str(problem.path), problem.line) == ("manuscripts/reviews/rashomon.md", 4)
    assert "U+12000" in problem.message and "羅" not in problem.message


def test_glyph_missing_checks_the_stacks_not_every_installed_face() -> None:
    page = f"<html><head><title>{CUNEIFORM}</title></head><body><p>Ozu y Kurosawa {CUNEIFORM}</p></body></html>"
    sources: list[tuple[Path, Path]] = []
    garamond = 'html { font-family: "EB Garamond", serif; }'
    cuneiform = 'html { font-family: "EB Garamond", "Noto Sans Cuneiform", serif; }'
    [problem] = check_typeset(page, garamond, sources, Path("anthology.toml"))
    assert "U+12000" in problem.message and str(problem.path) == "anthology.toml"
    assert check_typeset(page, cuneiform, sources, Path("anthology.toml")) == ()


def test_typeset_text_reads_body_generated_content_and_markers() -> None:
    page = textwrap.dedent(
        """\
        <html><head><title>Fuera</title><style>p { color: red }</style></head>
        <body><ul><li>Dentro &amp; fuera</li></ul><script>nunca()</script></body></html>"""
    )
    css = 'a::after { content: " ↗"; } /* content: "✗" */'
    text = typeset_text(page, css)
    assert "Dentro & fuera" in text and "↗" in text and "•" in text
    assert "•" not in typeset_text("<body><p>Sin lista</p></body>", "")
    assert "Fuera" not in text and "nunca" not in text and "color" not in text and "✗" not in text


def test_to_unicode_ranges_and_arrays() -> None:
    cmap = b"""2 beginbfchar <0003> <0041> <0010> <00660069> endbfchar
    1 beginbfrange <0020> <0022> <0061> endbfrange
    1 beginbfrange <0030> <0031> [<2022> <25E6>] endbfrange"""
    assert parse_to_unicode(cmap) == {3: "A", 16: "fi", 32: "a", 33: "b", 34: "c", 48: "•", 49: "◦"}

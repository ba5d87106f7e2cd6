"""The cover wrap after a new user's trial (issue 16): an error on the wrap writes nothing,
the back cover's typography, the barcode's human-readable ISBN, the spine's direction, the
front image's print resolution and the anthology file's messages."""

from __future__ import annotations

import dataclasses
import io
import subprocess
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from publisher.base.access import Access
from publisher.base.cover import CoverText
from publisher.base.diagnostics import BuildFailed
from publisher.base.model import AnthologySpec
from publisher.base.text import isbn10_as_13
from publisher.export.cover_art import cover_art
from publisher.export.wrap import export_cover_wrap, isbn_label
from publisher.pipeline import BuildRequest, build, load, read_spec
from publisher.render import cover_text
from tests.conftest import ONE_PART_TOML, ProjectMaker, review

MM = 72 / 25.4  # points per millimetre
SENTENCE = (
    "En las películas de la retirada, la frontera de los Pirineos aparece siempre nevada,"
    " aunque los refugiados la cruzaron en pleno invierno y bajo la lluvia."
)


def test_an_error_on_the_wrap_writes_no_output_and_caches_none(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    toml = ONE_PART_TOML.replace("Una antología mínima.", " ".join([SENTENCE] * 40))
    anthology = make_project({"a.md": review()}, toml)
    out = tmp_path / "out"
    for _ in range(2):  # the second build fails the same way: nothing was recorded as done
        with pytest.raises(BuildFailed) as failed:
            build(BuildRequest(anthology, frozenset(), out, cover=True))
        codes = [d.code for d in failed.value.diagnostics]
        assert "back-cover-overflow" in codes
        assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == []


def _text(pdf: Path) -> str:
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


def test_the_back_cover_has_the_books_typography(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    description = '"Sobre la película de Kubrick\'s \\"Senderos de gloria\\" -- 1957."'
    toml = ONE_PART_TOML.replace('"Una antología mínima."', description).replace(
        'title = "', 'title = "\\"Guerra\\" -- ', 1
    )
    anthology = make_project({"a.md": review()}, toml)
    out = tmp_path / "out"
    build(BuildRequest(anthology, frozenset(), out, cache=False, cover=True))
    (wrap,) = out.glob("*-cover.pdf")
    text = _text(wrap)
    assert "Kubrick’s «Senderos de gloria» – 1957." in text
    assert "«Guerra» – " in text
    assert '"' not in text and "'" not in text and "--" not in text


def _words(pdf: bytes, tmp_path: Path) -> list[tuple[str, float, float, float, float]]:
    """(word, xMin, yMin, xMax, yMax) in points from the top left, as pdftotext -bbox finds
    them, in its reading order."""
    path = tmp_path / "wrap.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    )
    page = etree.fromstring(done.stdout.encode("utf-8"), etree.HTMLParser(encoding="utf-8"))
    return [
        (word.text, *(float(word.get(k)) for k in ("xmin", "ymin", "xmax", "ymax")))
        for word in page.iter("word")
    ]


def _spec(make_project: ProjectMaker, extra: str = "") -> AnthologySpec:
    toml = ONE_PART_TOML.replace("front = []", f"front = []\n{extra}")
    return read_spec(make_project({"a.md": review()}, toml))


def test_the_barcode_box_shows_the_isbn_as_written_above_the_bars(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    spec = _spec(make_project, '\n[identifiers]\nisbn_print = "978-0-306-40615-7"\n')
    assert spec.isbn_print == "9780306406157"
    words = _words(export_cover_wrap(spec, 200).data, tmp_path)
    (label,) = [w for w in words if w[0] == "978-0-306-40615-7"]
    (digits,) = [w for w in words if w[0] == "9780306406157"]  # python-barcode's, below the bars
    (isbn,) = [w for w in words if w[0] == "ISBN"]
    assert isbn[3] < label[1] and isbn[2] == pytest.approx(label[2])  # `ISBN` just before
    assert label[4] + 40 < digits[2]  # above the bars (22.85 mm = 65 pt tall) ...
    centre = (isbn[1] + label[3]) / 2  # ... and centred over them
    assert centre == pytest.approx((digits[1] + digits[3]) / 2, abs=2)
    # Written without hyphens, the 13 digits as given.
    plain = _spec(make_project, '\n[identifiers]\nisbn_print = "9780306406157"\n')
    assert isbn_label(plain) == "ISBN 9780306406157"


@pytest.mark.parametrize("direction", ["top-to-bottom", "bottom-to-top"])
def test_the_spine_reads_in_the_direction_asked(
    make_project: ProjectMaker, tmp_path: Path, direction: str
) -> None:
    extra = "" if direction == "top-to-bottom" else f'\n[print]\nspine = "{direction}"\n'
    spec = _spec(make_project, extra)
    assert spec.spine == direction
    words = _words(export_cover_wrap(spec, 300).data, tmp_path)
    # The spine's words, in the order pdftotext reads them along their baseline.
    left = spec.trim.width_mm * MM  # the spine starts one trim width (and the bleed) in
    spine = [w for w in words if left < w[1] < left + 30 * MM]
    assert [w[0] for w in spine][:3] == ["Antología", "de", "prueba"]
    assert all(w[4] - w[2] > w[3] - w[1] for w in spine if len(w[0]) > 3)  # set sideways
    tops = [w[2] for w in spine]
    if direction == "top-to-bottom":  # the title at the top, each word below the one before
        assert tops == sorted(tops)
    else:
        assert tops == sorted(tops, reverse=True)


def test_a_spine_direction_not_known_is_an_error(make_project: ProjectMaker) -> None:
    with pytest.raises(BuildFailed) as failed:
        _spec(make_project, '\n[print]\nspine = "bottom-to-tops"\n')
    (found,) = failed.value.diagnostics
    assert (found.code, found.message) == (
        "anthology-value",
        "`spine` must be `top-to-bottom` or `bottom-to-top` (did you mean `bottom-to-top`?)",
    )


@pytest.mark.parametrize(
    ("written", "size"),
    [("A5", (148, 210)), ("a4", (210, 297)), ("B5", (176, 250)), ("5.5x8.5in", (139.7, 215.9))],
)
def test_trim_by_name(make_project: ProjectMaker, written: str, size: tuple[float, float]) -> None:
    trim = _spec(make_project, f'\n[print]\ntrim = "{written}"\n').trim
    assert (trim.width_mm, trim.height_mm) == pytest.approx(size)


def _front(make_project: ProjectMaker, tmp_path: Path, size: tuple[int, int]) -> AnthologySpec:
    anthology = make_project({"a.md": review()}, 'cover_image = "cover.png"\n' + ONE_PART_TOML)
    Image.new("RGB", size, (120, 30, 30)).save(anthology.parent / "cover.png")
    return read_spec(anthology)


def test_a_cover_image_under_300_ppi_on_the_wrap_is_a_warning_at_its_line(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    spec = _front(make_project, tmp_path, (1600, 2560))  # the e-book size: 269 ppi on A5
    front = cover_art(spec, Access.for_spec(spec))
    found = [d.format() for d in export_cover_wrap(spec, 200, front).diagnostics]
    # The front with its bleed: (148 + 3) × (210 + 6) mm = 5.94 × 8.50 in.
    assert [f for f in found if "cover-low-resolution" in f] == [
        "manuscripts/anthology.toml:1:1: warning: cover-low-resolution: `cover_image`"
        " (1600×2560 px) prints at 269 ppi on the wrap's front (151 × 216 mm with the bleed):"
        " printers ask for 300 ppi and stores for 1:1.6, at least 1600×2560 px: an image of"
        " at least 1784×2855 px meets both"
    ]
    spec = _front(make_project, tmp_path, (1784, 2552))
    front = cover_art(spec, Access.for_spec(spec))
    codes = [d.code for d in export_cover_wrap(spec, 200, front).diagnostics]
    assert "cover-low-resolution" not in codes


def test_the_generated_cover_is_drawn_at_300_ppi_on_the_wrap(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    spec = _spec(make_project)
    path = tmp_path / "wrap.pdf"
    path.write_bytes(export_cover_wrap(spec, 200).data)
    listed = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    )
    (row,) = [line.split() for line in listed.stdout.splitlines()[2:]]
    width, height, x_ppi, y_ppi = int(row[3]), int(row[4]), int(row[12]), int(row[13])
    assert (width, height) == (1784, 2854)  # 1:1.6, cropped to the panel's 1:1.43
    assert x_ppi >= 300 and y_ppi >= 300
    # The e-book keeps the store's size.
    with Image.open(io.BytesIO(cover_art(spec, Access.for_spec(spec)).data)) as ebook:
        assert ebook.size == (1600, 2560)


def _problem(make_project: ProjectMaker, toml: str) -> str:
    anthology = make_project({"a.md": review()}, toml)
    with pytest.raises(BuildFailed) as failed:
        load(anthology)
    return "\n".join(d.format() for d in failed.value.diagnostics)


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (
            "front = []",
            'front = []\ncover_image = "reviews"',
            "manuscripts/anthology.toml:10:1: error: not-a-regular-file: `reviews` is a"
            " folder, not an image file: name a JPEG or PNG",
        ),
        (
            "front = []",
            'front = []\n\n[identifiers]\nisbn_print = "0-306-40615-2"',
            "manuscripts/anthology.toml:12:1: error: isbn-invalid: `isbn_print` 0-306-40615-2"
            " is an ISBN-10: an ISBN-13 is needed, 978-0-306-40615-7",
        ),
        (
            "front = []",
            "front = []\n\n[print]\npaper = 1",
            "manuscripts/anthology.toml:12:1: error: anthology-value: `paper` 1: a thickness"
            " per page in millimetres must be more than 0 and less than 1 (white paper is"
            " 0.0572, cream 0.0635)",
        ),
        (
            "front = []",
            'front = []\n\n[sales]\nterritories = ["UK"]',
            "manuscripts/anthology.toml:12:16: error: anthology-value: `sales.territories`:"
            ' `UK` is not an ISO 3166-1 country code (two capital letters, e.g. "ES") nor'
            ' "WORLD" (did you mean `GB`?)',
        ),
        (
            "front = []",
            "front = []\n\n[sales]\nterritories = []",
            "manuscripts/anthology.toml:12:1: error: anthology-value: `sales.territories` must"
            ' name at least one territory: ["WORLD"] or ["ES", …]',
        ),
        (
            "front = []",
            'front = []\n\n[identifiers]\nisbn_print = "978-0-306-40615-7"\n'
            'isbn_epub = "9780306406157"',
            "manuscripts/anthology.toml:13:1: error: isbn-duplicate: `isbn_epub` 9780306406157"
            " is `isbn_print` too: each product form needs its own ISBN (the paperback one, the"
            " EPUB another)",
        ),
    ],
)
def test_the_anthology_files_messages_say_what_to_write(
    make_project: ProjectMaker, before: str, after: str, expected: str
) -> None:
    assert _problem(make_project, ONE_PART_TOML.replace(before, after, 1)) == expected


def test_the_wraps_words_take_the_quotes_of_the_books_language(
    make_project: ProjectMaker,
) -> None:
    spec = _spec(make_project)
    english = dataclasses.replace(
        spec,
        lang="en",
        description='Kubrick\'s "Paths of Glory" -- and the trenches.\n\nA second paragraph.',
        editors=("Ann O'Hara",),
    )
    words = cover_text(english)
    assert words.paragraphs == (
        "Kubrick’s “Paths of Glory” – and the trenches.",
        "A second paragraph.",
    )
    assert words.spine == ("Antología de prueba", "Ann O’Hara", "Prensa de Pruebas")
    assert CoverText.plain(english).paragraphs[0] == english.description.split("\n\n")[0]


@pytest.mark.parametrize(
    ("written", "thirteen"),
    [
        ("0-306-40615-2", "978-0-306-40615-7"),
        ("0306406152", "9780306406157"),
        ("0 306 40615 2", "978 0 306 40615 7"),
        ("0-8044-2957-X", "978-0-8044-2957-3"),
        ("0-306-40615-3", None),  # a wrong check digit: not an ISBN-10 to convert
        ("978-0-306-40615-7", None),
    ],
)
def test_an_isbn10_becomes_its_isbn13(written: str, thirteen: str | None) -> None:
    assert isbn10_as_13(written) == thirteen

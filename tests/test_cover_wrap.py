"""The print-on-demand cover wrap (`publisher build --format cover`): its size from the trim,
the print PDF's page count and the paper; the EAN-13 read back by zbar; spine text only on a
spine wide enough for it (issue 16)."""

from __future__ import annotations

import dataclasses
import io
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from publisher.base.access import Access
from publisher.base.model import PAPERS, AnthologySpec, Paper, TrimSize
from publisher.export.cover_art import cover_art
from publisher.export.wrap import BLEED, SPINE_TEXT_MIN, export_cover_wrap, wrap_html, wrap_size
from publisher.pipeline import BuildRequest, build, read_spec
from tests.conftest import MINI_TOML, ONE_PART_TOML, ProjectMaker, review

MM = 72 / 25.4  # points per millimetre
ISBN = "9780306406157"
WHITE_IN, CREAM_IN = 0.002252, 0.0025  # KDP's thickness per page, inches


def _spec(make_project: ProjectMaker, extra: str = "") -> AnthologySpec:
    toml = ONE_PART_TOML.replace("front = []", f"front = []\n{extra}")
    return read_spec(make_project({"a.md": review()}, toml))


def _boxes(data: bytes) -> dict[str, list[float]]:
    page = PdfReader(io.BytesIO(data)).pages[0]
    return {
        name: [float(v) for v in getattr(page, name)]
        for name in ("mediabox", "trimbox", "bleedbox")
    }


@pytest.mark.parametrize(
    ("trim", "paper", "pages", "inches"),
    [
        (TrimSize(148, 210), "white", 74, WHITE_IN),
        (TrimSize(148, 210), "cream", 300, CREAM_IN),
        (TrimSize(6 * 25.4, 9 * 25.4), "white", 300, WHITE_IN),
        (TrimSize(6 * 25.4, 9 * 25.4), "cream", 74, CREAM_IN),
    ],
)
def test_media_box_is_both_covers_spine_and_bleed(
    make_project: ProjectMaker, trim: TrimSize, paper: str, pages: int, inches: float
) -> None:
    spec = dataclasses.replace(_spec(make_project), trim=trim, paper=Paper(paper, PAPERS[paper]))
    spine = pages * inches * 25.4
    boxes = _boxes(export_cover_wrap(spec, pages).data)
    width = (2 * trim.width_mm + spine + 2 * 3) * MM
    height = (trim.height_mm + 2 * 3) * MM
    media = boxes["mediabox"]
    assert media[2] - media[0] == pytest.approx(width, abs=0.5)
    assert media[3] - media[1] == pytest.approx(height, abs=0.5)
    assert boxes["bleedbox"] == media
    trimbox = boxes["trimbox"]
    assert trimbox[2] - trimbox[0] == pytest.approx(width - 6 * MM, abs=0.5)
    assert trimbox[0] - media[0] == pytest.approx(3 * MM, abs=0.01)
    assert wrap_size(spec, pages).spine == pytest.approx(spine)


def test_paper_setting_read_from_the_anthology_file(make_project: ProjectMaker) -> None:
    assert _spec(make_project).paper == Paper("white", WHITE_IN * 25.4)
    assert _spec(make_project, '\n[print]\npaper = "cream"\n').paper.mm_per_page == 0.0635
    assert _spec(make_project, "\n[print]\npaper = 0.07\n").paper == Paper("custom", 0.07)


def test_a_paper_that_is_neither_stock_nor_thickness_is_an_error(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    from publisher.base.diagnostics import BuildFailed

    with pytest.raises(BuildFailed) as failed:
        _spec(make_project, '\n[print]\npaper = "glossy"\n')
    (found,) = failed.value.diagnostics
    written = (tmp_path / "manuscripts" / "anthology.toml").read_text("utf-8").splitlines()
    assert (found.line, found.code) == (written.index('paper = "glossy"') + 1, "anthology-value")
    assert found.message == (
        "`paper` must be `white` or `cream`, or the paper's thickness per page in"
        " millimetres (a number such as 0.06)"
    )


def test_build_measures_the_spine_from_the_print_pdf(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    """End to end: `--format cover` lays out the print PDF and sizes the wrap from its pages."""
    toml = MINI_TOML.replace("front = []", 'front = []\n\n[print]\npaper = "cream"\n')
    reviews = {f"r{n}.md": review(f"Reseña {n}", tags="[exilio]") for n in range(3)}
    anthology = make_project(reviews | {"g.md": review()}, toml)
    result = build(BuildRequest(anthology, frozenset(), tmp_path / "out", cache=False, cover=True))
    names = sorted(output.path.name for output in result.outputs)
    assert names == ["antologia-de-prueba-cover.pdf", "antologia-de-prueba-print.pdf"]
    interior = (tmp_path / "out" / "antologia-de-prueba-print.pdf").read_bytes()
    pages = len(PdfReader(io.BytesIO(interior)).pages)
    bleed = _boxes(interior)  # the wrap's bleed is the interior's (page 1: its outer edge)
    assert bleed["bleedbox"][2] - bleed["trimbox"][2] == pytest.approx(BLEED * MM, abs=0.01)
    spine = pages * CREAM_IN * 25.4
    media = _boxes((tmp_path / "out" / "antologia-de-prueba-cover.pdf").read_bytes())["mediabox"]
    assert (media[2] - media[0]) / MM == pytest.approx(2 * 148 + spine + 6, abs=0.2)
    (notice,) = [d for d in result.diagnostics if d.code == "cover-wrap"]
    assert notice.message == (
        f"cover: {2 * 148 + spine + 6:.1f} × 216 mm, spine {spine:.1f} mm"
        f" ({pages} pages, cream paper)"
    )


def test_barcode_decodes_to_the_print_isbn(make_project: ProjectMaker, tmp_path: Path) -> None:
    spec = dataclasses.replace(_spec(make_project), isbn_print=ISBN)
    pdf = tmp_path / "cover.pdf"
    pdf.write_bytes(export_cover_wrap(spec, 120).data)
    subprocess.run(["pdftoppm", "-r", "300", "-png", str(pdf), str(tmp_path / "page")], check=True)
    (image,) = tmp_path.glob("page*.png")
    read = subprocess.run(["zbarimg", "-q", str(image)], capture_output=True, text=True)
    assert read.stdout.split() == [f"EAN-13:{ISBN}"]


def _spine_text(spec: AnthologySpec, pages: int, tmp_path: Path) -> str:
    """What pdftotext reads inside the spine (in points, from the media box's corner)."""
    size = wrap_size(spec, pages)
    pdf = tmp_path / f"cover-{pages}.pdf"
    pdf.write_bytes(export_cover_wrap(spec, pages).data)
    left = (BLEED + size.trim_width) * MM
    area = ["-x", str(int(left)), "-y", "0", "-W", str(int(size.spine * MM) + 1)]
    area += ["-H", str(int(size.height * MM))]
    out = subprocess.run(
        ["pdftotext", *area, str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(out.stdout.split())


def test_spine_text_only_on_a_wide_enough_spine(make_project: ProjectMaker, tmp_path: Path) -> None:
    spec = _spec(make_project)
    narrow = int(SPINE_TEXT_MIN / spec.paper.mm_per_page)  # just under 6.35 mm
    wide = narrow + 2
    assert wrap_size(spec, narrow).spine < SPINE_TEXT_MIN <= wrap_size(spec, wide).spine
    cover = cover_art(spec, Access.for_spec(spec))
    assert 'class="spine-text"' not in wrap_html(spec, wrap_size(spec, narrow), cover)
    assert _spine_text(spec, narrow, tmp_path) == ""
    assert _spine_text(spec, wide, tmp_path) == (
        "Antología de prueba · Ana Editora · Prensa de Pruebas"
    )


def test_same_sources_same_bytes(
    make_project: ProjectMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    spec = dataclasses.replace(_spec(make_project), isbn_print=ISBN)
    assert export_cover_wrap(spec, 200).data == export_cover_wrap(spec, 200).data


def test_report_line_names_size_spine_pages_and_paper(make_project: ProjectMaker) -> None:
    spec = dataclasses.replace(_spec(make_project), paper=Paper("custom", 0.1))
    assert wrap_size(spec, 100).summary() == (
        "cover: 312 × 216 mm, spine 10 mm (100 pages, paper 0.1 mm per page)"
    )


def test_fonts_embedded_and_barcode_drawn_as_vectors(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    spec = dataclasses.replace(_spec(make_project), isbn_print=ISBN)
    pdf = tmp_path / "cover.pdf"
    pdf.write_bytes(export_cover_wrap(spec, 200).data)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    rows = [line.split() for line in fonts.stdout.splitlines()[2:]]
    assert rows and all(row[-5] == "yes" for row in rows), fonts.stdout  # the `emb` column
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True)
    listed = [line.split() for line in images.stdout.splitlines()[2:]]
    # The front cover is the only raster image (drawn for 300 ppi: 1784 × 2854 px on A5):
    # the bars are vectors.
    assert [(row[3], row[4]) for row in listed] == [("1784", "2854")]


def _codes(spec: AnthologySpec, code: str) -> list[str]:
    return [d.format() for d in export_cover_wrap(spec, 100).diagnostics if d.code == code]


def test_a_wrap_without_print_isbn_has_no_barcode_and_says_so(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    advice = (
        "warning: barcode-missing: the cover wrap has no barcode: printers need the print ISBN"
        " as an EAN-13 on the back cover; add `isbn_print` to"
    )
    # No `[identifiers]` table: the file's line 0, naming the table to add.
    assert _codes(_spec(make_project), "barcode-missing") == [
        f"manuscripts/anthology.toml: {advice} an `[identifiers]` table"
    ]
    spec = _spec(make_project, f'\n[identifiers]\nisbn_epub = "{ISBN}"\n')
    written = (tmp_path / "manuscripts" / "anthology.toml").read_text("utf-8").splitlines()
    line = written.index("[identifiers]") + 1
    assert _codes(spec, "barcode-missing") == [
        f"manuscripts/anthology.toml:{line}:2: {advice} `[identifiers]`"
    ]
    assert _codes(dataclasses.replace(spec, isbn_print=ISBN), "barcode-missing") == []


# Our own sentence about the films, repeated until it is far longer than a back cover holds.
SENTENCE = (
    "Las películas de la guerra vuelven una y otra vez al mismo pueblo, a la misma escuela y al"
    " mismo silencio de la posguerra."
)


def test_a_description_too_long_for_the_back_cover_is_an_error_at_its_line(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    toml = ONE_PART_TOML.replace("Una antología mínima.", " ".join([SENTENCE] * 40))
    spec = read_spec(make_project({"a.md": review()}, toml))
    assert spec.description_at == (7, 1)
    assert _codes(spec, "back-cover-overflow") == [
        "manuscripts/anthology.toml:7:1: error: back-cover-overflow: the description is"
        " 27 lines (441 words) too long for the back cover of the 148 × 210 mm wrap: shorten"
        " it, or the printed text runs off the back cover"
    ]
    # With the barcode, the text must also end above its box (bars and the `ISBN …` line
    # above them): more lines are too many.
    assert _codes(dataclasses.replace(spec, isbn_print=ISBN), "back-cover-overflow") == [
        "manuscripts/anthology.toml:7:1: error: back-cover-overflow: the description is"
        " 34 lines (555 words) too long for the back cover of the 148 × 210 mm wrap: shorten"
        " it, or the printed text runs under the barcode"
    ]
    # The count is the layout's own: without the last 441 words, the description fits.
    words = spec.description.split()
    short = dataclasses.replace(spec, description=" ".join(words[:-441]))
    assert _codes(short, "back-cover-overflow") == []
    longer = dataclasses.replace(spec, description=" ".join(words[: -441 + 20]))
    assert _codes(longer, "back-cover-overflow") != []

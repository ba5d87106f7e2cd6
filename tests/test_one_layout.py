"""One layout for both PDFs (issue 17): the print book's chunks are laid out once and each is
written twice, as the print PDF's and as the screen PDF's (export/chunked.py `export_editions`).

Seen from outside: the screen PDF's pages after its cover and blank verso are the print PDF's
pages (the same text, folios and running heads; the same picture inside the trim, link colours
aside), its /PageLabels name the cover and then give the printed folios, and the build lays each
chunk out once, not once per PDF. A theme whose print stylesheet changes more than what only
drawing reads (here a font size) lays the screen PDF out on its own, with the same folios.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageChops, ImageDraw

from publisher.base.rendered import Target
from publisher.export import pdf
from publisher.export.chunked import split
from publisher.export.pagelabels import PageLabel, page_labels
from publisher.pipeline import load, render
from tests.conftest import ProjectMaker
from tests.test_chunked_layout import _book, _build, _chunks, _page_texts

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdftoppm")), reason="needs poppler"
)
TOLERANCE = 10  # pixels of a page at 30 dpi (175 × 249 for the test book's trim)
COVER = ["Cubierta", ""]  # es.toml's word for the cover; its verso unlabelled (pagelabels.py)


def _editions(out: Path) -> tuple[Path, Path]:
    pdfs = sorted(out.glob("*.pdf"))
    printed = next(path for path in pdfs if path.stem.endswith("-print"))
    return printed, next(path for path in pdfs if path != printed)


def _labels(path: Path) -> list[str]:
    with pikepdf.open(path) as document:
        return [page.label for page in document.pages]


def _folio(text: str) -> str | None:
    """The folio printed at the foot of a page (pdftotext's last line of text)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines and lines[-1].isdigit() else None


def test_both_pdfs_come_from_one_layout(
    make_project: ProjectMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    anthology = _book(make_project)
    log = tmp_path / "layouts.txt"  # written by the forked worker too (one line per layout)
    original = pdf.lay_out_chunk

    def counted(job, access, fonts=None):  # type: ignore[no-untyped-def]
        with log.open("a", encoding="utf-8") as file:
            file.write(job.name + "\n")
        return original(job, access, fonts)

    monkeypatch.setattr(pdf, "lay_out_chunk", counted)  # inherited by the forked worker
    events = _build(anthology, tmp_path / "out", 1, clean=True)
    layouts = log.read_text(encoding="utf-8").split()
    pieces = {piece.name for piece in split(render(load(anthology)[0], Target.PRINT_PDF))}
    assert len(pieces) >= 4
    assert _chunks(events, "laid out") == pieces
    assert _chunks(events, "laid out", "screen PDF") == set()
    # Every WeasyPrint layout: the print chunks' (the front matter once more, when the page
    # numbers it prints are known) and the screen PDF's cover; none per chunk for the screen.
    assert sorted(layouts) == sorted([*pieces, "front-000", "cover"])


def test_the_screen_pdf_is_the_cover_then_the_print_books_pages(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    anthology = _book(make_project)
    _build(anthology, tmp_path / "out", 2, clean=True)
    printed, screen = _editions(tmp_path / "out")
    printed_pages, screen_pages = _page_texts(printed)[:-1], _page_texts(screen)[:-1]
    assert len(screen_pages) == len(printed_pages) + 2
    assert screen_pages[2:] == printed_pages  # text, folios and running heads, page by page
    folios = [_folio(text) for text in printed_pages]
    assert sum(folio is not None for folio in folios) >= len(folios) // 2
    labels = _labels(screen)
    assert labels[:2] == COVER
    assert labels[2:] == [str(number) for number in range(1, len(printed_pages) + 1)]
    for label, folio in zip(labels[2:], folios, strict=True):
        assert folio in (None, label)  # the viewer's page box shows the printed folio


def _pictures(path: Path, first: int, folder: Path) -> list[Image.Image]:
    """Each page from `first` (1-based) cut to its TrimBox (the page the reader holds), as a
    black-and-white picture at 30 dpi: ink (any colour, at any strength) or paper."""
    folder.mkdir()
    with pikepdf.open(path) as document:
        for page in document.pages:
            page.obj.CropBox = page.obj.get("/TrimBox", page.obj.MediaBox)
        document.save(folder / "trimmed.pdf")
    subprocess.run(
        ["pdftoppm", "-cropbox", "-r", "30", "-gray", "-png", "-f", str(first), "trimmed.pdf", "page"],
        cwd=folder, check=True,
    )  # fmt: skip
    return [
        Image.open(picture).point(lambda grey: 255 if grey > 250 else 0)
        for picture in sorted(folder.glob("page-*.png"))
    ]


def test_the_screen_pages_look_like_the_print_pages_inside_the_trim(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    anthology = _book(make_project)
    _build(anthology, tmp_path / "out", 2, clean=True)
    printed, screen = _editions(tmp_path / "out")
    with pikepdf.open(screen) as document:
        boxes = {tuple(page.obj.MediaBox) for page in document.pages}
        assert all(tuple(page.obj.TrimBox) in boxes for page in document.pages)
    with pikepdf.open(printed) as document:
        trims = {tuple(page.obj.TrimBox) for page in document.pages}
        media = {tuple(page.obj.MediaBox) for page in document.pages}
    assert boxes == trims != media  # the screen page is the print page's trim: no bleed
    printed_pictures = _pictures(printed, 1, tmp_path / "print")
    screen_pictures = _pictures(screen, 3, tmp_path / "screen")
    assert len(screen_pictures) == len(printed_pictures) >= 10
    links = _link_areas(screen)[2:]
    assert sum(len(areas) for areas in links) >= 8
    for number, (one, other) in enumerate(zip(printed_pictures, screen_pictures, strict=True)):
        assert one.size == other.size, number
        for picture in (one, other):  # links are coloured and underlined on screen only
            draw = ImageDraw.Draw(picture)
            for area in links[number]:
                draw.rectangle(area, fill=255)
        differing = ImageChops.difference(one, other).histogram()[255]
        # A few faint edge pixels of glyphs inside a link that are coloured on screen (a
        # contents entry's second line lies outside its link's rectangle); a line moved by
        # a point, or another glyph, changes hundreds.
        assert differing <= TOLERANCE, (number, differing)


def _forms(document: pikepdf.Pdf) -> int:
    return sum(
        1
        for page in document.pages
        for form in page.obj.get("/Resources", {}).get("/XObject", {}).values()
        if form.get("/Subtype") == "/Form"
    )


def test_the_screen_pdf_draws_none_of_the_print_pdfs_crop_marks(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    """WeasyPrint draws the crop marks as a layer it adds to the page's background; the screen
    write of the same layout (after the print write) must not draw them again, even outside
    its trim: its pages use the forms a whole layout of the screen book uses (none here)."""
    anthology = _book(make_project)
    _build(anthology, tmp_path / "out", 2, clean=True)
    printed, screen = _editions(tmp_path / "out")
    whole = pdf.export_pdf(render(load(anthology)[0], Target.SCREEN_PDF)).data
    (tmp_path / "whole.pdf").write_bytes(whole)
    with pikepdf.open(printed) as document:
        assert _forms(document) >= len(document.pages)  # the marks, one form per page
    with pikepdf.open(screen) as document, pikepdf.open(tmp_path / "whole.pdf") as one:
        assert _forms(document) == _forms(one) == 0


def _link_areas(path: Path) -> list[list[tuple[int, int, int, int]]]:
    """Per page, the rectangles of its link annotations in pixels at 30 dpi (origin at the top
    left), one pixel wider on each side for the anti-aliased edge."""
    scale = 30 / 72
    found = []
    with pikepdf.open(path) as document:
        for page in document.pages:
            height = float(page.obj.MediaBox[3])
            areas = []
            for annotation in page.obj.get("/Annots", []):
                xs = sorted(float(value) for value in annotation.Rect[0::2])
                ys = sorted(float(value) for value in annotation.Rect[1::2])
                (left, right), (bottom, top) = xs, ys
                areas.append(
                    (
                        int(left * scale) - 1,
                        int((height - top) * scale) - 1,
                        int(right * scale) + 2,
                        int((height - bottom) * scale) + 2,
                    )
                )
            found.append(areas)
    return found


def test_a_print_stylesheet_that_moves_text_lays_the_screen_pdf_out_on_its_own(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    anthology = _book(make_project)
    overrides = anthology.parent / "style-overrides" / "css"
    overrides.mkdir(parents=True)
    base = Path(pdf.__file__).parents[2] / "styles" / "base" / "css" / "print.css"
    # A press that sets the printed text larger: the print layout is not the screen's.
    larger = ".review-body p { font-size: 12.5pt; }\n"
    (overrides / "print.css").write_text(base.read_text(encoding="utf-8") + larger, "utf-8")
    events = _build(anthology, tmp_path / "out", 2, clean=True)
    pieces = {piece.name for piece in split(render(load(anthology)[0], Target.PRINT_PDF))}
    assert _chunks(events, "laid out") == pieces
    assert _chunks(events, "laid out", "screen PDF") == pieces  # two layouts, as before
    printed, screen = _editions(tmp_path / "out")
    assert _page_texts(screen)[2:] != _page_texts(printed)
    labels = _labels(screen)
    assert labels[:3] == [*COVER, "1"]  # its own folios, still counted from the book's page 1
    assert _folio(_page_texts(screen)[2]) in (None, "1")


def test_page_labels_follow_the_printed_folios() -> None:
    # Roman front matter, then decimal; a jump in the numbers and a folio that is no number
    # each start a range of their own (ISO 32000-1 §12.4.2: /S, /St, /P).
    folios = ["i", "ii", "iii", "1", "2", "4", "5", "A-1", "6"]
    assert page_labels(2, "Cubierta", folios) == (
        PageLabel(0, "", "Cubierta"),
        PageLabel(1, ""),  # the cover's verso: no label, none repeating the cover's
        PageLabel(2, "r", "", 1),
        PageLabel(5, "D", "", 1),
        PageLabel(7, "D", "", 4),
        PageLabel(9, "", "A-1"),
        PageLabel(10, "D", "", 6),
    )
    assert page_labels(0, "Cover", ["XIV", "XV"]) == (PageLabel(0, "R", "", 14),)

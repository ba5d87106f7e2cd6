"""The two PDF profiles, checked on real builds with real tools (WeasyPrint, pypdf, qpdf, poppler).

Page numbers: `index` is the physical page of the screen PDF (0-based, as pypdf counts); the
folio printed on it is `index - 1`: the cover and its blank verso come first and the book numbers
its pages from the half-title on, as the printed book does (issue 17). Both are checked, so a
folio that drifted from the physical page would fail too.
"""

from __future__ import annotations

import filecmp
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from publisher.base.diagnostics import Severity
from publisher.base.fonts import check_fonts, font_stacks
from publisher.base.model import Anthology, Review
from publisher.pipeline import BuildRequest, BuildResult, Format, build, load
from publisher.render.typography import smarten

ROOT = Path(__file__).resolve().parent.parent
ANTHOLOGY = ROOT / "manuscripts" / "anthology.toml"
EPOCH = "1795046400"  # 2026-11-19T00:00:00Z, a day before the book date
MM = 72 / 25.4
BLEED_PT = 3 * MM  # 8.504 pt

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("qpdf", "pdffonts")), reason="needs qpdf and poppler"
)


@dataclass(frozen=True)
class Built:
    result: BuildResult
    screen: Path
    print: Path
    anthology: Anthology


def _build(anthology_file: Path, out: Path) -> BuildResult:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        return build(BuildRequest(anthology_file, frozenset({Format.PDF}), out, cache=False))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("pdf")
    result = _build(ANTHOLOGY, out)
    anthology, _ = load(ANTHOLOGY)
    slug = anthology.spec.slug
    return Built(result, out / f"{slug}.pdf", out / f"{slug}-print.pdf", anthology)


@pytest.fixture(scope="module")
def screen(built: Built) -> PdfReader:
    return PdfReader(built.screen)


def _texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() or "" for page in reader.pages]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _folio(text: str) -> int | None:
    """The folio is the last thing drawn on a page (a margin box at the foot)."""
    lines = _lines(text)
    return int(lines[-1]) if lines and lines[-1].isdigit() else None


def _squash(text: str) -> str:
    """pypdf splits some ligatures ("f ino" for "fino") and letter-spaced caps: compare sans spaces."""
    return "".join(text.split())


def _title(review: Review) -> str:
    return smarten(review.manuscript.title, review.manuscript.lang)


def _opening_pages(reader: PdfReader, anthology: Anthology) -> dict[str, int]:
    """Physical index of each review's opening page: its title above the film card."""
    texts = _texts(reader)
    openings: dict[str, int] = {}
    for review in anthology.reviews:
        openings[review.slug] = next(
            index
            for index, text in enumerate(texts)
            if _squash(_title(review)) in map(_squash, _lines(text)) and "DIRECCIÓN" in text
        )
    return openings


def _section_pages(reader: PdfReader, title: str) -> range:
    """Physical pages of a top-level section, from its outline entry to the next one."""
    starts = [
        (item.title, reader.get_destination_page_number(item))
        for item in reader.outline
        if not isinstance(item, list)
    ]
    position = next(i for i, (name, _) in enumerate(starts) if name == title)
    end = starts[position + 1][1] if position + 1 < len(starts) else len(reader.pages)
    return range(starts[position][1], end)


def _entries(reader: PdfReader, section: str) -> dict[str, int]:
    """`title … page` lines of a section (contents, an index), keyed by squashed title."""
    entries: dict[str, int] = {}
    for index in _section_pages(reader, section):
        lines = reader.pages[index].extract_text(extraction_mode="layout").splitlines()
        for line in lines[:-1]:  # the last line is the folio
            match = re.fullmatch(r"\s*(\S.*?)\s+(\d+)\s*", line)
            if match:
                entries[_squash(match.group(1))] = int(match.group(2))
    return entries


# ---------------------------------------------------------------------------------- build


def test_build_writes_both_profiles_without_warnings(built: Built) -> None:
    assert [output.path for output in built.result.outputs] == [built.screen, built.print]
    assert not [d for d in built.result.diagnostics if d.severity is not Severity.INFO]


@pytest.mark.parametrize("profile", ["screen", "print"])
def test_qpdf_check_passes(built: Built, profile: str) -> None:
    path = built.screen if profile == "screen" else built.print
    run = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize("profile", ["screen", "print"])
def test_every_font_is_embedded_and_subset(built: Built, profile: str) -> None:
    path = built.screen if profile == "screen" else built.print
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = listing.stdout.splitlines()[2:]
    assert rows
    for row in rows:
        name, emb, sub = row.split()[0], row.split()[-5], row.split()[-4]
        assert (emb, sub) == ("yes", "yes"), row
        assert re.match(r"[A-Z]{6}\+", name), row  # subset tag
    assert any("EB-Garamond" in row for row in rows)


def test_same_source_date_gives_byte_identical_pdfs(built: Built, tmp_path: Path) -> None:
    again = _build(ANTHOLOGY, tmp_path)
    for first, second in zip(built.result.outputs, again.outputs, strict=True):
        assert filecmp.cmp(first.path, second.path, shallow=False), first.path.name


# ---------------------------------------------------------------------------------- screen


def test_metadata_title_author_lang_and_dates(screen: PdfReader, built: Built) -> None:
    spec = built.anthology.spec
    info = screen.metadata
    assert info is not None
    assert info.title is not None and info.title.startswith(spec.title)
    assert info.author == ", ".join(spec.editors)
    assert info.subject and info.get("/Keywords")
    root = screen.trailer["/Root"]
    assert root["/Lang"] == spec.lang
    assert info["/CreationDate"].startswith("D:20261119000000")
    assert info["/ModDate"] == info["/CreationDate"]


def test_screen_pdf_is_tagged_pdf_ua(screen: PdfReader) -> None:
    root = screen.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()


def test_outline_has_parts_with_their_reviews(screen: PdfReader, built: Built) -> None:
    outline = screen.outline
    top = [item.title for item in outline if not isinstance(item, list)]
    assert "Prólogo" in top and "Índice de películas" in top and "Colofón" in top
    for part in built.anthology.parts:
        position = next(
            i
            for i, item in enumerate(outline)
            if not isinstance(item, list)
            and item.title.endswith(smarten(part.title, built.anthology.spec.lang))
        )
        children = outline[position + 1]
        assert isinstance(children, list)
        assert [child.title for child in children] == [_title(r) for r in part.reviews]
    reviews = sum(len(item) for item in outline if isinstance(item, list))
    assert reviews == len(built.anthology.reviews)


def test_contents_page_numbers_match_the_printed_review_titles(
    screen: PdfReader, built: Built
) -> None:
    texts = _texts(screen)
    openings = _opening_pages(screen, built.anthology)
    contents = _entries(screen, "Índice")
    for review in built.anthology.reviews:
        index = openings[review.slug]
        # The cover and its verso come before page 1: the printed book's folio = physical - 1.
        assert _folio(texts[index]) == index - 1, review.slug
        assert contents[_squash(_title(review))] == index - 1, review.slug
        assert index % 2 == 0, f"{review.slug} opens on a verso"  # even index = odd folio


def test_film_index_locators_point_to_the_reviews(screen: PdfReader, built: Built) -> None:
    openings = _opening_pages(screen, built.anthology)
    index = _entries(screen, "Índice de películas")
    sample = built.anthology.reviews[::3]
    for review in sample:
        film = smarten(review.manuscript.film.title, review.manuscript.lang)
        assert index[_squash(film)] == openings[review.slug] - 1, film
    directors = _entries(screen, "Índice de directores")
    review = built.anthology.reviews[0]
    # The index prints a director in the filed form it sorts by (`García Berlanga, Luis`).
    (filed,) = [e for e in built.anthology.back.director_index if review in e.reviews][:1]
    assert directors[_squash(filed.heading)] == openings[review.slug] - 1


def test_running_heads(screen: PdfReader, built: Built) -> None:
    texts = _texts(screen)
    openings = _opening_pages(screen, built.anthology)
    review = next(r for r in built.anthology.reviews if openings[r.slug] + 3 < len(texts))
    opening = openings[review.slug]
    spec = built.anthology.spec
    title = _squash(_title(review))
    opening_page, verso, recto = (
        [_squash(line) for line in _lines(texts[i])] for i in (opening, opening + 1, opening + 2)
    )
    assert opening_page.count(title) == 1  # the heading only: no running head on the opening
    assert _squash(smarten(spec.title, spec.lang)) in verso  # verso: book title
    assert title in recto  # recto: the review title as running head
    # Page 1 is the cover, an image without text: the blank pages come after it.
    blanks = [i for i, text in enumerate(texts) if i and not text.strip()]
    assert blanks, "expected blank versos before rectos"  # …with neither head nor folio
    assert all(i % 2 == 1 for i in blanks)


@pytest.mark.parametrize("profile", ["screen", "print"])
def test_filmography_headers_are_whole_and_titles_wrap_last(built: Built, profile: str) -> None:
    """Headers never hyphenated; a film title keeps its line while the directors wrap."""
    reader = PdfReader(getattr(built, profile))
    lines = [
        line
        for index in _section_pages(reader, "Filmografía")
        for line in _lines(reader.pages[index].extract_text())
    ]
    assert any(_squash(line).startswith("TÍTULOAÑODIRECCIÓNDURACIÓN") for line in lines), lines
    assert not [line for line in lines if line.endswith(("-", "\u2010"))], lines
    for review in built.anthology.reviews:
        title = smarten(review.manuscript.film.title, review.manuscript.lang)
        assert any(line.startswith(title + " ") for line in lines), (title, lines)


def test_screen_pages_have_no_bleed(screen: PdfReader) -> None:
    page = screen.pages[0]
    assert page.mediabox == page.trimbox


# ---------------------------------------------------------------------------------- print


def _assert_trim(reader: PdfReader, width_mm: float, height_mm: float) -> None:
    for index in (0, 1, len(reader.pages) // 2):
        page = reader.pages[index]
        trim, bleed, media = page.trimbox, page.bleedbox, page.mediabox
        assert float(trim.width) == pytest.approx(width_mm * MM, abs=0.05)
        assert float(trim.height) == pytest.approx(height_mm * MM, abs=0.05)
        for outer in (bleed, media):
            assert float(outer.left) <= float(trim.left) and float(outer.right) >= float(trim.right)
            assert float(outer.bottom) <= float(trim.bottom) and float(outer.top) >= float(trim.top)
        # The bleed is past the outer edge (a recto's right, a verso's left), not the gutter.
        outside, gutter = (BLEED_PT, 0) if index % 2 == 0 else (0, BLEED_PT)
        assert float(media.right) - float(trim.right) == pytest.approx(outside, abs=0.01)
        assert float(trim.left) - float(media.left) == pytest.approx(gutter, abs=0.01)
        assert float(media.top) - float(trim.top) == pytest.approx(BLEED_PT, abs=0.01)


def test_print_profile_is_a5_with_3mm_bleed(built: Built) -> None:
    _assert_trim(PdfReader(built.print), 148, 210)


def test_print_links_are_black(built: Built) -> None:
    # The contents is all links; on screen its part numbers take the theme's red accent.
    def contents_stream(path: Path) -> bytes:
        reader = PdfReader(path)
        page = next(p for p in reader.pages if "ÍNDICE" in (p.extract_text() or ""))
        content = page.get_contents()
        assert content is not None
        return content.get_data()

    accent = re.compile(rb"0\.47\d* 0\.12\d* 0\.12\d* rg")
    assert accent.search(contents_stream(built.screen))
    assert not accent.search(contents_stream(built.print))


@pytest.fixture(scope="module")
def six_by_nine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the anthology at 6 × 9 in, asking for PDF/A-3b."""
    root = tmp_path_factory.mktemp("six-by-nine")
    shutil.copytree(ROOT / "manuscripts", root / "manuscripts")
    toml = root / "manuscripts" / "anthology.toml"
    text = toml.read_text(encoding="utf-8")
    text = re.sub(r'trim = "[^"]*"', 'trim = "6x9in"\npdf_variant = "pdf/a-3b"', text)
    toml.write_text(text, encoding="utf-8")
    _build(toml, root / "dist")
    return next((root / "dist").glob("*-print.pdf"))


def test_six_by_nine_inches_with_pdf_a(six_by_nine: Path) -> None:
    reader = PdfReader(six_by_nine)
    _assert_trim(reader, 6 * 25.4, 9 * 25.4)
    root = reader.trailer["/Root"]
    assert "/OutputIntents" in root
    xmp = root["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3"' in xmp or b"<pdfaid:part>3<" in xmp
    check = subprocess.run(["qpdf", "--check", str(six_by_nine)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


# ---------------------------------------------------------------------------------- fonts


def test_missing_book_face_warns_and_names_the_stand_in() -> None:
    css = 'html { font-family: "EB Garamond", "DejaVu Serif", serif; }'
    diagnostics = check_fonts(css, "manuscripts/anthology.toml", {"DejaVu Serif", "DejaVu Sans"})
    assert [d.code for d in diagnostics] == ["font-missing"]
    assert diagnostics[0].severity is Severity.WARNING
    assert "EB Garamond" in diagnostics[0].message and "DejaVu Serif" in diagnostics[0].message


def test_installed_faces_do_not_warn() -> None:
    css = '@page { @top-center { font: italic 8pt "EB Garamond", serif } } p { font-family: serif }'
    assert font_stacks(css) == (("serif",), ("EB Garamond", "serif"))
    assert check_fonts(css, "x", {"eb garamond"}) == ()


def test_the_text_size_of_garamond_missing_warns_only_without_the_family() -> None:
    css = 'p { font-family: "EB Garamond 12", "EB Garamond", "DejaVu Serif", serif }'
    assert check_fonts(css, "x", {"eb garamond", "dejavu serif"}) == ()
    diagnostics = check_fonts(css, "x", {"dejavu serif", "eb garamond 08"})
    assert [d.code for d in diagnostics] == ["font-missing"]
    assert "“EB Garamond 12”" in diagnostics[0].message
    assert "“DejaVu Serif”" in diagnostics[0].message
    assert "apt install fonts-ebgaramond" in diagnostics[0].message
    # Another face's name that merely starts the same is not the same design.
    lookalike = 'p { font-family: "EB Garamond Initials", "EB Garamond", serif }'
    assert [d.code for d in check_fonts(lookalike, "x", {"eb garamond"})] == ["font-missing"]


def test_every_declared_face_is_installed_here(built: Built) -> None:
    # The build machine (scripts/setup-system.sh) has EB Garamond: no fallback in the real book.
    assert not [d for d in built.result.diagnostics if d.code == "font-missing"]


@pytest.mark.parametrize("profile", ["screen", "print"])
def test_every_glyph_is_its_fonts_own(built: Built, profile: str) -> None:
    """`glyph-wrong` 0 on the default book (validation/glyphs.py)."""
    from publisher.validation.glyphs import check_glyphs

    result = check_glyphs(getattr(built, profile))
    assert result.ok and result.counts["wrong"] == 0, [d.message for d in result.diagnostics]
    assert result.counts["glyphs"] > 100 and not result.diagnostics

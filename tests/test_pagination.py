"""Print page numbers in the EPUB and the HTML edition, checked against the print PDF itself.

The default anthology is built with every format at both trims (148 × 210 mm and 6 × 9 in),
once per trim. For every page of the print PDF with body text on it, the text after marker N
in the EPUB must be the text that starts PDF page N. The PDF's body text is what pypdf draws
inside the page's content area (the trim minus the margins of paged-profile.css.j2): the
running head and the folio are in the margins, so they are left out by position.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pytest
from lxml import etree
from pypdf import PageObject, PdfReader

from publisher.pipeline import BuildRequest, Format, build
from publisher.validation import run_ace, run_epubcheck

from .conftest import DEFAULT_ANTHOLOGY, REPO
from .test_build_ci import MINI, copy_project

EPOCH = "1795046400"
MM = 72 / 25.4
HEIGHTS_MM = {"148x210mm": 210.0, "6x9in": 9 * 25.4}
NS = {
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
}
MARKER = "//x:span[@epub:type='pagebreak'][@role='doc-pagebreak']"
WINDOW = 24  # letters compared at the start of each page (about five words)
HYPHENS = "\u2010-\u00ad"


@dataclass(frozen=True)
class Built:
    trim: str
    dist: Path
    pdf_pages: tuple[str, ...]  # body text of each print page
    pdf_raw: tuple[str, ...]  # the same, unsquashed

    def path(self, suffix: str) -> Path:
        return self.dist / f"guerra-y-memoria{suffix}"


def _build(anthology: Path, out: Path, formats: frozenset[Format]) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        build(BuildRequest(anthology, formats, out, cache=False))


def _squash(text: str) -> str:
    """Letters and digits only: blind to white space, hyphenation, case and ligature splits."""
    return "".join(char for char in text.casefold() if char.isalnum())


def _body_text(page: PageObject, height_mm: float) -> str:
    """Text drawn inside the content area: no running head (top margin), no folio (bottom)."""
    trim = page.trimbox
    top = float(trim.top) - height_mm * 0.085 * MM
    bottom = float(trim.bottom) + height_mm * 0.11 * MM
    parts: list[str] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if bottom - 1 <= y <= top + 1:
            parts.append(text)

    page.extract_text(visitor_text=visit)
    return "".join(parts)


def _make(trim: str, tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp(f"pages-{trim}")
    anthology = DEFAULT_ANTHOLOGY
    if trim != "148x210mm":
        shutil.copytree(REPO / "manuscripts", root / "manuscripts")
        anthology = root / "manuscripts" / "anthology.toml"
        text = anthology.read_text(encoding="utf-8")
        anthology.write_text(re.sub(r'trim = "[^"]*"', f'trim = "{trim}"', text), "utf-8")
    _build(anthology, root / "dist", frozenset(Format))
    reader = PdfReader(root / "dist" / "guerra-y-memoria-print.pdf")
    raw = tuple(_body_text(page, HEIGHTS_MM[trim]) for page in reader.pages)
    return Built(trim, root / "dist", tuple(_squash(text) for text in raw), raw)


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Built]:
    """Each trim is built once for the whole module, whichever test asks first."""
    made: dict[str, Built] = {}

    def get(trim: str) -> Built:
        if trim not in made:
            made[trim] = _make(trim, tmp_path_factory)
        return made[trim]

    return get


@pytest.fixture(scope="module", params=list(HEIGHTS_MM))
def built(request: pytest.FixtureRequest, builds: Callable[[str], Built]) -> Built:
    return builds(str(request.param))


def _xml(epub: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(epub) as archive:
        return etree.fromstring(archive.read(name))


def _text_after(marker: etree._Element) -> str:
    """What follows a marker in its document, without text that print hides too."""
    nodes = marker.xpath("following::text()[not(ancestor::*[contains(@class, 'visually-hidden')])]")
    return "".join(str(node) for node in nodes[:80])


def _epub_markers(epub: Path) -> dict[str, tuple[str, str]]:
    """Label → (text before, text after) the marker, across the EPUB's documents."""
    found: dict[str, tuple[str, str]] = {}
    with zipfile.ZipFile(epub) as archive:
        names = [n for n in archive.namelist() if n.startswith("EPUB/text/")]
    for name in names:
        for marker in _xml(epub, name).xpath(MARKER, namespaces=NS):
            before = "".join(str(t) for t in marker.xpath("preceding::text()")[-20:])
            found[marker.get("aria-label")] = (before, _text_after(marker))
    return found


def _common(a: str, b: str) -> int:
    return next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )


def _starts_page(pdf: str, epub: str, before: str, previous_raw: str) -> bool:
    """Does the EPUB text after a marker start where the PDF page starts?"""
    want = min(WINDOW, len(pdf))
    # The contents' page numbers are floats, painted before the line's text: generated, not text.
    candidates = [pdf, pdf.lstrip("0123456789")]
    if any(_common(c, epub) >= min(want, len(c)) for c in candidates if c):
        return True
    # A word hyphenated across the page break stays whole in the EPUB, before the marker: the
    # PDF page then opens with the word's end, and the previous page ends with its start.
    word = re.sub(r"\W+$", "", before.split()[-1]) if before.split() else ""
    for cut in range(1, len(word)):
        head, tail = word[:cut], word[cut:]
        rest = pdf[len(_squash(tail)) :]
        if (
            pdf.startswith(_squash(tail))
            and any(f"{head}{h}" in previous_raw for h in HYPHENS)
            and _common(rest, epub) >= min(WINDOW, len(rest))
        ):
            return True
    return False


# ---------------------------------------------------------------------------------- EPUB


def test_every_page_with_text_starts_at_its_marker(built: Built) -> None:
    markers = _epub_markers(built.path(".epub"))
    checked, wrong = 0, []
    for index, pdf in enumerate(built.pdf_pages):
        label = str(index + 1)
        assert label in markers, f"page {label} has no marker"
        if not pdf:
            continue  # a blank page: listed, nothing to compare
        before, after = markers[label]
        previous = built.pdf_raw[index - 1] if index else ""
        if not _starts_page(pdf, _squash(after), before, previous):
            wrong.append(f"page {label}: PDF {pdf[:WINDOW]!r} / EPUB {_squash(after)[:WINDOW]!r}")
        checked += 1
    assert not wrong, "\n".join(wrong)
    # Nearly every page carries text: only blank versos (before rectos) are skipped.
    assert checked >= len(built.pdf_pages) * 2 // 3, (built.trim, checked)


def test_page_list_lists_every_page_in_order_with_the_folio(built: Built) -> None:
    epub = built.path(".epub")
    nav = _xml(epub, "EPUB/nav.xhtml")
    [page_list] = nav.xpath("//x:nav[@epub:type='page-list']", namespaces=NS)
    links = page_list.xpath(".//x:a", namespaces=NS)
    labels = [link.text for link in links]
    reader = PdfReader(built.path("-print.pdf"))
    assert labels == [str(n) for n in range(1, len(reader.pages) + 1)]
    for link in links:  # each entry resolves to its marker
        document, _, anchor = link.get("href").partition("#")
        [target] = _xml(epub, f"EPUB/{document}").xpath(f"//*[@id='{anchor}']", namespaces=NS)
        assert target.get("aria-label") == link.text
    # The labels are the folios: where a page prints one, it is the same number.
    for number, page in enumerate(reader.pages, 1):
        lines = (page.extract_text() or "").split()
        if lines and lines[-1].isdigit():
            assert lines[-1] == str(number)


def test_package_metadata_names_the_print_edition(built: Built) -> None:
    with zipfile.ZipFile(built.path(".epub")) as archive:
        opf = etree.fromstring(archive.read("EPUB/content.opf"))
    features = opf.xpath(
        "//opf:meta[@property='schema:accessibilityFeature']/text()", namespaces=NS
    )
    assert {"printPageNumbers", "pageNavigation"} <= set(features)
    [source] = opf.xpath("//opf:meta[@property='pageBreakSource']/text()", namespaces=NS)
    assert source == "Guerra y memoria (edición impresa)"  # no print ISBN: the title
    assert opf.xpath("//dc:source/text()", namespaces=NS) == [source]
    [summary] = opf.xpath(
        "//opf:meta[@property='schema:accessibilitySummary']/text()", namespaces=NS
    )
    assert "paginación de la edición impresa" in summary


def test_index_shows_the_print_pages(built: Built) -> None:
    index = _xml(built.path(".epub"), "EPUB/text/film-index.xhtml")
    reader = PdfReader(built.path("-print.pdf"))
    printed = _squash("".join(p.extract_text() or "" for p in reader.pages[-12:]))
    entries = index.xpath("//x:li[@class='index-entry']", namespaces=NS)
    assert entries
    for entry in entries:
        film = "".join(entry.xpath("x:span[@class='index-heading']//text()", namespaces=NS))
        [page] = entry.xpath("x:span[@class='locator-page']/text()", namespaces=NS)
        number = page.split()[-1]
        assert f"{_squash(film)}{number}" in printed, (film, number)  # `Film 17` in the PDF


def test_validators_report_nothing_with_the_page_list(
    builds: Callable[[str], Built], tmp_path: Path
) -> None:
    epub = builds("148x210mm").path(".epub")  # one trim is enough for the validators
    with ThreadPoolExecutor(max_workers=2) as pool:
        check = pool.submit(run_epubcheck, epub)
        ace = pool.submit(run_ace, epub, tmp_path)
        epubcheck, ace_result = check.result(), ace.result()
    counts = epubcheck.counts
    assert (counts.get("fatal"), counts.get("error"), counts.get("warning")) == (0, 0, 0), [
        d.message for d in epubcheck.diagnostics
    ]
    assert ace_result.details.get("outcome") == "pass", [d.message for d in ace_result.diagnostics]
    assert ace_result.counts.get("violations") == 0


# ---------------------------------------------------------------------------------- HTML


def test_html_edition_has_the_same_markers_and_a_toggle(built: Built) -> None:
    page = lxml.html.parse(str(built.path(".html"))).getroot()
    markers = page.xpath("//span[@role='doc-pagebreak']")
    assert [m.get("aria-label") for m in markers] == [
        str(n) for n in range(1, len(built.pdf_pages) + 1)
    ]
    assert all(m.get("id") == f"page-{m.get('aria-label')}" for m in markers)
    epub = _epub_markers(built.path(".epub"))
    for marker in markers:
        after = _squash(
            "".join(
                str(t)
                for t in marker.xpath(
                    "following::text()[not(ancestor::*[contains(@class, 'visually-hidden')])]"
                )[:80]
            )
        )
        expected = _squash(epub[marker.get("aria-label")][1])
        assert after[: min(WINDOW, len(expected))] == expected[:WINDOW], marker.get("aria-label")
    [toggle] = page.xpath("//body/input[@type='checkbox']")
    assert toggle.get("id") == "print-pages" and toggle.get("checked") is not None
    assert page.xpath("//label[@for='print-pages']")
    assert not page.xpath("//script")  # CSS only
    css = "".join(page.xpath("//style/text()"))
    assert '.print-pages-toggle:not(:checked) ~ * [role="doc-pagebreak"]' in css


# ---------------------------------------------------------------------------------- no PDF


def test_without_the_print_pdf_nothing_about_print_pages(tmp_path: Path) -> None:
    anthology = copy_project(MINI, tmp_path)
    _build(anthology, tmp_path / "dist", frozenset({Format.EPUB, Format.HTML}))
    epub = next((tmp_path / "dist").glob("*.epub"))
    nav = _xml(epub, "EPUB/nav.xhtml")
    assert not nav.xpath("//x:nav[@epub:type='page-list']", namespaces=NS)
    with zipfile.ZipFile(epub) as archive:
        opf = archive.read("EPUB/content.opf").decode("utf-8")
        texts = [archive.read(n).decode("utf-8") for n in archive.namelist() if "text/" in n]
    assert "printPageNumbers" not in opf and "pageBreakSource" not in opf
    assert "<dc:source" not in opf
    assert not any("doc-pagebreak" in text for text in texts)
    html = next((tmp_path / "dist").glob("*.html")).read_text(encoding="utf-8")
    body = html.partition("</style>")[2]  # the stylesheet always has the rules
    assert "doc-pagebreak" not in body and "print-pages" not in body


def test_cache_keys_follow_whether_print_pages_are_used(tmp_path: Path) -> None:
    """The EPUB of a build without the PDF is not reused for a build with it; back, the
    paginated EPUB is kept while the print PDF is current (issue 14: no silent downgrade)."""
    anthology = copy_project(MINI, tmp_path)

    def run(formats: set[Format]) -> dict[str, bool]:
        """Output file name → reused from the cache."""
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
            result = build(BuildRequest(anthology, frozenset(formats), tmp_path / "dist"))
        return {output.path.name: output.cached for output in result.outputs}

    def page_list() -> bool:
        nav = _xml(tmp_path / "dist" / "mini.epub", "EPUB/nav.xhtml")
        return bool(nav.xpath("//x:nav[@epub:type='page-list']", namespaces=NS))

    assert run({Format.EPUB}) == {"mini.epub": False}
    assert run({Format.EPUB}) == {"mini.epub": True}
    assert run({Format.EPUB, Format.PDF})["mini.epub"] is False and page_list()
    assert all(run({Format.EPUB, Format.PDF}).values())
    assert run({Format.EPUB}) == {"mini.epub": True} and page_list()
    # Without a current print PDF, the EPUB is made without page numbers (and says so).
    (tmp_path / "dist" / "mini-print.pdf").unlink()
    assert run({Format.EPUB}) == {"mini.epub": False} and not page_list()
    # The screen PDF is up to date but the EPUB is not: the print PDF is laid out for its pages.
    assert run({Format.EPUB, Format.PDF}) == {
        "mini.pdf": True,
        "mini-print.pdf": False,
        "mini.epub": False,
    }
    assert page_list()
    # The PDFs are up to date but the EPUB is not: the cache kept the print PDF's pagination,
    # so nothing is laid out again.
    (tmp_path / "dist" / "mini.epub").unlink()
    assert run({Format.EPUB, Format.PDF}) == {
        "mini.pdf": True,
        "mini-print.pdf": True,
        "mini.epub": False,
    }
    assert page_list()

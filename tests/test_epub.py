"""The EPUB edition, end to end with the real validators (EPUBCheck, Ace by DAISY).

Two books: the default anthology (text only) and `tests/fixtures/rich` (an image, notes, a
table, an English review, an ISBN). Each is built and validated once per module.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import pytest
from lxml import etree

from publisher.base.rendered import Kind, PageStart, Pagination, RenderedBook, Target
from publisher.export.cover import cover_png
from publisher.export.epub import build_epub
from publisher.export.epub_package import modified_time
from publisher.pipeline import BuildRequest, Format, build, load, render
from publisher.validation import ValidatorResult, run_ace, run_epubcheck

from .conftest import DEFAULT_ANTHOLOGY, REPO

RICH_ANTHOLOGY = REPO / "tests" / "fixtures" / "rich" / "manuscripts" / "anthology.toml"
EPOCH = 1_800_000_000  # 2027-01-15T08:00:00Z
MODIFIED = "2027-01-15T08:00:00Z"
NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
}


class Built(NamedTuple):
    name: str
    anthology: Path
    epub: Path
    rendered: RenderedBook
    epubcheck: ValidatorResult
    ace: ValidatorResult


def _build(anthology: Path, out: Path) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
        [output] = build(
            BuildRequest(anthology, frozenset({Format.EPUB}), out, cache=False)
        ).outputs
    return output.path


@pytest.fixture(scope="module", params=["default", "rich"])
def book(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    anthology = DEFAULT_ANTHOLOGY if request.param == "default" else RICH_ANTHOLOGY
    path = _build(anthology, tmp_path_factory.mktemp(f"epub-{request.param}"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
        rendered = render(load(anthology)[0], Target.EPUB)
    ace_dir = tmp_path_factory.mktemp(f"ace-{request.param}")
    # The two validators are independent and slow: run them side by side.
    with ThreadPoolExecutor(max_workers=2) as pool:
        epubcheck = pool.submit(run_epubcheck, path)
        ace = pool.submit(run_ace, path, ace_dir)
        return Built(request.param, anthology, path, rendered, epubcheck.result(), ace.result())


# -- reading the package -----------------------------------------------------------------------


def _xml(epub: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(epub) as archive:
        return etree.fromstring(archive.read(name))


def _opf_name(epub: Path) -> str:
    container = _xml(epub, "META-INF/container.xml")
    [path] = container.xpath("//c:rootfile/@full-path", namespaces=NS)
    return str(path)


def _opf(epub: Path) -> etree._Element:
    return _xml(epub, _opf_name(epub))


def _texts(root: etree._Element, path: str) -> list[str]:
    return [str(node.text or "").strip() for node in root.xpath(path, namespaces=NS)]


def _roles(opf: etree._Element, element: str) -> dict[str, list[str]]:
    """Name → MARC roles for each dc:creator or dc:contributor."""
    roles = {}
    for node in opf.xpath(f"//opf:metadata/dc:{element}", namespaces=NS):
        refines = f"//opf:meta[@refines='#{node.get('id')}'][@property='role']"
        for meta in opf.xpath(refines, namespaces=NS):
            assert meta.get("scheme") == "marc:relators"
        roles[node.text] = _texts(opf, refines)
    return roles


def _property(opf: etree._Element, name: str) -> list[str]:
    return _texts(opf, f"//opf:metadata/opf:meta[@property='{name}'][not(@refines)]")


def _diagnostics(result: ValidatorResult) -> str:
    return "\n".join(f"{d.path}:{d.line} {d.code} {d.message}" for d in result.diagnostics)


# -- validators --------------------------------------------------------------------------------


def test_epubcheck_reports_nothing(book: Built) -> None:
    counts = book.epubcheck.counts
    assert "validator-failed" not in _diagnostics(book.epubcheck)
    assert (counts.get("fatal"), counts.get("error"), counts.get("warning")) == (0, 0, 0), (
        _diagnostics(book.epubcheck)
    )


def test_ace_reports_no_violation_of_any_impact(book: Built) -> None:
    assert book.ace.details.get("outcome") == "pass", _diagnostics(book.ace)
    assert book.ace.counts.get("violations") == 0, _diagnostics(book.ace)


# -- container ---------------------------------------------------------------------------------


def test_mimetype_first_stored_and_entries_dated_from_source_date_epoch(book: Built) -> None:
    with zipfile.ZipFile(book.epub) as archive:
        first, *rest = archive.infolist()
        assert (first.filename, first.compress_type, first.extra) == ("mimetype", 0, b"")
        assert archive.read("mimetype") == b"application/epub+zip"
        stamp = dt.datetime.fromtimestamp(EPOCH, dt.UTC).timetuple()[:6]
        assert {info.date_time for info in archive.infolist()} == {stamp}
        names = [info.filename for info in rest]
    assert names[:2] == ["META-INF/container.xml", _opf_name(book.epub)]
    assert "EPUB/css/book.css" in names
    assert all(name.startswith(("META-INF/", "EPUB/")) for name in names)


def test_same_inputs_and_epoch_give_identical_bytes(book: Built, tmp_path: Path) -> None:
    again = _build(book.anthology, tmp_path / "elsewhere")
    assert again.read_bytes() == book.epub.read_bytes()


# -- package metadata --------------------------------------------------------------------------


def test_metadata(book: Built) -> None:
    opf = _opf(book.epub)
    spec = book.rendered.anthology.spec
    assert opf.get("version") == "3.0"
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "es"
    identifier_id = opf.get("unique-identifier")
    [identifier] = _texts(opf, f"//dc:identifier[@id='{identifier_id}']")
    if book.name == "rich":
        assert identifier == "urn:isbn:9788499990026"
    else:
        expected = uuid.uuid5(uuid.NAMESPACE_URL, f"publisher:{spec.slug}:{spec.title}")
        assert identifier == f"urn:uuid:{expected}"
    assert _texts(opf, "//dc:language") == ["es"]
    assert spec.title in _texts(opf, "//dc:title")
    assert _property(opf, "dcterms:modified") == [MODIFIED]
    assert _texts(opf, "//dc:date") == [spec.date.isoformat()]
    assert _texts(opf, "//dc:publisher") == [spec.publisher]
    assert _texts(opf, "//dc:rights") == [spec.rights]
    assert _texts(opf, "//dc:description") == [spec.description]
    assert _texts(opf, "//dc:subject") == list(spec.subjects)

    creators = _roles(opf, "creator")
    assert list(creators) == list(spec.editors)
    assert all("edt" in roles for roles in creators.values())
    critics = {c.name for c in book.rendered.anthology.back.contributors}
    contributors = _roles(opf, "contributor")
    assert set(contributors) == critics - set(spec.editors)
    assert all(roles == ["aut"] for roles in contributors.values())
    # An editor who also wrote reviews is both editor and author.
    for name in critics & set(spec.editors):
        assert sorted(creators[name]) == ["aut", "edt"]


def test_accessibility_metadata_follows_the_content(book: Built) -> None:
    opf = _opf(book.epub)
    has_images = book.name == "rich"
    assert bool(book.rendered.images) is has_images
    assert _property(opf, "schema:accessMode") == ["textual"] + (["visual"] if has_images else [])
    assert _property(opf, "schema:accessModeSufficient") == ["textual"]
    features = _property(opf, "schema:accessibilityFeature")
    assert {"tableOfContents", "readingOrder", "structuralNavigation", "index"} <= set(features)
    assert ("alternativeText" in features) is has_images
    assert "printPageNumbers" not in features  # an EPUB-only build: no print pages
    assert _property(opf, "schema:accessibilityHazard") == ["none"]
    assert _property(opf, "schema:accessibilitySummary")[0]
    # Neither anthology declares who certifies it: no conformance is claimed.
    assert _property(opf, "dcterms:conformsTo") == []
    assert _property(opf, "a11y:certifiedBy") == []
    assert "WCAG" not in _property(opf, "schema:accessibilitySummary")[0]


def test_modified_falls_back_to_the_anthology_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    spec = load(RICH_ANTHOLOGY)[0].spec
    assert modified_time(spec) == dt.datetime(2026, 3, 2)


# -- reading order and documents ---------------------------------------------------------------


def test_spine_is_book_order_with_one_document_per_review(book: Built) -> None:
    opf = _opf(book.epub)
    hrefs = {
        item.get("id"): item.get("href")
        for item in opf.xpath("//opf:manifest/opf:item", namespaces=NS)
    }
    linear = [
        hrefs[ref.get("idref")]
        for ref in opf.xpath("//opf:spine/opf:itemref", namespaces=NS)
        if ref.get("linear", "yes") == "yes"
    ]
    documents = book.rendered.documents
    assert linear == [f"text/{doc.id}.xhtml" for doc in documents]
    anthology = book.rendered.anthology
    expected = [doc.id for doc in documents if doc.kind in (Kind.PART, Kind.REVIEW)]
    assert expected == [
        node
        for part in anthology.parts
        for node in (f"part-{part.id}", *[r.slug for r in part.reviews])
    ]
    with zipfile.ZipFile(book.epub) as archive:
        for review in anthology.reviews:
            page = etree.fromstring(archive.read(f"EPUB/text/{review.slug}.xhtml"))
            chapters = page.xpath("//x:section[@role='doc-chapter']", namespaces=NS)
            assert [c.get("id") for c in chapters] == [review.slug]
            lang = review.manuscript.lang
            assert (page.get("lang"), page.get("{http://www.w3.org/XML/1998/namespace}lang")) == (
                lang,
                lang,
            )
            assert page.xpath("//x:head/x:link[@href='../css/book.css']", namespaces=NS)


def test_navigation_document_and_ncx(book: Built) -> None:
    opf = _opf(book.epub)
    [nav_href] = opf.xpath("//opf:item[@properties='nav']/@href", namespaces=NS)
    nav = _xml(book.epub, f"EPUB/{nav_href}")
    anthology = book.rendered.anthology
    parts = nav.xpath("//x:nav[@epub:type='toc']/x:ol/x:li[x:ol]", namespaces=NS)
    assert len(parts) == len(anthology.parts)
    for li, part in zip(parts, anthology.parts, strict=True):
        links = li.xpath("x:ol/x:li/x:a/@href", namespaces=NS)
        assert links == [f"text/{review.slug}.xhtml" for review in part.reviews]
    landmarks = nav.xpath("//x:nav[@epub:type='landmarks']//x:a/@epub:type", namespaces=NS)
    assert landmarks == ["cover", "toc", "bodymatter", "index"]
    assert not nav.xpath("//x:nav[@epub:type='page-list']", namespaces=NS)

    [ncx_href] = opf.xpath(
        "//opf:item[@media-type='application/x-dtbncx+xml']/@href", namespaces=NS
    )
    ncx = _xml(book.epub, f"EPUB/{ncx_href}")
    assert opf.xpath("//opf:spine/@toc", namespaces=NS) == opf.xpath(
        "//opf:item[@media-type='application/x-dtbncx+xml']/@id", namespaces=NS
    )
    review_points = ncx.xpath("//ncx:navPoint/ncx:navPoint/ncx:content/@src", namespaces=NS)
    assert review_points == [f"text/{review.slug}.xhtml" for review in anthology.reviews]


def test_cover(book: Built) -> None:
    opf = _opf(book.epub)
    [image] = opf.xpath("//opf:item[@properties='cover-image']", namespaces=NS)
    assert image.get("media-type") == "image/png"
    [first] = opf.xpath("//opf:spine/opf:itemref[1]", namespaces=NS)
    assert first.get("linear") == "no"
    [page_href] = opf.xpath(f"//opf:item[@id='{first.get('idref')}']/@href", namespaces=NS)
    page = _xml(book.epub, f"EPUB/{page_href}")
    [img] = page.xpath("//x:img[@role='doc-cover']", namespaces=NS)
    assert img.get("src") == image.get("href")
    assert book.rendered.anthology.spec.title in img.get("alt", "")
    spec = book.rendered.anthology.spec
    with zipfile.ZipFile(book.epub) as archive:
        assert archive.read(f"EPUB/{image.get('href')}") == cover_png(spec)
    assert cover_png(spec) == cover_png(spec)


# -- the rich fixture's content ----------------------------------------------------------------


@pytest.fixture(scope="module")
def rich_epub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(RICH_ANTHOLOGY, tmp_path_factory.mktemp("rich-content"))


def test_figures_notes_tables_and_languages(rich_epub: Path) -> None:
    cartel = _xml(rich_epub, "EPUB/text/el-cartel.xhtml")
    [figure] = cartel.xpath("//x:figure[x:img][x:figcaption]", namespaces=NS)
    img = figure.find("x:img", NS)
    assert img is not None and img.get("alt") and img.get("src", "").startswith("../images/")
    refs = cartel.xpath("//x:a[@epub:type='noteref'][@role='doc-noteref']/@href", namespaces=NS)
    notes = cartel.xpath(
        "//x:aside[@epub:type='footnote'][@role='doc-footnote']/@id", namespaces=NS
    )
    assert [ref[1:] for ref in refs] == notes and len(notes) == 2
    table = _xml(rich_epub, "EPUB/text/dos-versiones.xhtml")
    assert len(table.xpath("//x:table/x:thead//x:th", namespaces=NS)) == 3
    english = _xml(rich_epub, "EPUB/text/the-crossing.xhtml")
    assert english.get("lang") == "en"
    assert english.xpath("//x:section[@role='doc-chapter']/@xml:lang", namespaces=NS) == ["en"]


# -- the page-list hook ------------------------------------------------------------------------


def test_page_list_hook_adds_nav_source_and_print_page_numbers(tmp_path: Path) -> None:
    pagination = Pagination((PageStart("1", "el-cartel", (0,), 0),))
    rendered = render(load(RICH_ANTHOLOGY)[0], Target.EPUB, pagination=pagination)
    epub = tmp_path / "paged.epub"
    epub.write_bytes(build_epub(rendered))
    nav = _xml(epub, "EPUB/nav.xhtml")
    assert nav.xpath("//x:nav[@epub:type='page-list']//x:a/@href", namespaces=NS) == [
        "text/el-cartel.xhtml#page-1"
    ]
    opf = _opf(epub)
    assert "printPageNumbers" in _property(opf, "schema:accessibilityFeature")
    assert _texts(opf, "//dc:source") == ["urn:isbn:9788499990019"]


@pytest.fixture(autouse=True)
def _no_stray_epoch(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test sees SOURCE_DATE_EPOCH only where it sets it."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    yield

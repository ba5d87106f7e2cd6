"""One outline, built once by the renderer, feeds the HTML contents, the EPUB nav and the NCX."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from lxml import etree

from publisher.base.outline import Entry
from publisher.base.rendered import RenderedBook, Target
from publisher.export.epub import build_epub
from publisher.pipeline import load, render
from publisher.render import outline as outline_module

from .conftest import DEFAULT_ANTHOLOGY

Point = tuple[str, str, list[Any]]  # label, href, children
NS = {
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
}


def _tree(node: etree._Element, label: str, href: str, children: str) -> list[Point]:
    """(label, href, children) of each nav `li` or NCX `navPoint` under `node`."""
    return [
        (
            " ".join(str(item.xpath(label, namespaces=NS)).split()),
            str(item.xpath(href, namespaces=NS)[0]),
            _tree(item, label, href, children),
        )
        for item in node.xpath(children, namespaces=NS)
    ]


def _nav_and_ncx(book: RenderedBook) -> tuple[list[Point], list[Point]]:
    with zipfile.ZipFile(io.BytesIO(build_epub(book))) as epub:
        nav = etree.fromstring(epub.read("EPUB/nav.xhtml"))
        ncx = etree.fromstring(epub.read("EPUB/toc.ncx"))
    [toc] = nav.xpath("//x:nav[@epub:type='toc']/x:ol", namespaces=NS)
    nav_tree = _tree(toc, "string(x:a)", "x:a/@href", "x:li | x:ol/x:li")
    [nav_map] = ncx.xpath("//ncx:navMap", namespaces=NS)
    ncx_tree = _tree(nav_map, "string(ncx:navLabel/ncx:text)", "ncx:content/@src", "ncx:navPoint")
    return nav_tree, ncx_tree


def _expected(book: RenderedBook) -> list[Point]:
    def tree(entries: tuple[Entry, ...]) -> list[Point]:
        return [(entry.label, f"text/{entry.id}.xhtml", tree(entry.children)) for entry in entries]

    return tree(book.outline.entries)


def test_documents_nav_and_ncx_follow_the_one_outline() -> None:
    book = render(load(DEFAULT_ANTHOLOGY)[0], Target.EPUB)
    assert [doc.id for doc in book.documents] == [entry.id for entry in book.outline.walk()]
    nav, ncx = _nav_and_ncx(book)
    assert nav == ncx == _expected(book)
    assert next(label for label, _, children in nav if children).startswith("Parte I. ")


def test_html_contents_lists_the_listed_entries() -> None:
    book = render(load(DEFAULT_ANTHOLOGY)[0], Target.WEB)
    [contents] = [doc for doc in book.documents if doc.id == "contents"]
    page = etree.fromstring(contents.body)
    hrefs = page.xpath("//x:a/@href", namespaces=NS) or page.xpath("//a/@href")
    listed = [
        f"#{entry.id}"
        for entry in book.outline.walk()
        if entry.listed or entry.kind.value == "review"
    ]
    assert hrefs == listed
    assert "#colophon" not in hrefs and "#filmography" in hrefs


def test_one_back_matter_table_drives_documents_contents_nav_and_ncx(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Dropping the colophon from `BACK_MATTER` alone removes it everywhere."""
    kept = tuple(row for row in outline_module.BACK_MATTER if row[1] != "colophon")
    monkeypatch.setattr(outline_module, "BACK_MATTER", kept)
    book = render(load(DEFAULT_ANTHOLOGY)[0], Target.EPUB)
    assert "colophon" not in [doc.id for doc in book.documents]
    nav, ncx = _nav_and_ncx(book)
    assert nav == ncx == _expected(book)
    assert all("colophon" not in str(item) for item in nav)

"""Print page markers in the EPUB and HTML editions, placed from the print pagination.

Works on the rendered document bodies as element trees (lxml), never on strings: each page gets
`<span epub:type="pagebreak" role="doc-pagebreak" id="page-N" aria-label="N">` where its first
body text is. A page with no body text (a blank verso), or whose document the edition lacks
(the half-title), gets its marker just before the next page's, so every page is listed in order.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Sequence
from typing import Literal

from lxml import etree

from ..base.rendered import Document, PageMark, PageStart, Pagination
from ..base.xmlnames import EPUB_TYPE, OPS_NS

# Never written as `<x/>`: the HTML edition is parsed as HTML, where only these may self-close.
VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
# Elements whose children may not be a <span>: a marker stops rising at them.
NO_PHRASING = {"dl", "ol", "ul", "menu", "table", "thead", "tbody", "tfoot", "tr", "colgroup"}
OPENING = {"Ps", "Pi", "Pd"}  # ( « “ — : punctuation that belongs to the word after it

Slot = Literal["text", "tail"]
Place = tuple[etree._Element, Slot, int]  # the element holding the text run, which run, where


def mark_pages(
    documents: Sequence[Document], pagination: Pagination, textless_class: str | None = None
) -> tuple[tuple[Document, ...], tuple[PageMark, ...]]:
    """The documents with markers in them, and where each page's marker went (page order).

    `textless_class` goes on the markers of pages with no text of their own in this edition
    (they share their place with the next page's): the web edition shows no number for them.
    """
    trees = {doc.id: _parse(doc.body) for doc in documents}
    marks: list[PageMark] = []
    pending: list[str] = []  # labels of pages still waiting for a place
    for page in pagination.pages:
        pending.append(page.label)
        place = _locate(trees, page)
        if place is None or page.document_id is None:
            continue
        _insert(place, pending, trees[page.document_id][1], textless_class)
        marks += [PageMark(label, page.document_id) for label in pending]
        pending = []
    if pending and documents:  # trailing blank pages: at the end of the book
        last = documents[-1].id
        root = trees[last][1]
        end: Place = (
            (root[-1], "tail", len(root[-1].tail or ""))
            if len(root)
            else (root, "text", len(root.text or ""))
        )
        _insert(end, pending, root, textless_class)
        marks += [PageMark(label, last) for label in pending]
    marked = {mark.document_id for mark in marks}
    return (
        tuple(
            dataclasses.replace(doc, body=_serialize(trees[doc.id][0])) if doc.id in marked else doc
            for doc in documents
        ),
        tuple(marks),
    )


def _parse(body: str) -> tuple[etree._Element, etree._Element]:
    """(wrapper, the document's outer element). The wrapper declares the `epub:` prefix."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=False)
    parser.feed(f'<wrapper xmlns:epub="{OPS_NS}">')
    parser.feed(body)
    parser.feed("</wrapper>")
    wrapper = parser.close()
    return wrapper, wrapper[0]


def _serialize(wrapper: etree._Element) -> str:
    for element in wrapper.iter():
        empty = element.text is None and not len(element)
        if empty and isinstance(element.tag, str) and element.tag not in VOID:
            element.text = ""  # `<span></span>`, not `<span/>`
    text = etree.tostring(wrapper, encoding="unicode")
    return text[text.index(">") + 1 : text.rindex("</wrapper>")]


def _locate(
    trees: dict[str, tuple[etree._Element, etree._Element]], page: PageStart
) -> Place | None:
    if page.document_id is None or page.document_id not in trees:
        return None
    element = trees[page.document_id][1]
    for index in page.element_path:
        # Markers already placed are not in the print edition's tree: they do not count.
        children = [c for c in element if isinstance(c.tag, str) and not _is_marker(c)]
        if index >= len(children):
            return None
        element = children[index]
    runs: list[tuple[etree._Element, Slot]] = [(element, "text")]
    runs += [(child, "tail") for child in element]
    seen = 0
    for holder, slot in runs:
        text = _run(holder, slot)
        for index, char in enumerate(text):
            if not char.isalnum():
                continue
            if seen == page.offset:
                return holder, slot, _word_start(text, index)
            seen += 1
    holder, slot = runs[-1]
    return holder, slot, len(_run(holder, slot))


def _word_start(text: str, index: int) -> int:
    """Between two words: with the opening punctuation before the page's first letter; a word
    that a hyphen splits across the pages stays whole on the page where it starts."""
    if index > 0 and text[index - 1].isalnum():
        while index < len(text) and not text[index].isspace():
            index += 1
        while index < len(text) and text[index].isspace():
            index += 1
        return index
    while index > 0 and (
        unicodedata.category(text[index - 1]) in OPENING or text[index - 1] in "¿¡\"'"
    ):
        index -= 1
    return index


def _run(holder: etree._Element, slot: Slot) -> str:
    return (holder.text if slot == "text" else holder.tail) or ""


def _marker(label: str) -> etree._Element:
    span = etree.Element("span")
    span.set(EPUB_TYPE, "pagebreak")
    span.set("role", "doc-pagebreak")
    span.set("id", f"page-{label}")
    span.set("aria-label", label)
    return span


def _insert(
    place: Place, labels: Sequence[str], root: etree._Element, textless_class: str | None
) -> None:
    holder, slot, index = place
    text = _run(holder, slot)
    markers = [_marker(label) for label in labels]
    for marker in markers[:-1]:
        if textless_class:
            marker.set("class", textless_class)
    if slot == "text":
        parent, position = holder, 0
        holder.text = text[:index]
    else:
        parent = _parent(holder)
        position = parent.index(holder) + 1
        holder.tail = text[:index]
    for offset, marker in enumerate(markers):
        parent.insert(position + offset, marker)
    markers[-1].tail = text[index:]
    _rise(markers, root)


def _rise(markers: list[etree._Element], root: etree._Element) -> None:
    """A marker that opens an element goes before it: not inside a heading's or a link's
    accessible name. It stops at the document's outer element and where a span may not go."""
    while True:
        element = _parent(markers[0])
        parent = element.getparent()
        opens = element.index(markers[0]) == 0 and not (element.text or "").strip()
        if element is root or not opens or parent is None or parent.tag in NO_PHRASING:
            return
        element.text = (element.text or "") + (markers[-1].tail or "")
        markers[-1].tail = None
        position = parent.index(element)
        for offset, marker in enumerate(markers):
            parent.insert(position + offset, marker)


def _parent(element: etree._Element) -> etree._Element:
    parent = element.getparent()
    assert parent is not None  # everything here is inside the wrapper
    return parent


def _is_marker(element: etree._Element) -> bool:
    return element.get("role") == "doc-pagebreak"

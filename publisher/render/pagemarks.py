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
    documents: list[Document], pagination: Pagination, textless_class: str | None = None
) -> tuple[PageMark, ...]:
    """Where each page's marker went (page order); each document given a marker is replaced
    in `documents` by its marked copy.

    One document's tree at a time (issue 17: the build process's peak RSS grew with the book
    while every document was parsed at once): a document is parsed when a page first needs
    it, and serialized into `documents` (its unmarked body let go of) when a page needs
    another one. The print pagination's pages come in document order, so each document is
    parsed once; one that comes back is parsed again from its marked body, where the markers
    already placed do not count (`_locate`).

    `textless_class` goes on the markers of pages with no text of their own in this edition
    (they share their place with the next page's): the web edition shows no number for them.
    """
    positions = {doc.id: index for index, doc in enumerate(documents)}
    marks: list[PageMark] = []
    pending: list[str] = []  # labels of pages still waiting for a place
    opened = _Opened(documents, textless_class)
    for page in pagination.pages:
        pending.append(page.label)
        if page.document_id is None or page.document_id not in positions:
            continue
        if opened.placed(positions[page.document_id], page, pending):
            marks += [PageMark(label, page.document_id) for label in pending]
            pending = []
    if pending and documents:  # trailing blank pages: at the end of the book
        opened.placed(len(documents) - 1, None, pending)
        marks += [PageMark(label, documents[-1].id) for label in pending]
    opened.close()
    return tuple(marks)


class _Opened:
    """The one document of `documents` parsed at a time (`placed`); it is serialized into
    `documents`, when a marker went into it, as soon as another one is parsed (`close`).
    No element of a document is held outside it, so closing lets go of its tree."""

    def __init__(self, documents: list[Document], textless_class: str | None) -> None:
        self.documents = documents
        self.textless_class = textless_class
        self.position = -1
        self.wrapper: etree._Element | None = None
        self.marked = False

    def placed(self, position: int, page: PageStart | None, labels: Sequence[str]) -> bool:
        """Whether the markers of `labels` went into the document at `position`: where `page`
        starts (not when its element path is not there), or at its end (`page` None)."""
        if self.wrapper is None or position != self.position:
            self.close()
            self.position, self.wrapper = position, _parse(self.documents[position].body)
        root = self.wrapper[0]
        place = _locate(root, page) if page is not None else _end(root)
        if place is None:
            return False
        _insert(place, labels, root, self.textless_class)
        self.marked = True
        return True

    def close(self) -> None:
        """The open document, serialized into `documents` if it was marked, and let go of."""
        if self.wrapper is not None and self.marked:
            document = self.documents[self.position]
            self.documents[self.position] = dataclasses.replace(
                document, body=_serialize(self.wrapper)
            )
        self.wrapper, self.marked = None, False


def _end(root: etree._Element) -> Place:
    """The end of the document whose outer element is `root`."""
    if len(root):
        return root[-1], "tail", len(root[-1].tail or "")
    return root, "text", len(root.text or "")


def _parse(body: str) -> etree._Element:
    """The wrapper around the document's outer element: it declares the `epub:` prefix."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=False)
    parser.feed(f'<wrapper xmlns:epub="{OPS_NS}">')
    parser.feed(body)
    parser.feed("</wrapper>")
    wrapper: etree._Element = parser.close()
    return wrapper


def _serialize(wrapper: etree._Element) -> str:
    for element in wrapper.iter():
        empty = element.text is None and not len(element)
        if empty and isinstance(element.tag, str) and element.tag not in VOID:
            element.text = ""  # `<span></span>`, not `<span/>`
    text = etree.tostring(wrapper, encoding="unicode")
    return text[text.index(">") + 1 : text.rindex("</wrapper>")]


def _locate(root: etree._Element, page: PageStart) -> Place | None:
    """Where `page` starts in its document (whose outer element is `root`); None when the
    element path is not there."""
    element = root
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

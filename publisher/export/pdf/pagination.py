"""Pagination: where each printed page begins in the text (for the other editions' page
numbers), read from a laid-out document."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import weasyprint
import weasyprint.formatting_structure.boxes

from ...base.rendered import PageStart, Pagination, letters

# Generated content: not in the source, so not in the other editions either.
GENERATED = ("::before", "::after", "::marker", "::footnote-call", "::footnote-marker")


def paginate(
    document: weasyprint.Document, number_from: int = 1, headers_shown: bool = False
) -> Pagination:
    """The first body text on each page (margin boxes and the footnote area are not the flow),
    located by its element and the letters of that element's own text on earlier pages.
    `number_from`: the first page's number (a page without a folio is labelled by its own);
    `headers_shown`: the tables' headers were laid out on an earlier page (a continuation part
    of a table, export/parts.py), so their text is never the first on a page."""
    pages: list[PageStart] = []
    openings: dict[str, str] = {}
    counted: dict[Any, int] = {}  # element → letters of its own text laid out so far
    headers: set[int] = set()
    root = document.pages[0]._page_box.children[0].element if document.pages else None
    parents = {child: parent for parent in root.iter() for child in parent} if root else {}
    for number, page in enumerate(document.pages, number_from):
        page_box = page._page_box
        flow = page_box.children[0]
        label = folio(page_box) or str(number)
        first: tuple[Any, int] | None = None
        for box in _flow_text(flow, headers, headers_shown):
            if first is None:
                first = (box.element, counted.get(box.element, 0))
            counted[box.element] = counted.get(box.element, 0) + letters(box.text)
        for document_id in documents(flow):
            openings.setdefault(document_id, label)
        pages.append(_page_start(label, first, parents))
    return Pagination(tuple(pages), tuple(openings.items()))


def _flow_text(box: Any, headers: set[int], headers_shown: bool = False) -> Iterator[Any]:
    """Text boxes of source text, in document order; `headers_shown`: no table header's or
    footer's (see `paginate`)."""
    if (box.element_tag or "").endswith(GENERATED):
        return
    if getattr(box, "is_header", False) or getattr(box, "is_footer", False):
        # A table header or footer repeats on every page the table spans: text only once.
        if headers_shown or id(box.element) in headers:
            return
        headers.add(id(box.element))
    if isinstance(box, weasyprint.formatting_structure.boxes.TextBox):
        if box.text.strip():
            yield box
        return
    for child in getattr(box, "children", ()):
        yield from _flow_text(child, headers, headers_shown)


def documents(flow: Any) -> Iterator[str]:
    """Ids of the book's documents (the children of <body>) with a box on this page."""
    for body in flow.children:
        for child in getattr(body, "children", ()):
            if child.element is not None and child.element.get("id"):
                yield str(child.element.get("id"))


def folio(page_box: Any) -> str | None:
    for margin in page_box.children[1:]:
        if str(getattr(margin, "at_keyword", "")).startswith("@bottom"):
            text = "".join(box.text for box in _flow_text(margin, set())).strip()
            if text:
                return text
    return None


def _page_start(label: str, first: tuple[Any, int] | None, parents: dict[Any, Any]) -> PageStart:
    if first is None:
        return PageStart(label)
    element, offset = first
    path: list[int] = []
    while element in parents and parents[element].tag != "body":
        parent = parents[element]
        path.append([c for c in parent if isinstance(c.tag, str)].index(element))
        element = parent
    if element not in parents:  # not inside a document (cannot happen with our templates)
        return PageStart(label)
    return PageStart(label, element.get("id"), tuple(reversed(path)), offset)

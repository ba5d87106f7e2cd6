"""Where a part of nested lists (the contents: export/nested_parts.py) is cut: at the
last page of its layout that opens at the start of an entry, a leaf item of the lists."""

from __future__ import annotations

from typing import Any

from ..nested_parts import leaves_of
from .laid import LaidChunk


def nested_cut(laid: LaidChunk) -> int:
    """For a part of nested lists that is not its last (ChunkJob.part, `nested`): keep its pages
    before the last page j (0 < j < its last page) that opens at the start of an entry, and
    give that entry's number among the document's entries (`Shape.cut`); 0 when no page does.
    A page opens at an entry when WeasyPrint's page maker resumes there at the start of an
    item (its skip stack: one child at each level, down to {item: None}) that holds no item:
    the page's boxes, first child after first child, follow the skip stack to that item's box
    (the box indices of the skip stack count boxes, not elements: hidden elements have none)."""
    part = laid.job.part
    assert part is not None
    pages = laid.document.pages
    numbers: dict[Any, int] | None = None
    for index in range(len(pages) - 2, 0, -1):
        item = _opening(pages[index]._page_box, laid.context.page_maker[index][0])
        if item is None:
            continue
        if numbers is None:
            root = pages[0]._page_box.children[0].element
            numbers = _entries(root, part.document, part.container)
        number = numbers.get(item, 0)
        if number > 0:
            laid.kept = index
            return part.first + number
    return 0


def _opening(page_box: Any, skip: Any) -> Any:
    """The `<li>` element whose start the page opens at, or None."""
    box = page_box.children[0]  # the root element's box
    while isinstance(skip, dict) and len(skip) == 1:
        ((_, skip),) = skip.items()
        children = getattr(box, "children", ())
        if not children:
            return None
        box = children[0]
        if skip is None:
            return box.element if box.element_tag == "li" else None
    return None


def _entries(root: Any, document: str, container: int) -> dict[Any, int]:
    """The part's entries, each with its number in the part (0 for its first)."""
    element = next(item for item in root.iter() if item.get("id") == document)
    lists = [child for child in element if isinstance(child.tag, str)]
    return {item: number for number, item in enumerate(leaves_of(lists[container]))}

"""The outline of a merged PDF (export/merge.py): WeasyPrint's nesting of the chunks' bookmarks
(export/pdf.py `bookmark_tree`), written as outline items (ISO 32000-1 §12.3.3) naming the
merged file's pages."""

from __future__ import annotations

from typing import Any

from pikepdf import Name, String

from .chunkdata import Bookmark
from .pdf_writer import Ref, Writer, encode


def write_outline(
    writer: Writer, marks: list[tuple[int, Bookmark]], page_numbers: list[int]
) -> int | None:
    """The outline root's number (None without bookmarks); `marks`: (page index in the book,
    bookmark); `page_numbers`: each page's object number."""
    tree = nested(marks)
    if not tree:
        return None
    root = writer.allocate()
    items, count = _items(writer, tree, root, page_numbers)
    entries = {"/Count": count, "/First": Ref(items[0]), "/Last": Ref(items[-1])}
    writer.put(root, encode(entries, _none))
    return root


def nested(marks: list[tuple[int, Bookmark]]) -> list[Any]:
    """The outline of bookmarks from several chunks (page index in the merged book, entry): a
    list of subtrees `(label, (page, x, y), children, "open" | "closed")`, each bookmark under
    the nearest one before it of a lower `bookmark-level` (a skipped level nests one deeper,
    not more). WeasyPrint's nesting (`make_page_bookmark_tree`, pdf/bookmarks.py
    `bookmark_tree` calls it; tests/test_outline_nesting.py compares the two), written here so
    that the build process, which merges, does not import WeasyPrint (issue 17)."""
    root: list[Any] = []
    opened: list[tuple[int, list[Any]]] = []  # (level, children) of the entries still open
    for page, mark in marks:
        while opened and opened[-1][0] >= mark.level:
            opened.pop()
        children: list[Any] = []
        state = "closed" if mark.closed else "open"
        entry = (mark.label, (page, *_placed(mark.x, mark.y)), children, state)
        (opened[-1][1] if opened else root).append(entry)
        opened.append((mark.level, children))
    return root


def _placed(x: float, y: float) -> tuple[float, float]:
    """The point as WeasyPrint's identity transform gives it (`Matrix().transform_point`: the
    same sums, so the same numbers and types, -0.0 as 0.0, written alike)."""
    return 0 + x * 1 + y * 0 + 1 * 0, 0 + x * 0 + y * 1 + 1 * 0


def _items(
    writer: Writer, tree: list[Any], parent: int, page_numbers: list[int]
) -> tuple[list[int], int]:
    """Outline items of `tree` under `parent`, linked; and how many are visible (open)."""
    items = [writer.allocate() for _ in tree]
    count = len(tree)
    for position, (label, (page, x, y), children, state) in enumerate(tree):
        kids, kids_count = _items(writer, children, items[position], page_numbers)
        destination = [Ref(page_numbers[page]), Name.XYZ, x, y, 0]
        item: dict[str, Any] = {"/Title": String(label), "/Dest": destination}
        item["/Parent"] = Ref(parent)
        item["/Count"] = -kids_count if state == "closed" else kids_count
        if state != "closed":
            count += kids_count
        if kids:
            item["/First"], item["/Last"] = Ref(kids[0]), Ref(kids[-1])
        if position > 0:
            item["/Prev"] = Ref(items[position - 1])
        if position < len(items) - 1:
            item["/Next"] = Ref(items[position + 1])
        writer.put(items[position], encode(item, _none))
    return items, count


def _none(value: Any) -> bytes:
    raise TypeError("no chunk object expected here")

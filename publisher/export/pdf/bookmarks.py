"""The merged book's outline, nested by WeasyPrint's own rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import weasyprint.anchors
import weasyprint.matrix

from ..chunkdata import Bookmark


def bookmark_tree(bookmarks: list[tuple[int, Bookmark]]) -> list[Any]:
    """The outline of bookmarks from several chunks (page index in the merged book, entry),
    nested by WeasyPrint's own rule (`make_page_bookmark_tree`): a list of subtrees
    `(label, (page, x, y), children, state)` as `Document.make_bookmark_tree` gives."""
    root: list[Any] = []
    skipped: list[int] = []
    last_by_depth: list[Any] = [root]
    previous = 0
    for page, mark in bookmarks:
        entry = (mark.level, mark.label, (mark.x, mark.y), "closed" if mark.closed else "open")
        holder = _BookmarkPage([entry])
        previous = weasyprint.anchors.make_page_bookmark_tree(
            holder, skipped, last_by_depth, previous, page, weasyprint.matrix.Matrix()
        )
    return root


@dataclass(frozen=True)
class _BookmarkPage:
    bookmarks: list[tuple[int, str, tuple[float, float], str]]

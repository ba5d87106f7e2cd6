"""The print and the screen book handed over to export/editions.py (issue 17: peak RSS)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..base.rendered import RenderedBook


@dataclass
class Handed:
    """The print and the screen book handed over to `export_editions` (the caller keeps no
    other reference to them): it takes them out of `books` and lets go of their pages and
    documents once the chunk jobs are made (issue 17: peak RSS: the jobs hold the book's text
    once). `again()` renders both anew, for the rare book whose chunks cannot serve both PDFs
    or any (LayoutsDiffer, ChunkUnsafe raised while laying out): each is then laid out apart."""

    books: list[RenderedBook]
    again: Callable[[], tuple[RenderedBook, RenderedBook]]

    def take(self) -> tuple[RenderedBook, RenderedBook]:
        """The print and the screen book, taken out (a second take renders them anew)."""
        if not self.books:
            return self.again()
        printed, screen = self.books
        self.books.clear()
        return printed, screen

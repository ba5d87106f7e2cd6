"""The print and the screen book handed over to export/editions.py (issue 17: peak RSS)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from ..base.rendered import RenderedBook
from .chunkdata import ScreenJob
from .screen import Kept, keep


@dataclass(frozen=True)
class ScreenPart:
    """What the chunked export needs of the screen book's page (export/editions.py), taken as
    soon as the screen book is rendered, so that its page and documents are let go of before
    the print book is rendered (issue 17: both books' pages were the build's peak while the
    print book was cut in chunks): its `head` (up to and including `<body>`), its `tail`
    (from its last `</body>`), what its merge needs (`kept`) and the chunks' screen write."""

    head: str
    tail: str
    kept: Kept
    job: ScreenJob


def screen_part(book: RenderedBook) -> tuple[RenderedBook, ScreenPart]:
    """The screen book without its page and documents, and what the chunked export needs of
    them. Raises ValueError when the page has no `<head>` and `<body>` to cut at."""
    from . import pdf

    page = book.page
    head = page_head(page)
    part = ScreenPart(head, page_tail(page), keep(book), ScreenJob(head, pdf.book_id(book)))
    return slim(book), part


def page_head(page: str) -> str:
    """`page` up to and including its `<body>` tag. Raises ValueError when it has none."""
    return page[: page.index(">", page.index("<body", page.rindex("</head>"))) + 1]


def page_tail(page: str) -> str:
    """`page` from its last `</body>`. Raises ValueError when it has none."""
    return page[page.rindex("</body>") :]


def slim(book: RenderedBook) -> RenderedBook:
    """The book without its page and documents (what the merges still read of it)."""
    return replace(book, page="", documents=(), printed=None)


@dataclass
class Handed:
    """The print and the screen book handed over to `export_editions` (the caller keeps no
    other reference to them): it takes them out of `books` and lets go of their pages and
    documents once the chunk jobs are made (issue 17: peak RSS: the jobs hold the book's text
    once). `again()` renders both anew, for the rare book whose chunks cannot serve both PDFs
    or any (LayoutsDiffer, ChunkUnsafe raised while laying out): each is then laid out apart.
    With `screen`, the screen book came without its page (`screen_part`)."""

    books: list[RenderedBook]
    again: Callable[[], tuple[RenderedBook, RenderedBook]]
    screen: ScreenPart | None = None  # taken from the screen book, then let go of its page

    def take(self) -> tuple[RenderedBook, RenderedBook]:
        """The print and the screen book, taken out (a second take renders them anew)."""
        if not self.books:
            return self.again()
        printed, screen = self.books
        self.books.clear()
        return printed, screen

"""What a book's PDF needs said about its fonts and text, without WeasyPrint (the build process
of a chunked build says it; the layouts run in the workers: export/pool.py)."""

from __future__ import annotations

from ...base.diagnostics import Diagnostic
from ...base.fonts import check_book, check_fonts
from ...base.rendered import RenderedBook


def book_diagnostics(book: RenderedBook) -> tuple[Diagnostic, ...]:
    """What the fonts the book's stylesheet names, and its text, need said (base/fonts.py)."""
    where = book.anthology.spec.path  # already the shown path (relative to the project)
    return tuple(check_fonts(book.stylesheet, where) + check_book(book))

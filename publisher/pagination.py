"""Where the print edition's pages begin, in terms every edition shares. No WeasyPrint here.

The print PDF is laid out first; `exporters/pdf.py` reads back, for each page, the first body
text on it as (document id, element path, offset). The other editions are rendered from the same
templates and Markdown, so the same position can be found in their documents (`pagemarks.py`).

* element path: child indices (elements only) from the document's outer element down to the
  element whose own text (its text and its children's tails) holds the page start. Print and the
  other targets differ only in what does not shift these indices: a print footnote
  (`span.footnote`) takes the place of the note call (`sup.noteref`) elsewhere, and the endnotes
  come after all the text.
* offset: letters and digits of that own text before the page start. Counting only those makes
  the offset blind to what layout changes: collapsed white space, inserted hyphens, case.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageStart:
    label: str  # what the folio prints (or would print: blank pages carry none)
    document_id: str | None = None  # None: no body text on the page
    element_path: tuple[int, ...] = ()
    offset: int = 0


@dataclass(frozen=True)
class Pagination:
    pages: tuple[PageStart, ...]
    openings: tuple[tuple[str, str], ...] = ()  # (document id, label of the page it opens on)

    def opening(self, document_id: str) -> str | None:
        return dict(self.openings).get(document_id)


@dataclass(frozen=True)
class PageMark:
    """Where a page's marker landed in a rendered edition: the page-list's entries."""

    label: str
    document_id: str


def letters(text: str) -> int:
    """What offsets count: letters and digits only."""
    return sum(1 for char in text if char.isalnum())

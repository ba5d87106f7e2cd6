"""The render → export contract: documents in reading order plus what the exporters need, the
print edition's page starts that the other editions mark, and what an exporter hands back.

Pages: where the print edition's pages begin, in terms every edition shares. No WeasyPrint here.

The print PDF is laid out first; `export/pdf/` reads back, for each page, the first body
text on it as (document id, element path, offset). The other editions are rendered from the
same templates and Markdown, so the same position can be found in their documents
(`render/pagemarks.py`).

* element path: child indices (elements only) from the document's outer element down to the
  element whose own text (its text and its children's tails) holds the page start. Print and the
  other targets differ only in what does not shift these indices: a print footnote
  (`span.footnote`) takes the place of the note call (`sup.noteref`) elsewhere, and the endnotes
  come after all the text.
* offset: letters and digits of that own text before the page start. Counting only those makes
  the offset blind to what layout changes: collapsed white space, inserted hyphens, case.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from .access import Access
from .cover import CoverArt
from .diagnostics import Diagnostic
from .model import Anthology
from .outline import NO_OUTLINE, Outline
from .outline import Kind as Kind  # defined with the outline, still imported from here


class Target(enum.Enum):
    WEB = "web"  # single-file HTML edition
    SCREEN_PDF = "screen"  # hyperlinked PDF
    PRINT_PDF = "print"  # trim, bleed, crop marks
    EPUB = "epub"
    COVER = "cover"  # print-on-demand cover wrap: laid out from the print PDF's page count

    @property
    def paged(self) -> bool:
        return self in (Target.SCREEN_PDF, Target.PRINT_PDF)


# The targets the renderer makes a book for (the cover wrap is laid out from the spec and the
# print PDF's page count, not rendered from the book).
RENDERED: tuple[Target, ...] = (Target.WEB, Target.SCREEN_PDF, Target.PRINT_PDF, Target.EPUB)


@dataclass(frozen=True)
class Document:
    """One unit of the book: an XHTML file in the EPUB, a section of the one-file editions."""

    id: str
    kind: Kind
    title: str
    lang: str
    body: str  # the unit's outer element (<section>, <article>…) as XHTML
    part_id: str | None = None


@dataclass(frozen=True)
class ImageAsset:
    source: Path  # absolute path inside the project
    href: str  # path inside the book, e.g. `images/la-tregua-cartel.jpg`
    media_type: str
    data: bytes = b""  # the file's bytes, read once through the gate by the renderer


@dataclass(frozen=True)
class Printed:
    """What a page or document prints, as the glyph checks need it: each character of its
    text (outside `<head>`, `<style>`, `<script>`, `<template>`; entities decoded) once, in
    order of first use, and whether it has a bulleted list (`<ul>`: the markers print too)."""

    characters: str
    bulleted: bool = False


@dataclass(frozen=True)
class RenderedBook:
    anthology: Anthology
    target: Target
    documents: tuple[Document, ...]
    stylesheet: str
    page: str  # the one-file HTML (web and PDF targets); empty for EPUB
    images: tuple[ImageAsset, ...]
    xhtml: tuple[tuple[str, str], ...] = ()  # EPUB: (document id, full XHTML file)
    nav: str = ""  # EPUB navigation document
    pages: tuple[PageMark, ...] = ()  # print page markers in `documents` (needs the print PDF)
    outline: Outline = NO_OUTLINE  # contents, nav and NCX (base/outline.py), by the renderer
    access: Access | None = None  # the gate the renderer read through (None: no network)
    cover: CoverArt | None = None  # the book's cover (base/cover.py); None: no cover
    printed: Printed | None = None  # what `page` prints (render/printed.py); None: not read
    # The web edition's page as UTF-8, made instead of `page` (then "") when the build only
    # writes it (issue 17: as a string its stylesheet's emoji made it 4 bytes a character).
    encoded: bytes = b""


@dataclass(frozen=True)
class EpubPaths:
    """Where each file sits inside the EPUB container, written once: documents in `text/`, the
    stylesheet in `css/`, images in `images/`, the navigation and cover pages at the top."""

    stylesheet: str = "css/book.css"
    cover_image: str = "images/cover.png"
    cover_page: str = "cover.xhtml"  # beside nav.xhtml: no review slug can take its name
    nav: str = "nav.xhtml"

    def document(self, doc_id: str) -> str:
        return f"text/{doc_id}.xhtml"

    def image(self, name: str) -> str:
        return f"images/{name}"

    def sibling(self, doc_id: str) -> str:
        """A document as another document (in `text/`) links to it."""
        return f"{doc_id}.xhtml"

    def from_text(self, path: str) -> str:
        """A top-level path (`css/…`, `images/…`) as a document in `text/` reaches it."""
        return f"../{path}"


EPUB_PATHS = EpubPaths()


# Pages: where the print edition's pages begin, in terms every edition shares.


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


# What exporting hands back.


@dataclass(frozen=True)
class Exported:
    """One edition's file, made but not yet written."""

    data: bytes
    pages: int | None = None  # PDFs: how many
    diagnostics: tuple[Diagnostic, ...] = ()
    pagination: Pagination | None = None  # the print PDF's: where each page begins

"""What rendering hands to the exporters: documents in reading order plus what they need."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from .model import Anthology
from .pagination import PageMark


class Target(enum.Enum):
    WEB = "web"  # single-file HTML edition
    SCREEN_PDF = "screen"  # hyperlinked PDF
    PRINT_PDF = "print"  # trim, bleed, crop marks
    EPUB = "epub"

    @property
    def paged(self) -> bool:
        return self in (Target.SCREEN_PDF, Target.PRINT_PDF)


class Kind(enum.Enum):
    HALF_TITLE = "halftitle"
    TITLE_PAGE = "titlepage"
    COPYRIGHT = "copyright"
    CONTENTS = "toc"
    FRONT = "front"
    PART = "part"
    REVIEW = "review"
    FILMOGRAPHY = "filmography"
    FILM_INDEX = "film-index"
    DIRECTOR_INDEX = "director-index"
    CONTRIBUTORS = "contributors"
    COLOPHON = "colophon"


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

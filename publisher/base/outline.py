"""The book's outline, built once by the renderer: what the HTML contents page, the EPUB
navigation document (toc, landmarks, page-list) and the EPUB 2 NCX all show.

Entries follow reading order, one per document; a part holds its reviews as children. Titles are
kept twice: `title` as written (the document's title), `shown` as the contents print it
(typographic quotes and dashes). Nothing here is markup: the templates and EbookLib write it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass


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
class Entry:
    """One document of the book in the outline.

    `number` is a part's numbering as printed (`Parte II.`), empty otherwise; `film` is a
    review's film as the contents show it (title, year); `listed` says whether the printed
    contents list the entry (the nav lists every document, from the title page to the colophon).
    """

    id: str  # the document id (`la-vaquilla`, `part-frente`, `film-index`)
    kind: Kind
    title: str
    shown: str
    lang: str
    listed: bool = True
    number: str = ""
    film: tuple[str, int] | None = None
    children: tuple[Entry, ...] = ()

    @property
    def label(self) -> str:
        """The one-line label of the nav and the NCX: number and title."""
        return f"{self.number} {self.shown}" if self.number else self.shown


@dataclass(frozen=True)
class Landmark:
    """An EPUB landmark (EPUB 3.3 §5.4.2.3): `epub:type`, its path in the container, its name."""

    type: str
    href: str
    title: str


@dataclass(frozen=True)
class PageLink:
    """A print page in the EPUB's page-list: label `12`, href `text/x.xhtml#page-12`."""

    label: str
    href: str


@dataclass(frozen=True)
class Outline:
    entries: tuple[Entry, ...]
    landmarks: tuple[Landmark, ...] = ()
    pages: tuple[PageLink, ...] = ()  # empty without the print edition's pagination

    def walk(self) -> Iterator[Entry]:
        """Every entry in reading order, parents before their children."""

        def visit(entries: tuple[Entry, ...]) -> Iterator[Entry]:
            for entry in entries:
                yield entry
                yield from visit(entry.children)

        return visit(self.entries)


NO_OUTLINE = Outline(())  # before rendering: no documents yet

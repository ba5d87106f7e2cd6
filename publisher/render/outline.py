"""Build the book's outline (`base/outline.Outline`) from the assembled anthology: the one list
of documents in reading order that the renderer renders and the contents, nav and NCX show.

A back-matter document is added in `BACK_MATTER` (and its template `<kind>.html.j2`).
"""

from __future__ import annotations

from dataclasses import replace

from ..base.locale import Locale
from ..base.model import Anthology
from ..base.outline import Entry, Landmark, Outline, PageLink
from ..base.rendered import EPUB_PATHS, Kind, PageMark, Target
from .typography import smarten

# (kind, document id, listed in the printed contents); the title is the label named like the id.
FRONT_MATTER = (
    (Kind.TITLE_PAGE, "title-page", False),
    (Kind.COPYRIGHT, "copyright", False),
    (Kind.CONTENTS, "contents", False),
)
BACK_MATTER = (
    (Kind.FILMOGRAPHY, "filmography", True),
    (Kind.FILM_INDEX, "film-index", True),
    (Kind.DIRECTOR_INDEX, "director-index", True),
    (Kind.CONTRIBUTORS, "contributors", True),
    (Kind.COLOPHON, "colophon", False),
)


def build_outline(anthology: Anthology, target: Target, locale: Locale) -> Outline:
    """Entries in reading order (the half-title only in the paged editions) and the EPUB
    landmarks; the page-list comes later (`with_pages`), once the markers are placed."""
    spec = anthology.spec
    lang = spec.lang

    def simple(kind: Kind, doc_id: str, listed: bool, title: str | None = None) -> Entry:
        text = title if title is not None else locale.word(doc_id.replace("-", "_"))
        return Entry(doc_id, kind, text, smarten(text, lang), lang, listed)

    entries: list[Entry] = []
    if target.paged:
        entries.append(simple(Kind.HALF_TITLE, "half-title", False, spec.title))
    for kind, doc_id, listed in FRONT_MATTER:
        title = spec.title if kind is Kind.TITLE_PAGE else None
        entries.append(simple(kind, doc_id, listed, title))
    entries += [
        Entry(piece.slug, Kind.FRONT, piece.title, smarten(piece.title, piece.lang), piece.lang)
        for piece in anthology.front
    ]
    for part in anthology.parts:
        reviews = tuple(
            Entry(
                review.slug,
                Kind.REVIEW,
                review.manuscript.title,
                smarten(review.manuscript.title, review.manuscript.lang),
                review.manuscript.lang,
                film=(
                    smarten(review.manuscript.film.title, review.manuscript.lang),
                    review.manuscript.film.year,
                ),
            )
            for review in part.reviews
        )
        number = f"{locale.word('part')} {roman(part.number)}."
        entries.append(
            Entry(f"part-{part.id}", Kind.PART, part.title, smarten(part.title, lang), lang,
                  number=number, children=reviews)
        )  # fmt: skip
    entries += [simple(kind, doc_id, listed) for kind, doc_id, listed in BACK_MATTER]
    first = [f"part-{part.id}" for part in anthology.parts[:1]]
    body = anthology.front[0].slug if anthology.front else (first or ["filmography"])[0]
    landmarks = (
        Landmark("cover", EPUB_PATHS.cover_page, locale.word("cover")),
        Landmark("toc", EPUB_PATHS.document("contents"), locale.word("contents")),
        Landmark("bodymatter", EPUB_PATHS.document(body), locale.word("body_matter")),
        Landmark("index", EPUB_PATHS.document("film-index"), locale.word("film_index")),
    )
    return Outline(tuple(entries), landmarks)


def with_pages(outline: Outline, pages: tuple[PageMark, ...]) -> Outline:
    """The outline with its page-list: each print page marker as an EPUB link
    (`pagemarks.py` gives the marker the id `page-<label>`)."""
    links = tuple(
        PageLink(mark.label, f"{EPUB_PATHS.document(mark.document_id)}#page-{mark.label}")
        for mark in pages
    )
    return replace(outline, pages=links)


def roman(number: int) -> str:
    """Upper-case Roman numerals, for part numbers (1 → `I`)."""
    numerals = (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    )  # fmt: skip
    out = []
    for value, letters in numerals:
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)

"""The book's page cut into the chunks export/chunked.py lays out: the front matter (long
contents a chunk of their own, in parts), groups of about √n parts and reviews, each document
of the back matter that opens on a recto (a long one in parts: export/parts.py), and each
chunk's job."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

import lxml.html

from ..base.outline import Kind
from ..base.rendered import Document, RenderedBook, Target
from .chunk_cost import chunk_size
from .chunkdata import SENTINEL, ChunkJob, ChunkUnsafe
from .parts import Long, first_part, long_of, part_text

__all__ = ["BACK_RECTO", "BODY", "UNCHUNKABLE", "Piece", "jobs_for", "split"]

BODY = frozenset({Kind.PART, Kind.REVIEW})
# Back matter that opens on a recto (paged.css), each a chunk of its own; the colophon, which
# only breaks to a new page, stays with the document before it.
BACK_RECTO = frozenset({Kind.FILMOGRAPHY, Kind.FILM_INDEX, Kind.DIRECTOR_INDEX, Kind.CONTRIBUTORS})
# Page furniture that would need the whole book: total page count, running elements, text of
# a target.
UNCHUNKABLE = ("counter(pages)", "running(", "element(", "target-text(")


@dataclass(frozen=True)
class Piece:
    """One chunk of the book before layout: its name, place and page."""

    name: str
    kind: Literal["front", "body", "back"]
    html: str
    ids: frozenset[str]
    targets: frozenset[str]  # fragment ids its links name
    long: Long | None = None  # a long document, laid out in parts (parts.py)


def split(book: RenderedBook) -> list[Piece]:
    """The book's page cut at document boundaries (the renderer writes each document's markup
    verbatim into the page: these are cuts of that text, not markup made here). Raises
    ChunkUnsafe when the page cannot be cut or there is nothing to split."""
    page, documents = book.page, book.documents
    body = [i for i, document in enumerate(documents) if document.kind in BODY]
    if len(body) < 2 or any(marker in book.stylesheet for marker in UNCHUNKABLE):
        raise ChunkUnsafe("nothing to split, or page furniture that needs the whole book")
    positions: list[int] = []
    cursor = 0
    for document in documents:
        found = page.find(document.body, cursor)
        if found < 0:
            raise ChunkUnsafe(f"document {document.id} not found in the page")
        positions.append(found)
        cursor = found + len(document.body)
    positions.append(cursor)
    head_end = page.rfind("</head>", 0, positions[0])
    body_open = page.index(">", page.index("<body", head_end)) + 1
    head, tail = page[:body_open] + "\n", page[cursor:]
    size = chunk_size(len(body))
    back = [
        i for i, document in enumerate(documents) if i > body[-1] and document.kind in BACK_RECTO
    ]
    cuts = [0, *_contents_cuts(book, body[0]), body[0]]
    cuts += [*range(body[0] + size, body[-1] + 1, size), body[-1] + 1, *back]
    cuts.append(len(documents))
    cuts = sorted(set(cuts))
    pieces: list[Piece] = []
    for number, (low, high) in enumerate(itertools.pairwise(cuts)):
        kind: Literal["front", "body", "back"] = (
            "front" if high <= body[0] else "back" if low > body[-1] else "body"
        )
        # What precedes the documents (the screen PDF's cover) is laid out apart (cover_job).
        text = head + page[positions[low] : positions[high]]
        ending = "" if high == len(documents) else SENTINEL
        html = text + ending + tail
        ids, targets = _anchors(documents[low:high])
        end = positions[low] + len(documents[low].body)
        long = long_of(documents[low].kind, page[positions[low] : end],
                       page[end : positions[high]], ending, tail, book.stylesheet)  # fmt: skip
        if kind != "body" and long is not None:
            html = head + part_text(long, 0)
        else:
            long = None
        pieces.append(Piece(f"{kind}-{number:03d}", kind, html, ids, targets, long))
    return pieces


def _contents_cuts(book: RenderedBook, body: int) -> list[int]:
    """Where the front matter (its documents before number `body`) is cut when its contents
    are laid out in parts (parts.py `contents_of`): before the contents and after them, so
    they are a chunk of their own (each opens on a recto: paged.css); none otherwise (a front
    chunk as one: every book of 400 reviews or less)."""
    for index, document in enumerate(book.documents[:body]):
        if document.kind is Kind.CONTENTS:
            long = long_of(document.kind, document.body, "", "", "", book.stylesheet)
            return [index, index + 1] if long is not None else []
    return []


def _anchors(documents: tuple[Document, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """The ids in these documents, and the fragment ids their links name."""
    ids: set[str] = set()
    targets: set[str] = set()
    for document in documents:
        tree = lxml.html.fromstring(document.body)
        for element in tree.iter():
            ids.add(element.get("id") or "")
            href = element.get("href") or ""
            if href.startswith("#") and len(href) > 1:
                targets.add(href[1:])
    return frozenset(ids - {""}), frozenset(targets)


def jobs_for(book: RenderedBook, pieces: list[Piece], stamp: str | None) -> dict[str, ChunkJob]:
    from . import pdf

    spec = book.anthology.spec
    variant = "pdf/ua-1" if book.target is Target.SCREEN_PDF else spec.pdf_variant
    every = {anchor: piece.name for piece in pieces for anchor in piece.ids}
    jobs: dict[str, ChunkJob] = {}
    for index, piece in enumerate(pieces):
        outside = sorted(a for a in piece.targets if a not in piece.ids and a in every)
        jobs[piece.name] = ChunkJob(
            piece.name,
            piece.html,
            str(spec.root),
            pdf.book_id(book),
            variant or None,
            tuple(spec.subjects),
            stamp,
            externals=tuple((anchor, 0) for anchor in outside),
            sentinel=index < len(pieces) - 1,
            recto=index > 0,
            paginate=True,  # the print PDF's pagination; the screen PDF's page labels
            links=book.target is Target.SCREEN_PDF,
            part=None if piece.long is None else first_part(piece.long),
        )
    return jobs

"""The screen PDF put together from chunks (export/chunked.py, export/editions.py): the book's
cover and its blank verso, laid out apart (on the chunks' pool, as one more task: `Cover`) and
kept in the chunk store, in front of the book's pages, which start at folio 1 as the printed
book's do; its /PageLabels name the cover with the book's word for it and then give the folios
(export/pagelabels.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..base.diagnostics import Diagnostic
from ..base.files import write_atomically
from ..base.gate import note
from ..base.locale import Locale
from ..base.model import AnthologySpec
from ..base.rendered import Exported, Pagination, RenderedBook, Target
from .chunkdata import SENTINEL, ChunkJob, ChunkPdf
from .chunkstore import ChunkStore, book_prefixed, chunk_key, merge_cache
from .heap import give_back_memory
from .pool import Answer, Layout, Task


def moment() -> dt.datetime | None:
    """Without SOURCE_DATE_EPOCH the file's dates are the build's moment, as a whole layout's."""
    from . import pdf

    return None if pdf.w3c_source_date() else dt.datetime.now(dt.UTC).replace(microsecond=0)


def screen_pdf(
    book: RenderedBook, chunks: list[ChunkPdf], pagination: Pagination | None,
    store: ChunkStore | None, kept: Kept, cover: Cover | None,
) -> Exported:  # fmt: skip
    """The screen PDF: its `cover` pages (laid out on the pool with the chunks, `Cover`; not
    counted by the folios) and the chunks, labelled with the printed folios
    (export/pagelabels.py). `kept`: what was taken from the book before its page was let go
    (its diagnostics)."""
    data = screen_merge(imprint_of(book), chunks, pagination, store, cover)
    return screen_exported(data, chunks, kept, cover)


@dataclass(frozen=True)
class Imprint:
    """What a merge needs of its book: the anthology's `spec` (the book's word for the cover)
    and `book_id` (the first half of the file's /ID: pdf.book_id). Small, so a merge run in
    another process gets it, not the book (export/editions.py `_aside`)."""

    spec: AnthologySpec
    book_id: str


def imprint_of(book: RenderedBook) -> Imprint:
    """`book`'s Imprint (its spec and pdf.book_id)."""
    from . import pdf

    return Imprint(book.anthology.spec, pdf.book_id(book))


def screen_merge(
    imprint: Imprint, chunks: list[ChunkPdf], pagination: Pagination | None,
    store: ChunkStore | None, cover: Cover | None, into: Path | None = None,
) -> bytes:  # fmt: skip
    """The screen PDF's bytes (`screen_pdf`): the merge, its /PageLabels and PDF/UA marks;
    with `into`, written there instead (atomically, as it is merged: never held whole) and
    b"" returned. Raises ValueError when `cover` was not laid out yet, OSError (and
    ForeignOutput) as base/files.py `write_atomically`."""
    from .merge import merge
    from .pagelabels import page_labels

    front = _front(cover)
    folios = [page.label for page in pagination.pages] if pagination else []
    word = Locale.for_spec(imprint.spec).word("cover")
    labels = page_labels(front[0].shape.pages if front else 0, word, folios)
    cache = merge_cache(store, imprint.book_id)
    # A PDF/UA-1 file is written as merged (export/output_intent.py makes only PDF/X files).
    if into is None:
        data = merge(front + chunks, imprint.book_id, moment(), labels, cache)
    else:
        data = b""

        def written(temp: Path) -> None:
            with temp.open("wb") as output:
                merge(front + chunks, imprint.book_id, moment(), labels, cache, output)

        write_atomically(into, written)
    give_back_memory()  # the merge's objects, freed: not carried into the next edition
    return data


def screen_exported(
    data: bytes, chunks: list[ChunkPdf], kept: Kept, cover: Cover | None
) -> Exported:
    """The screen PDF made of `data` (screen_merge's): its page count and diagnostics."""
    total = sum(chunk.shape.pages for chunk in _front(cover) + chunks)
    return Exported(data, total, kept.diagnostics, None)


def _front(cover: Cover | None) -> list[ChunkPdf]:
    if cover is None:
        return []
    if cover.chunk is None:
        raise ValueError("the screen PDF's cover was not laid out (chunked.lay_out)")
    return [cover.chunk]


def pagination_of(chunks: list[ChunkPdf]) -> Pagination:
    """The print pagination of `chunks` laid out with `paginate` (each page's folio, where each
    document opens), in book order: what the web edition and the EPUB print."""
    pages = tuple(start for chunk in chunks for start in chunk.pagination.pages)  # type: ignore[union-attr]
    openings: dict[str, str] = {}
    for chunk in chunks:
        for document_id, label in chunk.pagination.openings:  # type: ignore[union-attr]
            openings.setdefault(document_id, label)
    return Pagination(pages, tuple(openings.items()))


@dataclass(frozen=True)
class Kept:
    """What a PDF's merge needs of its book's page, taken before the page is let go: the
    screen PDF's `cover` job (None: no cover), the book's `diagnostics` (book_diagnostics)."""

    cover: ChunkJob | None
    diagnostics: tuple[Diagnostic, ...]


def keep(book: RenderedBook) -> Kept:
    """What `screen_pdf` and `print_pdf` need of `book`'s page (its cover's job: screen PDF)."""
    from . import pdf

    cover = cover_job(book) if book.target is Target.SCREEN_PDF else None
    return Kept(cover, pdf.book_diagnostics(book))


def cover_job(book: RenderedBook) -> ChunkJob | None:
    """The job laying out the screen PDF's cover and its blank verso on their own (the page
    up to its first document); None for a book without a cover."""
    from . import pdf

    page = book.page
    if book.cover is None or not book.documents:
        return None
    first = page.find(book.documents[0].body)
    if first < 0 or "cover-page" not in page[body_open(page, first) : first]:
        return None
    html = page[:first] + SENTINEL + page[page.rindex("</body>") :]
    spec = book.anthology.spec
    return ChunkJob(
        "cover", html, str(spec.root), pdf.book_id(book), "pdf/ua-1", tuple(spec.subjects),
        pdf.w3c_source_date(), sentinel=True, recto=False, cover=True,
    )  # fmt: skip


@dataclass
class Cover:
    """The screen PDF's cover and its blank verso (`job`, cover_job) as one more task of the
    chunks' pool (export/chunked.py `lay_out`): it needs nothing from the chunks, so a worker
    lays it out whenever it would otherwise wait, not this process after the pool (issue 17:
    the build's one-core tail). `store` keeps it between builds; `tell("cover", laid_out)`
    hears whether it was laid out (True) or taken from `store` (False)."""

    job: ChunkJob
    store: ChunkStore | None
    tell: Callable[[str, bool], None] | None = None
    chunk: ChunkPdf | None = None

    def detached(self) -> Cover:
        """The cover without its store and its `tell`: what a merge run in another process
        needs of it (export/editions.py `_aside`: it must pickle)."""
        return Cover(self.job, None, None, self.chunk)

    def _key(self) -> tuple[str, str]:
        owner = f"cover-{self.job.book_id}"
        return owner, book_prefixed(owner, chunk_key(self.job))

    def kept(self) -> bool:
        """Whether `store` kept this cover (then `chunk` is it, and `tell` heard so)."""
        if self.store is None:
            return False
        cached = self.store.get(self._key()[1])
        if cached is None:
            return False
        self._done(cached, False)
        return True

    def tasks(self) -> list[Task]:
        """Its layout as a task of the chunks' pool; none when `store` kept it."""
        return [] if self.kept() else [Layout(self.job, hold=False)]

    def laid_out(self, chunk: Answer) -> list[Task]:
        """The cover, laid out and finished from page 1 (the pool's answer to `tasks`): kept
        in `store`. No more tasks follow from it. Raises ValueError for an unfinished one."""
        if not isinstance(chunk, ChunkPdf):
            raise ValueError("the cover's layout was not finished")
        if self.store is not None:
            owner, key = self._key()
            self.store.put(key, chunk)
            self.store.keep({key}, owner)
        self._done(chunk, True)
        return []

    def _done(self, chunk: ChunkPdf, laid: bool) -> None:
        self.chunk = chunk
        note(chunk.shape.inputs)
        if self.tell is not None:
            self.tell(self.job.name, laid)


def cover_of(
    kept: Kept, store: ChunkStore | None, tell: Callable[[str, bool], None] | None
) -> Cover | None:
    """The screen PDF's cover to lay out on the pool (None: the book has none)."""
    return None if kept.cover is None else Cover(kept.cover, store, tell)


def body_open(page: str, before: int) -> int:
    """Where the page's body begins: just after its `<body>` tag (the last before `before`)."""
    return page.index(">", page.index("<body", page.rindex("</head>", 0, before))) + 1

"""The screen PDF put together from chunks (export/chunked.py, export/editions.py): the book's
cover and its blank verso, laid out apart (in this process: one image on one page) and kept in
the chunk store, in front of the book's pages, which start at folio 1 as the printed book's do;
its /PageLabels name the cover with the book's word for it and then give the folios
(export/pagelabels.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from ..base.access import Access
from ..base.diagnostics import Diagnostic
from ..base.gate import note
from ..base.locale import Locale
from ..base.rendered import Exported, Pagination, RenderedBook, Target
from .chunkdata import SENTINEL, ChunkJob, ChunkPdf
from .chunkstore import ChunkStore, book_prefixed, chunk_key, merge_cache
from .pool import give_back_memory


def moment() -> dt.datetime | None:
    """Without SOURCE_DATE_EPOCH the file's dates are the build's moment, as a whole layout's."""
    from . import pdf

    return None if pdf.w3c_source_date() else dt.datetime.now(dt.UTC).replace(microsecond=0)


def screen_pdf(
    book: RenderedBook, chunks: list[ChunkPdf], pagination: Pagination | None,
    store: ChunkStore | None, tell: Callable[[str, bool], None] | None = None,
    kept: Kept | None = None,
) -> Exported:  # fmt: skip
    """The screen PDF: its cover pages (laid out apart, not counted by the folios) and the
    chunks, labelled with the printed folios (export/pagelabels.py). `tell("cover", laid_out)`
    hears whether the cover was laid out (True) or taken from `store` (False). `kept`: what
    was taken from the book before its page was let go (its cover's job, its diagnostics)."""
    from . import pdf
    from .merge import merge
    from .output_intent import pdfx_for_spec
    from .pagelabels import page_labels

    kept = kept or keep(book)
    cover = _cover(book, kept.cover, store, tell)
    front = [] if cover is None else [cover]
    folios = [page.label for page in pagination.pages] if pagination else []
    word = Locale.for_spec(book.anthology.spec).word("cover")
    labels = page_labels(cover.shape.pages if cover else 0, word, folios)
    book_id = pdf.book_id(book)
    data = merge(front + chunks, book_id, moment(), labels, merge_cache(store, book_id))
    data = pdfx_for_spec(data, book.anthology.spec, "pdf/ua-1")
    give_back_memory()  # the merge's objects, freed: not carried into the next edition
    total = sum(chunk.shape.pages for chunk in front + chunks)
    return Exported(data, total, kept.diagnostics, None)


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


def _cover(
    book: RenderedBook, job: ChunkJob | None, store: ChunkStore | None,
    tell: Callable[[str, bool], None] | None,
) -> ChunkPdf | None:  # fmt: skip
    """The screen PDF's cover and its blank verso (`job`, cover_job), laid out on their own
    (in this process: one image on one page), or as `store` keeps them; None for none."""
    from . import pdf

    if job is None:
        return None
    spec = book.anthology.spec
    owner = f"cover-{job.book_id}"
    key = book_prefixed(owner, chunk_key(job))
    cached = store.get(key) if store is not None else None
    if cached is not None:
        note(cached.shape.inputs)
        if tell is not None:
            tell(job.name, False)
        return cached
    laid, shape = pdf.lay_out_chunk(job, book.access or Access.for_spec(spec))
    chunk = pdf.finish_chunk(laid, shape, 1, {})
    note(shape.inputs)
    if store is not None:
        store.put(key, chunk)
        store.keep({key}, owner)
    if tell is not None:
        tell(job.name, True)
    return chunk


def body_open(page: str, before: int) -> int:
    """Where the page's body begins: just after its `<body>` tag (the last before `before`)."""
    return page.index(">", page.index("<body", page.rindex("</head>", 0, before))) + 1

"""Both PDFs from one layout (issue 17): the print book's chunks are laid out once
(export/chunked.py) and each is written twice, as the print PDF's and as the screen PDF's
(pdf/restyle.py `screen_write`: the screen cascade's values of the properties that only change
drawing, no bleed, no crop marks, tagged). The screen PDF is then the book's cover and its blank
verso, laid out apart, followed by the print book's pages with their folios, running heads,
contents and index numbers; its /PageLabels name the cover and give the printed folios
(export/pagelabels.py), so "p. 37" in a viewer is p. 37 of the printed book.

When the screen cascade differs from the print cascade in a property that moves boxes (a theme's
print stylesheet that changes a font size: LayoutsDiffer), the two PDFs are laid out apart, the
screen PDF still with its cover apart and the same folios; a book that cannot be chunked is laid
out whole, twice (export_pdf; the screen page's `@page cover` keeps its folios the same).

Peak RSS (issue 17): the two books are handed over (export.Handed) and let go of once the chunk
jobs are made, so the book's text is held once, by the jobs, which share the page's head
(`_prepared`); when a layout must then be done apart or whole, they are rendered anew. Each
chunk's two writes go to the chunk store's files as they come back from the pool
(ChunkStore.spill), and the merges read them back one at a time; each PDF is written to its
file as it is merged (`print_merge`, screen.py `screen_merge`), never held whole. The screen
PDF is merged by a process the layout workers' zygote forks (`_aside`), which starts without
the book this one holds.

The build's one-core tail (issue 17): the screen PDF's cover is one more task of the chunks'
pool (screen.py `Cover`), and with more than one worker the screen PDF is merged in another
process while this one merges and writes the print PDF (`_aside`).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

from ..base.files import write_atomically, write_bytes_atomically
from ..base.rendered import Exported, Pagination, RenderedBook
from .chunkdata import ChunkJob, ChunkPdf, ChunkUnsafe, LayoutsDiffer
from .chunked import (
    Piece,
    Tell,
    export_chunked,
    jobs_for,
    lay_out,
    print_pdf,
    split,
)
from .chunkstore import ChunkStore, merge_cache
from .handed import Handed, ScreenPart, page_head, page_tail, screen_part, slim
from .heap import give_back_memory
from .pool import _may_fork as may_fork
from .pool import early_zygote
from .screen import (
    Cover,
    Imprint,
    Kept,
    cover_of,
    imprint_of,
    keep,
    moment,
    pagination_of,
    screen_exported,
    screen_merge,
)
from .zygote import WorkerFailed, Zygote


def export_editions(
    handed: Handed, workers: int, store: ChunkStore | None = None,
    tell: Tell | None = None, tell_screen: Tell | None = None, tell_print: Tell | None = None,
    meanwhile: Callable[[Pagination | None], None] | None = None,
    idle: Callable[[], None] | None = None,
    paths: tuple[Path, Path] | None = None,
) -> tuple[Exported, Exported]:  # fmt: skip
    """The print PDF and the screen PDF (`handed`'s books) from ONE layout of the print book's
    chunks: each chunk is written twice (pdf/restyle.py `screen_write`), and the screen PDF is
    the cover and its verso followed by the print book's pages, with their folios (issue 17).
    `tell` hears of the chunks laid out; `tell_screen`, of the screen PDF's cover, and of all
    its chunks when the screen PDF had to be laid out on its own: when its cascade differs
    from the print PDF's in more than the properties that only change drawing (LayoutsDiffer;
    `tell_print`, else `tell`, then hears of the print PDF's), or when the book cannot be
    chunked (both whole, export_pdf). `paths`, when given, are where the print and the
    screen PDF are written (atomically) as they are merged, each by the process that merges
    it (the screen PDF's: `_aside`), so neither file is held whole (`print_merge`), and both
    are returned without their bytes (`data` b""); not when they had to be laid out apart or
    whole (then returned with them, unwritten).
    `meanwhile(pagination)`, when given, is called with the print PDF's pagination once it is
    written, while the screen PDF is merged (in a forked process: `_aside`), so the editions
    that print its page numbers are made meanwhile; not called when the PDFs had to be laid
    out apart or whole. `idle()`, when given, is called once while the workers lay out the
    chunks, if one of them would wait (chunked.py `lay_out`). Raises BuildFailed as export_pdf
    does."""
    from . import pdf

    books = list(handed.take())  # the only reference: `_prepared` lets go of their pages
    try:
        prepared = _prepared(books, handed.screen)
    except ChunkUnsafe:
        printed, screen = books if all(book.page for book in books) else handed.take()
        return pdf.export_pdf(printed), pdf.export_pdf(screen)
    printed, screen, jobs, pieces, kept = prepared
    del prepared
    cover = cover_of(kept[1], store, tell_screen)
    laid: list[str] = []  # the chunks laid out in this build (not taken from `store`)

    def told(name: str, laid_out: bool) -> None:
        if laid_out:
            laid.append(name)
        if tell is not None:
            tell(name, laid_out)

    try:
        chunks = lay_out(printed, jobs, pieces, workers, store, told, cover, idle)
    except LayoutsDiffer:
        return _apart(handed, workers, store, tell_print or tell, tell_screen, whole=False)
    except ChunkUnsafe:
        return _apart(handed, workers, store, None, None, whole=True)
    del jobs, pieces
    # The layout's state is cyclic (chunked.py `lay_out`: its closures name it) and holds every
    # job's text and the pickled tasks (19 MiB at 1,000 reviews): collected now, not carried
    # through the merges and the paginated editions (issue 17: the build process's peak).
    give_back_memory()
    writes = [chunk.screen_write() for chunk in chunks]
    imprint = imprint_of(screen)
    apart = cover.detached() if cover is not None else None  # `merging` must pickle
    into = paths[1] if paths is not None else None
    merging = partial(_screen_merge, imprint, writes, pagination_of(chunks), store, apart, into)
    merged = _aside(merging, workers, cold=2 * len(set(laid)) > len(chunks))
    try:
        exported = print_merge(printed, chunks, store, kept[0], paths[0] if paths else None)
        del chunks  # only the screen writes are held from here on
        if meanwhile is not None:
            meanwhile(exported.pagination)
    finally:
        data = merged()  # the forked merge, always waited for
    return exported, screen_exported(data, writes, kept[1], cover)


def print_merge(
    book: RenderedBook, chunks: list[ChunkPdf], store: ChunkStore | None, kept: Kept,
    into: Path | None,
) -> Exported:  # fmt: skip
    """The print PDF (chunked.py `print_pdf`); with `into`, written there (atomically) and
    returned without its bytes: written as it is merged, never held whole (issue 17: the
    file's bytes, twice, were the build process's peak while it merged), unless the book's
    `pdf_variant` makes it PDF/X (export/output_intent.py rewrites the whole file). Raises
    BuildFailed as print_pdf does, OSError (and ForeignOutput) as base/files.py
    `write_atomically`."""
    from .merge import merge

    if into is None or book.anthology.spec.pdf_variant in PDFX:
        exported = print_pdf(book, chunks, store, kept)
        if into is not None:
            write_bytes_atomically(into, exported.data)
            exported = replace(exported, data=b"")
        return exported
    imprint = imprint_of(book)

    def written(temp: Path) -> None:
        with temp.open("wb") as output:
            cache = merge_cache(store, imprint.book_id)
            merge(chunks, imprint.book_id, moment(), cache=cache, output=output)

    write_atomically(into, written)
    give_back_memory()  # the merge's objects, freed: not carried into the next edition
    total = sum(chunk.shape.pages for chunk in chunks)
    return Exported(b"", total, kept.diagnostics, pagination_of(chunks))


# The PDF variants export/output_intent.py `pdfx_for_spec` rewrites the merged file for.
PDFX = ("pdf/x-3", "pdf/x-4")


def _screen_merge(
    imprint: Imprint, chunks: list[ChunkPdf], pagination: Pagination | None,
    store: ChunkStore | None, cover: Cover | None, into: Path | None,
) -> bytes:  # fmt: skip
    """screen.py `screen_merge`, looked up when called (where it runs: `_aside`)."""
    return screen_merge(imprint, chunks, pagination, store, cover, into)


def _aside(work: Callable[[], bytes], workers: int, cold: bool) -> Callable[[], bytes]:
    """`work` (the screen PDF's merge: a partial that pickles) run in another process when
    the build laid out most chunks (`cold`); the function returned waits for its bytes.

    Where (issue 17): in a process the zygote forks (export/zygote.py `Zygote.run`), which
    starts with the zygote's memory (WeasyPrint loaded, no book), not with the build's: the
    merge's peak no longer grows with what the build holds (forked from the build, it began
    with the whole book: 172 MiB at 1,000 reviews). With more than one worker it starts now,
    so that it runs while this process merges and writes the print PDF (the two merges were
    the build's one-core tail); with one (one core: one merge after the other) it starts when
    waited for. Without a zygote (a library caller's thread, no fork): forked from this
    process now with more than one worker and no other thread (pdf/forked.py; a lock another
    thread holds would stay held in the child), else run here when waited for, as is an edit's
    merge (most chunks from the store: read mostly from the merge cache, 0.1 s at 100
    reviews, where a fork cost more than it saved)."""
    zygote = early_zygote() if cold else None
    if zygote is not None and workers == 1:
        return partial(_run_by, zygote, work)
    if zygote is not None:
        with contextlib.suppress(WorkerFailed):
            return partial(_awaited_or_here, zygote.run(work), work)
    if cold and workers > 1 and may_fork(workers) and threading.active_count() == 1:
        from .pdf.forked import forked  # the package: WeasyPrint, loaded only for a PDF

        with contextlib.suppress(OSError):
            return forked(work)
    return work


def _run_by(zygote: Zygote, work: Callable[[], bytes]) -> bytes:
    """`work` run in a process `zygote` forks now, waited for; run here when the zygote does
    not answer."""
    try:
        waited = zygote.run(work)
    except WorkerFailed:
        return work()
    return _awaited_or_here(waited, work)


def _awaited_or_here(waited: Callable[[], bytes], work: Callable[[], bytes]) -> bytes:
    """What `waited` (Zygote.run's) answers; `work` run here when its process ended without
    answering (killed), as pdf/forked.py does (WorkerFailed: what `work` raised, when it does
    not pickle, is then raised here)."""
    try:
        return waited()
    except WorkerFailed:
        return work()


# What `_prepared` puts in the place of the print page's head to cut it (chunked.py `split`).
HEADLESS = "<html><head></head><body>"
_Prepared = tuple[RenderedBook, RenderedBook, dict[str, ChunkJob], list[Piece], tuple[Kept, Kept]]


def _prepared(books: list[RenderedBook], screen: ScreenPart | None) -> _Prepared:
    """The chunk jobs (each with the screen write's head) and pieces, what the merges need of
    each book (screen.py `keep`), and both books without their pages and documents: only the
    jobs hold the book's text from here on, once: each job without the page's head, which
    they share (ChunkJob.head: the head's stylesheet quotes an emoji, so any text with it
    takes 4 bytes a character), the pieces without their text. `books` (print, screen) is
    the only reference to the books: each is replaced by its slim copy as soon as it is not
    needed whole (the screen book before the print book is cut), so their pages are let go
    of early (issue 17: this was the build process's peak). `screen`: what was taken of the
    screen book when it was rendered (handed.py `screen_part`; its book came slim), else
    taken here. Raises ChunkUnsafe as `split` does, and when the screen and print pages are
    not cut alike (`books` may then be slim)."""
    from . import pdf

    if screen is None:
        books[1], screen = screen_part(books[1])
    page = books[0].page
    head = page_head(page)
    if page_tail(page) != screen.tail:
        raise ChunkUnsafe("the screen and print pages are not cut alike")
    kept_print = keep(books[0])
    # Cut with a head of its own (`HEADLESS`): the page's quotes an emoji, so the page and
    # every piece cut with it took 4 bytes a character (issue 17: the build's peak), and
    # the pieces' heads are cut off below anyway. The page is let go of before the cut one
    # is made, so that no more than two copies of the book's text are alive at once: the
    # page and its body, then its body and the cut page (12.8 MB less at 1,000 reviews).
    body = page[len(head) :]
    books[0] = replace(books[0], page="")
    del page
    books[0] = replace(books[0], page=HEADLESS + body)
    del body
    pieces = split(books[0])
    jobs = jobs_for(books[0], pieces, pdf.w3c_source_date())
    books[0] = slim(books[0])
    for index, piece in enumerate(pieces):
        job = jobs[piece.name]
        if not job.html.startswith(HEADLESS):
            raise ChunkUnsafe("the screen and print pages are not cut alike")
        body = job.html[len(HEADLESS) :]
        pieces[index] = replace(piece, html="")  # its text: the job's, from here on
        jobs[piece.name] = replace(job, html=body, head=head, screen=screen.job)
    return books[0], books[1], jobs, pieces, (kept_print, screen.kept)


def _apart(
    handed: Handed, workers: int, store: ChunkStore | None, tell_print: Tell | None,
    tell_screen: Tell | None, whole: bool,
) -> tuple[Exported, Exported]:  # fmt: skip
    """Both PDFs laid out apart (each in chunks of its own) or, `whole`, each at once."""
    from . import pdf

    printed, screen = handed.take()
    if whole:
        return pdf.export_pdf(printed), pdf.export_pdf(screen)
    return (
        export_chunked(printed, workers, store, tell_print),
        export_chunked(screen, workers, store, tell_screen),
    )

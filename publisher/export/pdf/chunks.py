"""A chunk of a book laid out on its own and written (export/chunked.py plans the chunks,
export/pool.py runs them, export/merge.py merges them)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import replace
from typing import Any

import weasyprint

from ...base.access import Access
from ...base.diagnostics import BuildFailed
from ...base.gate import recording
from ...base.rendered import Pagination
from ..chunkdata import Bookmark, ChunkJob, ChunkPdf, ChunkUnsafe, Columns, Part, Shape
from ..heap import give_back_memory
from ..parts import PART_STYLE, table_slices
from .carried import context_kept, links_kept, strings_from, targets_from, targets_settled
from .columns import Unsafe, columns_from, measured
from .face_fonts import fonts_keyed_by_file
from .fetcher import ProjectFetcher, Refusal
from .forked import forked
from .identity import stable_xmp_ids
from .laid import (
    LaidChunk,
    backgrounds_kept,
    check_chunk,
    part_cut,
    remake_margins,
    tables_released,
    to_write,
)
from .nested_cut import nested_cut
from .pagination import paginate
from .patches import list_numbers_kept, notes_stay_with_calls
from .pseudo_styles import pseudo_styles_on_demand
from .restyle import rules_compared, screen_write

_SCALE = 0.75  # CSS px → PDF pt, as WeasyPrint writes at zoom 1


def chunk_fonts() -> Any:
    """A WeasyPrint font configuration (its own Fontconfig configuration and Pango font map) for
    every chunk one process lays out in one build, given to `lay_out_chunk`. Without it, each
    render makes one of its own (loading Fontconfig's configuration and fonts again), and part
    of its C memory stays allocated when the document is let go: about 0.35 MiB per chunk laid
    out (tests/test_worker_growth.py; issue 17: peak RSS). Its `@font-face` files are written
    once, keyed by their rule (WeasyPrint's `add_font_face`), to a temporary folder removed
    when it is let go: keep it no longer than one build, so that a font file edited between
    builds is read again."""
    return weasyprint.text.fonts.FontConfiguration()


def lay_out_chunk(job: ChunkJob, access: Access, fonts: Any = None) -> tuple[LaidChunk, Shape]:
    """Lay out one chunk (its page counter from `job.start`, `job.seeds` carried in, the
    external anchors' page numbers printed by `target-counter()`), with the font configuration
    `fonts` (`chunk_fonts`; None: one of its own, as WeasyPrint makes). Raises BuildFailed when
    the gate refuses a resource, ChunkUnsafe when the chunk is not laid out as it would be in
    the whole book (it does not open on a recto; its page counter is reset inside it).

    A part of a table (`Part.depth` 2, export/parts.py) is laid out with the whole table's
    columns (pdf/columns.py), which its first part measures; when they cannot be taken from
    the parts' (columns.Unsafe), the first part is laid out with its own and cut nowhere, so
    that the table is laid out whole (export/chunked.py `extend`)."""
    try:
        return _lay_out(job, access, fonts, tabled=True)
    except Unsafe:
        if job.part is None or job.part.first:
            raise ChunkUnsafe(f"{job.name}: its table's columns are not its parts'") from None
        return _lay_out(job, access, fonts, tabled=False)


def _lay_out(job: ChunkJob, access: Access, fonts: Any, tabled: bool) -> tuple[LaidChunk, Shape]:
    part = job.part
    table = tabled and part is not None and part.depth == 2
    columns: list[Columns] = []  # a table part's columns, as laid out
    used: dict[str, int] = {}
    local: list[str] = []
    seeds_used: dict[str, str] = {}
    first = f"@page :first {{ counter-reset: page {job.start} }}" if job.start != 1 else ""
    if job.part is not None:  # a part of a long document (export/parts.py)
        first += PART_STYLE + ("html { break-before: left }" if job.part.left else "")
    sheets = [weasyprint.CSS(string=first)] if first else None
    kept: list[Any] = []
    fetcher = ProjectFetcher(access)
    try:
        with recording() as reads:
            given = _given(job, fetcher, fonts) if table else ()
            with (
                notes_stay_with_calls(),
                pseudo_styles_on_demand(),
                list_numbers_kept(),
                targets_from(dict(job.externals), used, local),
                context_kept(kept),
                strings_from(dict(job.seeds), seeds_used),
                columns_from(part, given, columns) if table and part else nullcontext(),
            ):
                document = weasyprint.HTML(
                    string=job.page, base_url=job.base_url, url_fetcher=fetcher
                ).render(stylesheets=sheets, font_config=fonts)
    except Refusal as refusal:
        raise BuildFailed([refusal.refused.diagnostic(job.name)]) from None
    targets_settled(kept[0])
    tables_released(kept[0])
    laid = LaidChunk(job, document, kept[0], seeds_used)
    whole = part is not None and part.depth == 2 and not table  # its table laid out whole
    cut = 0
    if part is not None and not part.last and not whole:  # nested lists: the contents
        cut = nested_cut(laid) if part.nested else part_cut(laid)
    check_chunk(laid)
    anchors: dict[str, int] = {}
    for index, page in enumerate(laid.pages):
        for name in page.anchors:
            anchors.setdefault(name, index)
    strings: dict[str, str] = {}
    for name, by_page in laid.context.string_set.items():
        assigned = [number for number in by_page if by_page[number]]
        if assigned and min(assigned) <= len(laid.pages):
            strings[name] = by_page[max(n for n in assigned if n <= len(laid.pages))][-1]
    shape = Shape(
        len(laid.pages),
        tuple(sorted(anchors.items())),
        tuple(sorted(strings.items())),
        tuple(sorted(used.items())),
        bool(local),
        reads.inputs(),
        cut,
        columns[0] if columns and part is not None and part.table else (),
    )
    return laid, shape


def _given(job: ChunkJob, fetcher: ProjectFetcher, fonts: Any) -> Columns:
    """The columns a table part is laid out with besides its own: the part's, or, for the
    first part, those of the table's other rows (measured here). Raises Unsafe."""
    part = job.part
    assert part is not None
    if not part.table:
        return part.columns
    columns = measured(table_slices(job), part, job.base_url, fetcher, fonts)
    give_back_memory()  # the slices' boxes, before the part's own are made
    return columns


def finish_chunk(laid: LaidChunk, shape: Shape, start: int, seeds: dict[str, str]) -> ChunkPdf:
    """Write a laid-out chunk as PDF from page number `start` with the named strings `seeds`
    carried in: when either differs from what it was laid out with, only the margin boxes
    (folios, running heads) are made again, as WeasyPrint makes them after paginating."""
    if start != laid.job.start or seeds != dict(laid.job.seeds):
        laid.seeds_used.clear()
        with strings_from(seeds, laid.seeds_used):
            remake_margins(laid, start - laid.job.start)
    job = laid.job
    screen_later = _screen_forked(laid)
    document, options = to_write(laid, job.book_id, job.variant)
    try:
        with (
            stable_xmp_ids(job.book_id),
            fonts_keyed_by_file(),
            links_kept(job.externals, annotated=job.links),
            backgrounds_kept(laid),  # the crop marks: the print write's alone
        ):
            data: bytes = document.write_pdf(**options)
    except Refusal as refusal:
        _abandon(screen_later)
        raise BuildFailed([refusal.refused.diagnostic(job.name)]) from None
    except BaseException:
        _abandon(screen_later)
        raise
    bookmarks = tuple(
        Bookmark(index, level, label, x * _SCALE, (page.height - y) * _SCALE, state == "closed")
        for index, page in enumerate(document.pages)
        for level, label, (x, y), state in page.bookmarks
    )
    continued = job.part is not None and job.part.first > 0
    pagination = paginate(document, start, continued) if job.paginate else None
    if pagination is not None and job.part is not None and job.part.first and not job.part.nested:
        pagination = entries_renumbered(pagination, job.part)
    if screen_later is not None:
        screen = screen_later()
    else:
        screen = screen_write(laid) if job.screen is not None else b""
    return ChunkPdf(
        shape, start, tuple(sorted(laid.seeds_used.items())), data, bookmarks, pagination, screen
    )


def _screen_forked(laid: LaidChunk) -> Callable[[], bytes] | None:
    """The screen write started in a forked process when the job asks for it (`fork_screen`),
    else None (also when this process cannot fork)."""
    if laid.job.screen is None or not laid.job.fork_screen:
        return None
    rules_compared(laid.job)
    try:
        return forked(lambda: screen_write(laid))
    except OSError:
        return None


def _abandon(later: Callable[[], bytes] | None) -> None:
    """Wait for a forked write whose answer is no longer wanted (the print write failed)."""
    if later is not None:
        with contextlib.suppress(Exception):
            later()


def entries_renumbered(pagination: Pagination, part: Part) -> Pagination:
    """A continuation part's pagination naming its entries by their number in the whole
    document (the part's markup holds the entries from `part.first` on; an entry's number
    is at `part.depth` in an element path)."""
    pages = []
    at = part.depth
    first = part.first - (1 if at == 2 else 0)  # a table part holds the row before its first
    for page in pagination.pages:
        path = page.element_path
        if page.document_id == part.document and path[:1] == (part.container,) and len(path) > at:
            page = replace(page, element_path=(*path[:at], path[at] + first, *path[at + 1 :]))
        pages.append(page)
    return Pagination(tuple(pages), pagination.openings)

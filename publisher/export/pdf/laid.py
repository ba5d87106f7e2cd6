"""A chunk laid out and kept until it is written: its checks against the whole book's layout,
and its margin boxes made again when its page numbers move."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import weasyprint.layout.background
import weasyprint.layout.page

from ..chunkdata import ChunkJob, ChunkUnsafe
from .boxes import MarginBox


class LaidChunk:
    """A chunk laid out in this process and kept until `finish_chunk` writes it: the document,
    WeasyPrint's layout context (page states, named strings) and what the layout used."""

    def __init__(self, job: ChunkJob, document: Any, context: Any, seeds_used: dict[str, str]):
        self.job, self.document, self.context = job, document, context
        self.seeds_used = seeds_used
        self.kept: int | None = None  # pages a part of a long document keeps (part_cut)

    @property
    def pages(self) -> list[Any]:
        pages: list[Any] = self.document.pages
        if self.kept is not None:
            return pages[: self.kept]
        return pages[:-1] if self.job.sentinel else pages


def part_cut(laid: LaidChunk) -> int:
    """For a part of a long document that is not its last (ChunkJob.part, export/parts.py):
    keep its pages before the last page j (0 < j < its last page) that opens at the start of
    an entry, and give that entry's number in the document (`Shape.cut`); 0 when no page
    does (the document is then laid out whole). WeasyPrint's page maker holds where each page
    resumes the box tree (`resume_at`, a skip stack: {body: {document: {list: {entry:
    None}}}} when the page opens at the start of an entry: no entry is split by the break;
    for a row of a table, {body: {document: {table wrapper: {table: {row group: {row:
    None}}}}}})."""
    part = laid.job.part
    assert part is not None
    levels = 3 if part.depth == 1 else 5
    for index in range(len(laid.document.pages) - 2, 0, -1):
        entry = _entry_at(laid.context.page_maker[index][0], levels)
        if entry is not None and entry > 0:
            laid.kept = index
            return part.first + entry
    return 0


def _entry_at(skip: Any, levels: int) -> int | None:
    """The entry a page opens with (its index among the list's boxes, `levels` down the skip
    stack), or None when it does not open at the start of one."""
    for _ in range(levels):
        if not isinstance(skip, dict) or len(skip) != 1:
            return None
        (skip,) = skip.values()
    if not isinstance(skip, dict) or len(skip) != 1:
        return None
    ((entry, rest),) = skip.items()
    return int(entry) if rest is None else None


@contextmanager
def backgrounds_kept(laid: LaidChunk) -> Iterator[None]:
    """The pages' backgrounds as laid out, again after a write: WeasyPrint's drawing inserts
    the crop marks as a layer of the page's background (weasyprint/draw/__init__.py
    `draw_background`, `background.layers.insert(0, …)`), so a second write of the same
    layout (the screen PDF's, without marks) would draw the print PDF's marks again."""
    kept = [(box, list(box.background.layers)) for box in _page_boxes(laid)]
    try:
        yield
    finally:
        for box, layers in kept:
            box.background.layers[:] = layers


def _page_boxes(laid: LaidChunk) -> Iterator[Any]:
    for page in laid.document.pages:
        box = page._page_box
        if box.background is not None:
            yield box


def to_write(laid: LaidChunk, book_id: str, variant: str | None) -> tuple[Any, dict[str, object]]:
    """The chunk's pages as a document to write (the job's keywords and dates) and the
    write_pdf options for an edition: its /ID's first half `book_id`, its PDF `variant`."""
    job = laid.job
    document = laid.document.copy(laid.pages)
    document.metadata.keywords = list(job.keywords)
    if job.stamp is not None:
        document.metadata.created = document.metadata.modified = job.stamp
    options: dict[str, object] = {
        "uncompressed_pdf": False,
        "pdf_identifier": book_id.encode("ascii"),
    }
    if variant:
        options["pdf_variant"] = variant
    return document, options


def tables_released(context: Any) -> None:
    """After a render whose layout context is kept (carried.context_kept), let go of
    WeasyPrint 70's table cache: `LayoutContext.tables` (layout/preferred.py
    `table_and_columns_preferred_widths`) maps each table box of the tree the layout was made
    from to its columns' widths and its grid of cells, so it keeps that whole table (rows,
    cells, lines, text) beside the laid-out copies the pages hold: half the boxes of a
    chunk whose documents are tables (the filmography, the indexes) and 7 MiB of Python
    objects for an 800-review filmography (issue 17: peak RSS). Only a table's layout reads
    it; what is laid out after the render (margin boxes made again, `remake_margins`) has no
    table, and drawing reads the laid-out boxes, so the pages are the same."""
    context.tables.clear()


def check_chunk(laid: LaidChunk) -> None:
    """The chunk's page numbers run on from its first page, and (but for the book's first
    chunk) its first document breaks to a recto, as each does in the whole book."""
    for index in range(0 if laid.job.cover else len(laid.pages)):
        counters = laid.context.page_maker[index + 1][3][1]
        if counters.get("page", [None])[-1] != laid.job.start + index:
            raise ChunkUnsafe(f"{laid.job.name}: the page counter is set inside the chunk")
    if not laid.job.recto or not laid.pages:
        return
    html_box = laid.pages[0]._page_box.children[0]
    body = next((box for box in html_box.children if box.element_tag == "body"), None)
    opening = next((box for box in getattr(body, "children", ()) if box.element is not None), None)
    if opening is None or opening.style["break_before"] not in ("right", "recto"):
        raise ChunkUnsafe(f"{laid.job.name}: the chunk does not open on a recto")


def remake_margins(laid: LaidChunk, offset: int) -> None:
    """Make each page's margin boxes again with the page counter moved by `offset`: the last
    step of WeasyPrint's `layout_document`, on the pages it paginated."""
    context = laid.context
    for index, page in enumerate(laid.pages):
        box = page._page_box
        context.current_page = index + 1
        state = copy.deepcopy(context.page_maker[index + 1][3])
        counters = state[1]
        if "page" in counters:
            counters["page"] = [value + offset for value in counters["page"]]
        kept = [child for child in box.children if not isinstance(child, MarginBox)]
        box.children = tuple(kept) + tuple(
            weasyprint.layout.page.make_margin_boxes(context, box, state)
        )
        weasyprint.layout.background.layout_backgrounds(box, context.get_image_from_uri)

"""A long document of the back matter laid out in parts (export/parts.py; issue 17: peak RSS).

An index of more than LONG_ENTRIES entries is laid out in parts, each cut where a page of the
whole layout opens at an entry; the PDF reads as the document laid out whole: every page's
drawing, the links, named destinations, outline, tagged structure tree and page labels, and
the print pagination the other editions take. Only the names of the pages' form XObjects
differ (WeasyPrint numbers them per file: a part's first page is its file's first), and the
object numbers (the merge numbers each chunk's objects in a range of its own). And the peak
of a worker laying out the parts, one after the other, does not grow with the entries.
"""

from __future__ import annotations

import io
import re
import tracemalloc
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from publisher.base.access import Access
from publisher.base.rendered import Pagination, Target
from publisher.export import parts, pdf, pool
from publisher.export.chunkdata import ChunkJob
from publisher.export.chunked import export_chunked, jobs_for, split
from publisher.pipeline import load, render
from tests.conftest import ProjectMaker, review

# Entries per part in these tests: an index page holds about 30 entries, and a part keeps
# its pages before its last page that opens at an entry, so 65 entries make a cut.
SMALL_PART = 65


def _reviews(count: int) -> dict[str, str]:
    return {
        f"resena-{i:03d}.md": review(
            title=f"Reseña número {i}",
            film=f"Película {i}",
            year=1930 + i % 90,
            extra=f'author: "Autora {i:03d}"\n',
        ).replace("Directora Uno", f"Directora {i:03d}")
        for i in range(count)
    }


def _reading(data: bytes) -> list[tuple[Any, ...]]:
    """What a reader sees of a PDF, by page index: each page's drawing (its form XObjects'
    names aside), boxes and links; the named destinations; the outline; the structure tree
    (element types, the pages and marked-content ids they hold); the page labels."""
    document: Any = pikepdf.open(io.BytesIO(data))
    index: dict[Any, int] = {page.objgen: number for number, page in enumerate(document.pages)}
    seen: list[tuple[Any, ...]] = []
    for number, page in enumerate(document.pages):
        contents = page.Contents
        streams = [contents] if isinstance(contents, pikepdf.Stream) else list(contents)
        drawing = b"".join(stream.read_bytes() for stream in streams)
        seen.append((number, re.sub(rb"/x\d+ Do", b"/x Do", drawing), repr(page.MediaBox)))
        for link in page.get("/Annots", []):
            seen.append((number, repr(link.Rect), str(link.get("/Dest")), repr(link.get("/A"))))
    names = document.Root.get("/Names")
    for name, target in pikepdf.NameTree(names.Dests).items() if names is not None else ():
        seen.append((name, index[target[0].objgen], repr(list(target)[1:])))
    item = document.Root.Outlines.get("/First") if "/Outlines" in document.Root else None
    stack: list[tuple[Any, int]] = [(item, 0)]
    while stack:
        item, depth = stack.pop()
        if item is not None:
            seen.append((depth, str(item.Title), index[item.Dest[0].objgen]))
            stack += [(item.get("/Next"), depth), (item.get("/First"), depth + 1)]
    elements: list[Any] = (
        [document.Root.StructTreeRoot] if "/StructTreeRoot" in document.Root else []
    )
    while elements:
        element = elements.pop()
        if isinstance(element, pikepdf.Dictionary):
            shown = element.get("/Pg")
            seen.append((str(element.get("/S")), index.get(shown.objgen) if shown else None))
            kids = element.get("/K")
            elements += list(kids) if isinstance(kids, pikepdf.Array) else [kids]
        elif isinstance(element, int):
            seen.append((element,))
    seen.append((repr(document.Root.get("/PageLabels")),))
    return seen


def _book(
    make_project: ProjectMaker, size: int, target: Target
) -> tuple[bytes, Pagination | None, list[str]]:
    """The PDF of a 100-review book laid out in chunks, with parts of `size` entries, its
    pagination (the print PDF's) and the chunks laid out."""
    parts.PART_ENTRIES = parts.LONG_ENTRIES = size
    anthology, _ = load(make_project(_reviews(100)))
    laid: list[str] = []
    exported = export_chunked(render(anthology, target), 1, None, lambda name, _: laid.append(name))
    return exported.data, exported.pagination, laid


def test_a_long_index_laid_out_in_parts_reads_as_laid_out_whole(
    make_project: ProjectMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool, "_may_fork", lambda count: False)  # the layouts in this process
    monkeypatch.setattr(parts, "PART_ENTRIES", parts.PART_ENTRIES)
    monkeypatch.setattr(parts, "LONG_ENTRIES", parts.LONG_ENTRIES)
    for target in (Target.SCREEN_PDF, Target.PRINT_PDF):
        whole, whole_pagination, laid_whole = _book(make_project, 10**6, target)
        split_up, pagination, laid = _book(make_project, SMALL_PART, target)
        assert not any("." in name for name in laid_whole)
        # The two indexes, the contributors and the filmography (100 entries each), and the
        # contents (105), each in a first part and one or more continuations.
        continued = {name.split(".")[0] for name in laid if "." in name}
        assert len(continued) == 5, laid
        assert pagination == whole_pagination
        assert _reading(split_up) == _reading(whole), target


def _peak_kib(job: ChunkJob, access: Access, fonts: Any, long: parts.Long | None) -> float:
    """The largest peak (KiB of Python objects) of laying out the document's parts one after
    the other in one process, as a worker does (each let go before the next)."""
    pdf.lay_out_chunk(job, access, fonts)  # WeasyPrint's caches and the fonts warm
    largest = 0.0
    while True:
        tracemalloc.start()
        try:
            laid, shape = pdf.lay_out_chunk(job, access, fonts)
            largest = max(largest, tracemalloc.get_traced_memory()[1] / 1024)
        finally:
            tracemalloc.stop()
        del laid
        if job.part is None or job.part.last or long is None:
            return largest
        job = parts.next_part(job, shape, long)


def _director_index_peak(make_project: ProjectMaker, count: int, fonts: Any) -> float:
    anthology, _ = load(make_project(_reviews(count)))
    book = render(anthology, Target.PRINT_PDF)
    pieces = split(book)
    jobs = jobs_for(book, pieces, None)
    piece = next(p for p in pieces if '<section id="director-index"' in jobs[p.name].html)
    return _peak_kib(jobs[piece.name], Access.for_spec(anthology.spec), fonts, piece.long)


def test_a_workers_peak_for_a_long_index_does_not_grow_with_its_entries(
    tmp_path: Path, make_project: ProjectMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parts, "PART_ENTRIES", SMALL_PART)
    monkeypatch.setattr(parts, "LONG_ENTRIES", SMALL_PART)
    fonts = pdf.chunk_fonts()
    small = _director_index_peak(make_project, 100, fonts)
    for stale in (tmp_path / "manuscripts").glob("resena-*.md"):
        stale.unlink()
    large = _director_index_peak(make_project, 400, fonts)
    # Laid out whole, the peak grows with the entries (4× of them: 4386 → 13934 KiB, 3.2×,
    # measured when written); in parts
    # it stays that of one part.
    assert large < 1.2 * small, f"{small:.0f} KiB → {large:.0f} KiB"


def test_a_part_with_no_page_opening_at_an_entry_lays_its_document_out_whole(
    make_project: ProjectMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool, "_may_fork", lambda count: False)
    monkeypatch.setattr(parts, "PART_ENTRIES", parts.PART_ENTRIES)
    monkeypatch.setattr(parts, "LONG_ENTRIES", parts.LONG_ENTRIES)
    whole, _, _ = _book(make_project, 10**6, Target.PRINT_PDF)
    # 20 entries fill less than a page of an index: no page of a part opens at an entry
    # before its last page, so each document is laid out again whole.
    fallen_back, _, laid = _book(make_project, 20, Target.PRINT_PDF)
    assert not any("." in name for name in laid)
    # Each long document (the two indexes, the contributors, the filmography): its first
    # part, then whole.
    again = {name for name in laid if name.startswith("back") and laid.count(name) == 2}
    assert len(again) == 4, laid
    assert _reading(fallen_back) == _reading(whole)

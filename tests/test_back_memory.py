"""The back matter's layouts keep no more per entry than their pages need (issue 17: peak RSS).

The filmography, the two indexes and the contributors are one chunk each, laid out in one
WeasyPrint render whose cost grows with the book. WeasyPrint 70's table cache
(`LayoutContext.tables`) kept the filmography's table as it was before layout (every row,
cell, line and text box) beside the laid-out copies the pages hold, for as long as the chunk's
layout context is kept: half of its boxes (export/pdf/laid.py `tables_released`). And the
pseudo-element styles made on demand were kept as six table entries per element
(export/pdf/pseudo_styles.py). Measured in Python objects (tracemalloc) on the back chunks
of a book of N and of 4N reviews, per review added, and in boxes alive that no page holds.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

from weasyprint.formatting_structure import boxes

from publisher.base.access import Access
from publisher.base.rendered import Target
from publisher.export import pdf
from publisher.export.chunkdata import ChunkJob
from publisher.export.chunked import jobs_for, split
from publisher.export.pdf.pseudo_styles import _DEFERRED
from publisher.pipeline import load, render
from tests.conftest import ProjectMaker, review, traced_layout

N = 8
# KiB of Python objects per review kept after the layout of the back chunk that opens with
# this document. Measured when written (N = 8 → 32, KiB per review, before → after): the
# filmography 52.0 → 29.7 (33.9 with the table cache let go alone), the film index
# 25.2 → 23.3 and the director index 23.6 → 21.5 (lists, no table: the styles alone).
KEPT_KIB_PER_REVIEW = {"filmography": 40, "film-index": 26, "director-index": 24}


def _back_jobs(make_project: ProjectMaker, count: int) -> tuple[dict[str, ChunkJob], Access]:
    reviews = {
        f"resena-{i:03d}.md": review(
            title=f"Reseña número {i}", film=f"Película {i}", year=1930 + i % 90
        ).replace("Directora Uno", f"Directora {i}")
        for i in range(count)
    }
    anthology, _ = load(make_project(reviews))
    book = render(anthology, Target.PRINT_PDF)
    pieces = split(book)
    jobs = jobs_for(book, pieces, None)
    by_document: dict[str, ChunkJob] = {}
    for piece in pieces:
        for name in KEPT_KIB_PER_REVIEW:
            if piece.kind == "back" and f'<section id="{name}"' in piece.html:
                by_document[name] = jobs[piece.name]
    assert set(by_document) == set(KEPT_KIB_PER_REVIEW)
    return by_document, Access.for_spec(anthology.spec)


def _kept(job: ChunkJob, access: Access, fonts: Any) -> tuple[float, pdf.LaidChunk]:
    """What the chunk's layout keeps, in KiB of Python objects, and the laid-out chunk."""
    _, kept, laid = traced_layout(job, access, fonts)
    return kept, laid


def _reached(laid: pdf.LaidChunk) -> set[int]:
    """The ids of the boxes the chunk's pages hold."""
    seen: set[int] = set()

    def walk(box: Any) -> Iterator[Any]:
        seen.add(id(box))
        for child in getattr(box, "children", ()):
            if isinstance(child, boxes.Box) and id(child) not in seen:
                yield child

    stack = [page._page_box for page in laid.document.pages]
    while stack:
        stack.extend(walk(stack.pop()))
    return seen


def test_the_back_matter_keeps_no_more_per_review_than_its_pages(
    make_project: ProjectMaker,
) -> None:
    fonts = pdf.chunk_fonts()
    kept: list[dict[str, float]] = []
    strays: dict[str, int] = {}
    entries: dict[str, tuple[int, int]] = {}
    for count in (N, 4 * N):
        jobs, access = _back_jobs(make_project, count)
        costs: dict[str, float] = {}
        for name, job in jobs.items():
            costs[name], laid = _kept(job, access, fonts)
            styles = laid.context.style_for
            elements = sum(1 for _, pseudo in styles.get_computed_styles() if pseudo is None)
            deferred = len(styles.__dict__.get(_DEFERRED, {}))
            entries[name] = (deferred, elements)
            reached = _reached(laid)
            gc.collect()
            alive = (box for box in gc.get_objects() if isinstance(box, boxes.Box))
            strays[name] = sum(1 for box in alive if id(box) not in reached)
            del laid
        kept.append(costs)
    per_review = {name: (kept[1][name] - kept[0][name]) / (3 * N) for name in kept[0]}
    over = {
        name: f"{cost:.0f} KiB"
        for name, cost in per_review.items()
        if cost > KEPT_KIB_PER_REVIEW[name]
    }
    assert not over, f"kept per review: {over}"
    # The one box no page holds: the footnote area WeasyPrint's layout context makes and
    # keeps (the chunk's context is kept for its margin boxes).
    assert all(count <= 1 for count in strays.values()), f"boxes no page holds: {strays}"
    # The pseudo-element styles not made yet: one entry per element at most, not one per
    # (element, pseudo-element) pair (six per element, from the user-agent rules).
    assert all(kept <= every for kept, every in entries.values()), f"deferred: {entries}"

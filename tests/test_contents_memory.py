"""The contents' layout does not cost more per entry than its boxes need (issue 17: peak RSS).

The front chunk (the contents listing every review, each with its `target-counter()` page
number) is laid out in one WeasyPrint render, so its cost grows with the book. Two costs of
that render that are not its boxes were cut (export/pdf/pseudo_styles.py, and
carried.targets_settled): six pseudo-element styles made for every element whether or not
the layout asks for them, and the pre-layout box tree kept after the render by the target
collector. Measured in Python objects (tracemalloc), on the front chunk of a book of N and of
4N reviews, per contents entry added.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import weasyprint

from publisher.base.access import Access
from publisher.base.rendered import Target
from publisher.export import pdf
from publisher.export.chunkdata import ChunkJob
from publisher.export.chunked import jobs_for, split
from publisher.export.pdf.pseudo_styles import every_style, pseudo_styles_on_demand
from publisher.pipeline import load, render
from tests.conftest import ProjectMaker, review, traced_layout

N = 8
# KiB of Python objects per contents entry, at the front chunk's layout peak and kept after
# it. Measured when written (N = 8 → 32): 100 at the peak and 97 kept before the change, 66
# and 46 after it (66 kept with the pre-layout tree kept too).
PEAK_KIB_PER_ENTRY = 80
KEPT_KIB_PER_ENTRY = 56


def _front_job(make_project: ProjectMaker, count: int) -> tuple[ChunkJob, Access]:
    reviews = {
        f"resena-{i:03d}.md": review(
            title=f"Reseña número {i}", film=f"Película {i}", year=1930 + i
        )
        for i in range(count)
    }
    anthology, _ = load(make_project(reviews))
    book = render(anthology, Target.PRINT_PDF)
    pieces = split(book)
    front = next(piece for piece in pieces if piece.kind == "front")
    job = jobs_for(book, pieces, None)[front.name]
    numbered = tuple((anchor, 5 + i) for i, (anchor, _) in enumerate(job.externals))
    return dataclasses.replace(job, externals=numbered), Access.for_spec(anthology.spec)


def _costs(make_project: ProjectMaker, count: int) -> tuple[float, float, int]:
    """The front chunk's layout: its peak and what it keeps (KiB of Python objects), and the
    number of external anchors (contents entries) it prints the page of."""
    job, access = _front_job(make_project, count)
    peak, kept, laid = traced_layout(job, access, pdf.chunk_fonts())
    assert laid.pages
    return peak, kept, len(job.externals)


def test_the_contents_costs_no_more_per_entry_than_its_boxes(make_project: ProjectMaker) -> None:
    small_peak, small_kept, small = _costs(make_project, N)
    large_peak, large_kept, large = _costs(make_project, 4 * N)
    entries = large - small
    assert entries >= 3 * N
    peak = (large_peak - small_peak) / entries
    kept = (large_kept - small_kept) / entries
    assert peak <= PEAK_KIB_PER_ENTRY, f"{peak:.0f} KiB per entry at the layout's peak"
    assert kept <= KEPT_KIB_PER_ENTRY, f"{kept:.0f} KiB per entry kept after the layout"


HTML = """<html lang="es"><head><style>
li::marker { color: red } a::before { content: "→ " } p::after { content: " ←"; color: blue }
em::before { content: "«"; anchor: attr(id) }
</style></head><body><ol><li><a href="#x">Uno</a></li><li>Dos <em id="e">tres</em></li></ol>
<p id="x">Cuatro</p></body></html>"""


def test_every_style_is_the_table_weasyprint_makes(tmp_path: Path) -> None:
    def table(deferred: bool) -> dict[tuple[str, str | None], tuple[str, ...]]:
        html = weasyprint.HTML(string=HTML, base_url=str(tmp_path))
        if deferred:
            with pseudo_styles_on_demand():
                styles = weasyprint.css.get_all_computed_styles(html)
                asked = styles(html.etree_element.find(".//li"), "marker")
            assert asked is not None and asked["color"] == (1, 0, 0, 1)
            made = len(styles._computed_styles)
            every = every_style(styles)
            assert made < len(every)  # some were not made until asked for
        else:
            every = weasyprint.css.get_all_computed_styles(html)._computed_styles
        return {
            (element.tag, pseudo): tuple(
                str(style[name]) for name in ("color", "content", "display", "anchor")
            )
            for (element, pseudo), style in every.items()
            if not isinstance(element, tuple)
        }

    assert table(deferred=True) == table(deferred=False)

"""A table laid out in parts with the whole table's column widths (export/parts.py: the
filmography of more than LONG_ENTRIES rows; issue 17, peak RSS).

WeasyPrint 70's auto table layout (layout/table.py `auto_table_layout`, CSS 2 §17.5.2.2 and
css-tables-3 §3.9) sizes the columns from each column's min- and max-content widths, which
layout/preferred.py `table_and_columns_preferred_widths` takes as the maximum over the column's
cells (`table_cell_min_max_content_width`) and its `<col>`, and from them the table's own. A
part holds some of the rows only, so:

- `measured`: the first part's worker measures the columns of each slice of the other rows
  (its page rendered until the table's widths are known, then abandoned: one slice's boxes
  at a time, none laid out);
- `columns_from`: each part is laid out with the elementwise maximum of its own columns and
  the given ones (the whole table's, when they cover every other row), and the table's min-
  and max-content widths made again from them as WeasyPrint makes them.

The maximum is exact when no cell spans columns (parts.py `long_table_of` checks) and no
column has a percentage width (checked here: `Unsafe`). Which columns are constrained (a cell
with a fixed `width`) is the OR over the rows, also exact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any
from unittest import mock

import weasyprint
import weasyprint.formatting_structure.build
import weasyprint.layout.preferred
import weasyprint.layout.table
from weasyprint.css.functions import check_math
from weasyprint.layout.preferred import adjust, margin_width

from ..chunkdata import Columns, Part
from ..parts import BEFORE, COLUMNS, PART_STYLE
from .patches import notes_stay_with_calls

_ORIGINAL = weasyprint.layout.preferred.table_and_columns_preferred_widths
_COLLAPSE = weasyprint.formatting_structure.build.collapse_table_borders


class Unsafe(Exception):
    """The table's widths cannot be taken from its parts' (a column has a percentage width)."""


class _Measured(Exception):
    """Ends a slice's render once its table's columns are known."""

    def __init__(self, columns: Columns) -> None:
        super().__init__()
        self.columns = columns


def widest(*tables: Columns) -> Columns:
    """The elementwise maximum of tables' columns (the same count each; () is none)."""
    given = [columns for columns in tables if columns]
    if not given:
        return ()
    if len({len(columns) for columns in given}) != 1:
        raise Unsafe("the parts' tables do not have the same columns")
    return tuple(
        (max(c[0] for c in column), max(c[1] for c in column), any(c[2] for c in column))
        for column in zip(*given, strict=True)
    )


def measured(pages: list[str], part: Part, base_url: str, fetcher: Any, fonts: Any) -> Columns:
    """The elementwise maximum of the columns of the part's table (the element child number
    `part.container` of the element `part.document`) in each of `pages` (parts.py
    `table_slices`), each rendered with the part's style until its table's widths are known.
    Raises Unsafe (see the module's docstring), and what WeasyPrint's render raises."""
    found: list[Columns] = []
    sheets = [weasyprint.CSS(string=PART_STYLE)]
    for page in pages:
        try:
            with notes_stay_with_calls(), _hooked(part, _stop):
                weasyprint.HTML(string=page, base_url=base_url, url_fetcher=fetcher).render(
                    stylesheets=sheets, font_config=fonts
                )
        except _Measured as measure:
            found.append(measure.columns)
            continue
        raise Unsafe(f"{part.document}: its table was not laid out")
    return widest(*found)


def _stop(columns: Columns) -> Columns:
    raise _Measured(columns)


@contextmanager
def columns_from(part: Part, given: Columns, used: list[Columns]) -> Iterator[None]:
    """During one render, the part's table laid out with the elementwise maximum of its own
    columns and `given`'s (the whole table's in a continuation part's job: its own cells are
    then not measured); that maximum appended to `used`. Raises Unsafe."""

    def whole(own: Columns) -> Columns:
        columns = widest(own, given)
        if not used:
            used.append(columns)
        return columns

    with _hooked(part, whole, covered=bool(given) and not part.table):
        yield


@contextmanager
def _cells_unmeasured() -> Iterator[None]:
    """Every table cell's min- and max-content width taken as 0."""
    with mock.patch.object(
        weasyprint.layout.preferred, "table_cell_min_max_content_width", lambda *_: (0, 0)
    ):
        yield


@contextmanager
def _hooked(
    part: Part, columns: Callable[[Columns], Columns], covered: bool = False
) -> Iterator[None]:
    """`table_and_columns_preferred_widths` answering, for the part's table, with the columns
    `columns(own)` gives (own: the table's own columns), once per table box WeasyPrint asks
    about (its answer is cached in the layout context's `tables`). `covered`: what `columns`
    gives covers the part's rows, so its cells are not measured (own: their `<col>`s' alone;
    0.14 s of a 300-row part's 0.9 s of CPU)."""

    def preferred(context: Any, box: Any, outer: bool = True) -> Any:
        table = box.get_wrapped_table()
        if table in context.tables or not _is_parts(table, part):
            return _ORIGINAL(context, box, outer)
        with _cells_unmeasured() if covered else nullcontext():
            _ORIGINAL(context, box, outer)
        figures = context.tables[table][False]
        mins, maxs, percentages, fixed = figures[2:6]
        if any(percentages):
            raise Unsafe(f"{part.document}: a column of its table has a percentage width")
        chosen = columns(tuple(zip(mins, maxs, fixed, strict=True)))
        context.tables[table] = _remade(box, table, chosen, figures)
        return context.tables[table][outer]

    def collapse(table: Any, width: int, height: int) -> tuple[list[Any], list[Any]]:
        grid = _COLLAPSE(table, width, height)
        return _before_dropped(table, grid) if _is_parts(table, part) else grid

    with (
        mock.patch.object(weasyprint.layout.preferred, "table_and_columns_preferred_widths",
                          preferred),
        mock.patch.object(weasyprint.layout.table, "table_and_columns_preferred_widths",
                          preferred),
        mock.patch.object(weasyprint.formatting_structure.build, "collapse_table_borders",
                          collapse),
    ):  # fmt: skip
        yield


def _before_dropped(table: Any, grid: tuple[list[Any], list[Any]]) -> tuple[list[Any], list[Any]]:
    """A continuation part's table without the row before its first (parts.py marks it
    BEFORE), once the collapsed borders are resolved with it (WeasyPrint 70,
    layout/table.py `collapse_table_borders`, called when the boxes are built): so that its
    first row's top border is half the width resolved between it and that row, as on a page
    where the whole table continues, while the line drawn above it stays the header's
    (draw/__init__.py `draw_collapsed_borders` draws a continuation page's first line from
    the header's row of the grid). Its row of vertical borders and the line between it and
    the first row leave the grid with it."""
    vertical, horizontal = grid
    y = 0
    for group in table.children:
        for row in group.children:
            if row.element is not None and row.element.get(COLUMNS) == BEFORE:
                group.children = [child for child in group.children if child is not row]
                del vertical[y], horizontal[y + 1]
                return vertical, horizontal
            y += 1
    return grid


def _is_parts(table: Any, part: Part) -> bool:
    """The table is the part's (parts.py marks it: WeasyPrint's elements know no parent)."""
    element = table.element
    return element is not None and element.get(COLUMNS) == part.document


def _remade(box: Any, table: Any, columns: Columns, figures: tuple[Any, ...]) -> dict[bool, Any]:
    """The cache entry `table_and_columns_preferred_widths` makes, for `columns`: the end of
    that function (WeasyPrint 70, layout/preferred.py) with no intrinsic percentage (so the
    large percentage contribution is the columns' max-content sum, and no small one)."""
    spacing, grid = figures[6], figures[7]
    mins = [column[0] for column in columns]
    maxs = [column[1] for column in columns]
    fixed = [column[2] for column in columns]
    table_min = spacing + sum(mins)
    table_max = spacing + sum(maxs)  # no percentage: the large contribution is the sum
    width = table.style["width"]
    if width != "auto" and not check_math(width) and width.unit.lower() == "px":
        min_width = max_width = width.value
    else:
        min_width, max_width = table_min, table_max
    table_min = max(table_min, adjust(table, outer=False, width=min_width))
    table_max = max(table_max, adjust(table, outer=False, width=max_width))
    rest = (mins, maxs, [0] * len(columns), fixed, spacing, grid)
    return {
        False: (table_min, table_max, *rest),
        True: (
            margin_width(table, margin_width(box, table_min)),
            margin_width(table, margin_width(box, table_max)),
            *rest,
        ),
    }

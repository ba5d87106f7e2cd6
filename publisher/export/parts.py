"""A long document of the back matter laid out in parts of bounded size (issue 17: peak RSS
flat as the book grows).

An index or the list of contributors is one document: laid out in one render, its worker
holds every laid-out page until it is written, about 42 KiB of RSS per entry. A flowing list
can be cut where a page of the whole layout opens at the start of an entry (no entry split
across that page break): the pages from there on depend only on what follows, and on what
the chunks already carry across (the page number, the named strings, the page's side). So a
document of more than LONG_ENTRIES entries is laid out in parts (export/chunked.py plans
them, export/pdf/chunks.py lays them out):

- part 1 is the document with its entries [0, PART_ENTRIES); it keeps its pages up to, not
  including, the last page that opens at an entry and is not its last page (so every page it
  keeps was broken knowing what follows it); that entry is its `Shape.cut`;
- the next part is the document with the entries from the cut on (PART_ENTRIES of them),
  drawn as a page after an unforced break: the containers' and the first entry's top margin,
  padding and border are dropped (CSS Fragmentation 3 §5.2: a margin adjoining an unforced
  break is truncated, and a box broken across pages is sliced, `box-decoration-break`), the
  heading before the entries is not drawn (it was, on an earlier page), the page's side is
  carried (`break-before` on the root sets the first page's side in WeasyPrint's
  `initialize_page_maker`);
- the last part (the rest of the entries, and what follows the document in its chunk, the
  colophon) keeps all its pages.

The part size is fixed, never derived from the worker count, so the bytes do not depend on
it. The markup of a part is the document's tree with the other entries removed (lxml); the
elements it marks are styled by PART_STYLE (export/pdf/chunks.py). Not checked: a theme rule
that selects entries by their siblings (`li:first-child`, `li + li`, `:nth-child()`) would
match a continuation's first entry, which has none before it; the built-in themes have none
(tests/test_long_parts.py compares the parts with the whole).

A table (the filmography, TABLE_KINDS) is cut the same way, its entries the rows of its
`<tbody>`; its header (`<thead>`) is in every part, as WeasyPrint repeats it on every page the
table spans. Its columns take their widths from every row (CSS 2 §17.5.2.2), so each part is
laid out with the whole table's (export/pdf/columns.py: the first part's job holds the whole
document, `Part.table`, and its worker measures the other rows; the next parts' jobs carry the
figures, `Part.columns`). A continuation part also holds the row before its first, dropped
once the collapsed borders are resolved (COLUMNS, BEFORE: columns.py). Not cut: a table with a
cell spanning rows or columns (`long_table_of`), or a column of a percentage width (laid out
whole, columns.py); tests/test_long_table.py compares the parts with the whole.

The contents (export/nested_parts.py) are nested lists (`ol.toc > li.toc-part > ol >
li.toc-review`, `li.toc-front`): their entries are the leaf items, in document order, cut by
the same rule (export/pdf/nested_cut.py). A continuation keeps the items its first entry is in
(ENCLOSING: their own link, `::marker` and `::before` not drawn, as on a page of the whole
that opens inside them) and what precedes it as empty hidden placeholders, so each element
keeps its path (the pagination needs no renumbering) and its place among its siblings; the
items it opens inside of keep their list number (`value`). Contents are cut from the front
matter's chunk only when long (export/pieces.py), and their parts print other chunks' page
numbers: measured, then laid out again as the contents are (export/chunked.py `front`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import lxml.html

from ..base.outline import Kind
from .chunkdata import ChunkJob, Part, Shape
from .nested_parts import nested_list, nested_text
from .part_marks import CONTINUED, HIDDEN, MARK
from .part_marks import PART_STYLE as PART_STYLE  # where export/pdf/chunks.py takes it

# A document of more than LONG_ENTRIES entries is laid out in parts of PART_ENTRIES: a part is
# then never longer than a document the 400-review benchmark book lays out whole (its contents
# ~415 entries, each index ~340, the filmography 400 rows), so a worker's peak stops growing there,
# and books of that size and less are laid out as before (no part's extra page laid out twice).
LONG_ENTRIES = 450
PART_ENTRIES = 300  # about 10 pages of an index, 60 of the contributors
LONG_KINDS = frozenset({Kind.FILM_INDEX, Kind.DIRECTOR_INDEX, Kind.CONTRIBUTORS})
# On a table part's table: its document's id; on the row before a continuation's first, BEFORE.
COLUMNS, BEFORE = "data-publisher-columns", "before"
# A page rule for the first page would style a continuation part's first page, which is not
# the document's first.
_FIRST_PAGE = re.compile(r"@page[^{]*:first\b")


@dataclass(frozen=True)
class Long:
    """A long document and what follows it in its chunk: `document`, its markup (one element,
    whose child number `container` among its elements holds the `entries` entries); `after`,
    the markup after it in the chunk (the colophon); `ending`, the chunk's end (the sentinel,
    or ""); `tail`, the page's end (`</body></html>`)."""

    document: str
    identifier: str
    container: int
    entries: int
    after: str
    ending: str
    tail: str
    rows: bool = False  # the entries are the rows of the container's <tbody> (a table)
    nested: bool = False  # the entries are the leaf items of nested lists (nested_parts.py)


def long_of(
    kind: Kind, document: str, after: str, ending: str, tail: str, stylesheet: str
) -> Long | None:
    """The document as a Long when it is one of LONG_KINDS with a list of more than
    LONG_ENTRIES entries: a `<ul>` or `<ol>` child of its element, whose children are the
    entries, or one of TABLE_KINDS with a table of more than LONG_ENTRIES rows
    (`long_table_of`), or the contents with more than LONG_ENTRIES leaf items in its nested
    lists; None otherwise, and when the stylesheet styles the first page."""
    if _FIRST_PAGE.search(stylesheet):
        return None
    if kind in TABLE_KINDS:
        return long_table_of(document, after, ending, tail)
    if kind is Kind.CONTENTS:  # nested lists: its entries are their leaf items
        found = nested_list(document)
        if found is None or found[2] <= LONG_ENTRIES:
            return None
        return Long(document, *found, after, ending, tail, nested=True)
    if kind not in LONG_KINDS:
        return None
    root = lxml.html.fragment_fromstring(document)
    children = [child for child in root if isinstance(child.tag, str)]
    lists = [index for index, child in enumerate(children) if child.tag in ("ul", "ol")]
    if len(lists) != 1 or not root.get("id"):
        return None
    entries = sum(1 for child in children[lists[0]] if isinstance(child.tag, str))
    if entries <= LONG_ENTRIES:
        return None
    return Long(document, str(root.get("id")), lists[0], entries, after, ending, tail)


def part_text(long: Long, first: int, size: int | None = None) -> str:
    """The markup of the part with the entries [first, first + size) (PART_ENTRIES unless
    told), followed by what follows the document when it is the last part, and the page's
    end."""
    size = PART_ENTRIES if size is None else size
    if long.nested:
        part = nested_text(long.document, long.container, first, size)
        if first + size >= long.entries:
            return part + long.after + long.ending + long.tail
        return part + long.tail
    root = lxml.html.fragment_fromstring(long.document)
    children = [child for child in root if isinstance(child.tag, str)]
    container = children[long.container]
    holder = _rows_of(container) if long.rows else container
    assert holder is not None
    if long.rows:  # the table laid out with the whole table's columns (export/pdf/columns.py)
        container.set(COLUMNS, long.identifier)
    entries = [child for child in holder if isinstance(child.tag, str)]
    held = first - 1 if long.rows and first > 0 else first  # and the row before (columns.py)
    for index, entry in enumerate(entries):
        if not held <= index < first + size:
            holder.remove(entry)  # with its tail: white space between entries
    if held < first:
        entries[held].set(COLUMNS, BEFORE)
    if first > 0:
        for child in children[: long.container]:
            child.set(MARK, HIDDEN)
        for element in (root, container, entries[first]):
            element.set(MARK, CONTINUED)
    text: str = lxml.html.tostring(root, encoding="unicode")
    if first + size >= long.entries:
        return text + long.after + long.ending + long.tail
    return text + long.tail


def first_part(long: Long) -> Part:
    """The part that opens the document."""
    if long.rows:  # its worker measures the whole table's columns (export/pdf/columns.py)
        return Part(0, False, False, long.identifier, long.container, 2, table=long.document)
    return Part(0, False, False, long.identifier, long.container, nested=long.nested)


def next_part(job: ChunkJob, shape: Shape, long: Long) -> ChunkJob:
    """The job of the part after `job`'s (laid out as `shape`, cut at `shape.cut`): the same
    chunk job (page head, external anchors) with the part's markup, its first page's side
    carried from the pages `job` kept, and the sentinel only when it is the last part."""
    part = job.part
    assert part is not None and shape.cut > part.first
    text = part_text(long, part.first)
    prefix = job.html[: len(job.html) - len(text)]  # the page's head, when the job holds it
    last = shape.cut + PART_ENTRIES >= long.entries
    left = part.left != (shape.pages % 2 == 1)
    return replace(
        job,
        name=part_name(job.name, shape.cut, left),
        html=prefix + part_text(long, shape.cut),
        part=replace(
            part,
            first=shape.cut,
            left=left,
            last=last,
            table="",
            columns=part.columns or shape.columns,
        ),
        recto=False,
        sentinel=bool(long.ending) if last else False,
    )


def whole_job(job: ChunkJob, long: Long) -> ChunkJob:
    """The job of the first part, `job`, made the job of the whole document: no page of the
    part opens at an entry (one entry fills its pages)."""
    assert job.part is not None and job.part.first == 0
    prefix = job.html[: len(job.html) - len(part_text(long, 0))]
    text = long.document + long.after + long.ending + long.tail
    return replace(job, html=prefix + text, part=None)


def rest_job(job: ChunkJob, long: Long) -> ChunkJob:
    """The job of a continuation part, `job`, made the document's last part: every entry from
    its first on (no page of it opens at an entry before its last: it cannot be cut)."""
    part = job.part
    assert part is not None and part.first > 0
    prefix = job.html[: len(job.html) - len(part_text(long, part.first))]
    text = part_text(long, part.first, long.entries)
    last = replace(part, last=True)
    return replace(job, html=prefix + text, part=last, sentinel=bool(long.ending))


def part_name(name: str, first: int, left: bool) -> str:
    """The name of a continuation part of the chunk named `name` (its first part's)."""
    base = name.split(".", 1)[0]
    return f"{base}.{first:05d}{'v' if left else 'r'}"


# A table (the filmography) of more than LONG_ENTRIES rows is laid out in parts of PART_ENTRIES
# rows, each laid out with the whole table's column widths (export/pdf/columns.py).
TABLE_KINDS = frozenset({Kind.FILMOGRAPHY})
_SPANS = ("colspan", "rowspan")


def long_table_of(document: str, after: str, ending: str, tail: str) -> Long | None:
    """The document as a Long whose entries are the rows of its table (its element's one
    `<table>` child, with one `<tbody>` of `<tr>` rows) when it has more than LONG_ENTRIES of
    them and no cell spans columns or rows (a spanning cell's widths are shared out among its
    columns from the other rows' figures, CSS 2 §17.5.2.2: not the elementwise maximum of
    the parts' figures); None otherwise."""
    root = lxml.html.fragment_fromstring(document)
    children = [child for child in root if isinstance(child.tag, str)]
    tables = [index for index, child in enumerate(children) if child.tag == "table"]
    if len(tables) != 1 or not root.get("id"):
        return None
    table = children[tables[0]]
    rows = _rows_of(table)
    if rows is None or any(cell.get(span) for cell in table.iter("td", "th") for span in _SPANS):
        return None
    entries = [child for child in rows if isinstance(child.tag, str)]
    if len(entries) <= LONG_ENTRIES or any(entry.tag != "tr" for entry in entries):
        return None
    return Long(document, str(root.get("id")), tables[0], len(entries), after, ending, tail, True)


def _rows_of(table: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The table's one `<tbody>` (its rows are a table part's entries), or None."""
    bodies = [child for child in table if isinstance(child.tag, str) and child.tag == "tbody"]
    return bodies[0] if len(bodies) == 1 else None


def table_slices(job: ChunkJob) -> list[str]:
    """For the first part of a table (its `Part.table` holds the whole document), the page of
    each slice of its rows after the part's own: the part's page with the rows [k, k + n) in
    place of its own, for k = PART_ENTRIES, PART_ENTRIES + n, …, and n half a part's rows (its
    worker measures their columns, export/pdf/columns.py: a slice's peak stays below a part's
    layout's, and the measure's CPU is per row, 0.01 s a slice at 1,000 films)."""
    part = job.part
    assert part is not None and part.table
    long = long_table_of(part.table, "", "", "")
    assert long is not None
    own = part_text(long, 0)
    start = job.html.rindex(own)
    prefix, suffix = job.html[:start], job.html[start + len(own) :]
    size = max(1, PART_ENTRIES // 2)
    firsts = range(PART_ENTRIES, long.entries, size)
    return [job.head + prefix + part_text(long, first, size) + suffix for first in firsts]

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
elements it marks are styled by PART_STYLE (export/pdf/chunks.py). A table is not cut (the
filmography): its columns take their widths from every row (CSS 2 §17.5.2.2). Not checked: a
theme rule that selects entries by their siblings (`li:first-child`, `li + li`,
`:nth-child()`) would match a continuation's first entry, which has none before it; the
built-in themes have none (tests/test_long_parts.py compares the parts with the whole).

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
    nested: bool = False  # the entries are the leaf items of nested lists (nested_parts.py)


def long_of(
    kind: Kind, document: str, after: str, ending: str, tail: str, stylesheet: str
) -> Long | None:
    """The document as a Long when it is one of LONG_KINDS with a list of more than
    LONG_ENTRIES entries: a `<ul>` or `<ol>` child of its element, whose children are the
    entries; None otherwise, and when the stylesheet styles the first page."""
    if _FIRST_PAGE.search(stylesheet):
        return None
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
    entries = [child for child in container if isinstance(child.tag, str)]
    for index, entry in enumerate(entries):
        if not first <= index < first + size:
            container.remove(entry)  # with its tail: white space between entries
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
        part=replace(part, first=shape.cut, left=left, last=last),
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

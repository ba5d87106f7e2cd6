"""What passes between the chunked layout's planner (export/chunked.py), the process that lays a
chunk out (export/pdf/chunks.py, in a worker of export/pool.py) and the merge (export/merge.py).

A chunk is a run of the book's documents that opens on a recto: the front matter, a group of
parts and reviews, the back matter. Everything here is plain data (picklable, and kept as JSON
in the build cache by export/chunkstore.py). Page numbers are page-counter values (what a folio
prints); page indices count from 0 within a chunk.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from ..base.gate import Input
from ..base.rendered import Pagination

# An empty element that breaks to a recto, ending every chunk but the last: its page is dropped
# (ChunkJob.sentinel), the blank verso before it stays.
SENTINEL = '<div style="break-before: right"></div>'
Pairs = tuple[tuple[str, int], ...]  # (anchor, page number or index), sorted
Strings = tuple[tuple[str, str], ...]  # (named string, value), sorted
# A table's columns as its auto layout takes them (CSS px): (min-content width, max-content
# width, constrained: a cell has a fixed `width`), one per column (export/pdf/columns.py).
Columns = tuple[tuple[float, float, bool], ...]


class LayoutsDiffer(Exception):
    """The screen PDF's cascade differs from the print PDF's in a property that moves boxes
    (not only in DRAW_ONLY ones, export/pdf/cascades.py): one layout cannot serve both PDFs, each is
    laid out on its own."""


class ChunkUnsafe(Exception):
    """The book cannot be laid out in chunks with the same result as one layout (a chunk does
    not open on a recto, a page counter is reset inside a chunk, the layout did not settle):
    the exporter lays the whole book out at once instead."""


@dataclass(frozen=True)
class ScreenJob:
    """The screen PDF's write of a print chunk's layout: `head`, the screen profile's head, up
    to and including the `<body>` tag, which takes the place of the print page's (ChunkJob
    `screen_page`: its cascade gives the values of the properties that only change drawing,
    such as link colours); `book_id` (32 hex digits) and `variant` of the screen PDF. The
    style rules that differ between the two heads are compared by each worker, once per
    process (pdf/cascades.py `differing_rules`' cache), so the build process need not import
    WeasyPrint."""

    head: str
    book_id: str
    variant: str = "pdf/ua-1"


@dataclass(frozen=True)
class Part:
    """A part of a long document laid out on its own (export/parts.py): its entries from the
    document's `first` (0-based) on; `left`: its first page is a verso (a continuation part
    opens where an unforced page break fell); `last`: it keeps all its pages (the others keep
    those before their last page that opens at an entry, `Shape.cut`); `document`: the id of
    the document's element, whose entries' container is its child number `container` (among
    its elements), so the part's pagination names the entries as the whole document does;
    `depth`: where an entry's number is in an element path (1: a child of the container; 2:
    a row of the container table's `<tbody>`). A part of a table: `columns`, the whole
    table's columns, with which every part is laid out (() in the first part's job, whose
    worker measures them, `Shape.columns`); `table`, the whole document's markup in the
    first part's job (so its chunk key covers every row: the widths depend on them), "" in
    the others'. `nested`: the entries are the leaf items of nested lists (the contents:
    export/nested_parts.py), `first` counting them, and the part's element paths are the
    whole's (what precedes its first entry is kept as hidden placeholders: nothing to
    renumber)."""

    first: int
    left: bool
    last: bool
    document: str
    container: int
    depth: int = 1
    columns: Columns = ()
    table: str = ""
    nested: bool = False


@dataclass(frozen=True)
class ChunkJob:
    """One chunk to lay out.

    `html`: the whole page of the chunk (head, stylesheet, its documents), or what follows
    `head` in it when `head` is given (`page` is then the two together: the head, the same
    for every chunk, is held once: issue 17, peak RSS); `start`: the page
    number of its first page (provisional while earlier chunks are not laid out: only the
    margin boxes depend on it and `finish_chunk` remakes them); `externals`: every anchor its
    links point to in other chunks, with the page number it is known to have (0 while unknown),
    which `target-counter()` prints and whose links are kept for the merge; `seeds`: the value
    each named string (`string-set`) has when the chunk begins; `sentinel`: the page ends with
    an empty element that breaks to a recto, whose page is dropped (the blank verso before the
    next chunk stays, as one layout makes it); `recto`: check that the chunk's first document
    breaks to a recto (every chunk but the book's first); `screen`: also write the layout as
    the screen PDF's chunk (ChunkPdf.screen); `cover`: the screen PDF's cover pages, whose page
    counter runs before the book's first page (its check is skipped); `fork_screen`: write the
    screen chunk in a forked process while this one writes the print chunk (set by the planner
    when a worker would otherwise wait; how, not what: the chunk's key leaves it out); `links`:
    annotate the chunk's links (False for the print PDF's: export/pdf/carried.py `links_kept`);
    `part`: the chunk is a part of a long document (export/parts.py), None for a whole one.
    """

    name: str
    html: str
    base_url: str
    book_id: str
    variant: str | None
    keywords: tuple[str, ...]
    stamp: str | None
    start: int = 1
    externals: Pairs = ()
    seeds: Strings = ()
    sentinel: bool = True
    recto: bool = True
    paginate: bool = False
    screen: ScreenJob | None = None
    cover: bool = False
    fork_screen: bool = False
    links: bool = True
    head: str = ""
    part: Part | None = None

    @property
    def page(self) -> str:
        """The chunk's whole page (its `head` and `html`)."""
        return self.head + self.html

    @property
    def screen_page(self) -> str:
        """The page of the screen write: the screen head, then what follows the print head.
        Raises ValueError for a job without a screen write or a page without a `<body>`."""
        if self.screen is None:
            raise ValueError(f"{self.name}: no screen write")
        if self.head:
            return self.screen.head + self.html
        body = self.html.index(">", self.html.index("<body", self.html.rindex("</head>"))) + 1
        return self.screen.head + self.html[body:]


@dataclass(frozen=True)
class Shape:
    """What a chunk's layout tells before it is finished: its page count, the page index of
    each anchor in it, the last value of each named string it sets, the external page numbers
    its text printed (`used`), whether a `target-counter()` pointed inside it (its text then
    depends on its first page number), the files it read (gate inputs), and for a part of a
    long document that is not its last (ChunkJob.part) the entry the next part opens with
    (`cut`, 0 for any other chunk); for a table's first part, the whole table's columns it
    measured (`columns`, the next parts' `Part.columns`; () for any other chunk)."""

    pages: int
    anchors: Pairs
    strings: Strings
    used: Pairs
    local_targets: bool
    inputs: tuple[Input, ...]
    cut: int = 0
    columns: Columns = ()


@dataclass(frozen=True)
class Bookmark:
    """An outline entry as WeasyPrint makes it: page index in the chunk, `bookmark-level`,
    label, position in PDF points (origin at the bottom left of the page), closed or open."""

    page: int
    level: int
    label: str
    x: float
    y: float
    closed: bool


@dataclass(frozen=True)
class Spilled:
    """A chunk's PDF kept in a file rather than in memory (issue 17: peak RSS): the chunk store's
    `path`, and the `sha256` (hex) of the bytes it held when written."""

    path: Path
    sha256: str


@dataclass(frozen=True)
class ChunkPdf:
    """A finished chunk: its PDF (metadata, tags and fonts of its own; merged later), laid out
    from page number `start` with the named strings in `seeds_used` carried in; `screen`: the
    same layout written as the screen PDF's chunk (b"" when the job asked for none). `spilled`,
    `screen_spilled`: where `data` and `screen` are when they were let go of (b"": read them
    with `pdf_bytes`; export/chunkstore.py `ChunkStore.spill`)."""

    shape: Shape
    start: int
    seeds_used: Strings
    data: bytes
    bookmarks: tuple[Bookmark, ...]
    pagination: Pagination | None = None
    screen: bytes = b""
    spilled: Spilled | None = None
    screen_spilled: Spilled | None = None

    def screen_write(self) -> ChunkPdf:
        """The chunk with its screen write as its PDF (what the screen PDF's merge reads)."""
        return replace(self, data=self.screen, screen=b"", spilled=self.screen_spilled,
                       screen_spilled=None)  # fmt: skip


def pdf_bytes(chunk: ChunkPdf) -> bytes:
    """The chunk's PDF: `data`, or read from where it was spilled. Raises OSError when that file
    cannot be read, ValueError when it no longer holds what was written there."""
    if chunk.spilled is None:
        return chunk.data
    data = chunk.spilled.path.read_bytes()
    if hashlib.sha256(data).hexdigest() != chunk.spilled.sha256:
        raise ValueError(f"{chunk.spilled.path} changed after it was written")
    return data


def pdf_sha256(chunk: ChunkPdf) -> str:
    """The sha256 (hex) of the chunk's PDF, without reading it back when it was spilled."""
    if chunk.spilled is not None:
        return chunk.spilled.sha256
    return hashlib.sha256(chunk.data).hexdigest()

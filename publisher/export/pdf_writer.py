"""A PDF file written object by object (for export/merge.py; issue 17): each object goes to the
output as soon as it is serialized, so memory holds only what is not written yet.

Written by hand because no installed library writes a PDF incrementally: qpdf (pikepdf) and
pydyf (`PDF.write`) both serialize a document they hold whole, and pikepdf's `unparse()` gives a
scalar's syntax (used here) but an indirect reference with the object number of its own file.

The file (ISO 32000-1 §7.5): a header; stream objects written in place; every other object
packed, in the order written, into compressed object streams of `BATCH` objects (§7.5.7), as
qpdf's `generate` mode packs them; at the end one cross-reference stream (§7.5.8) holding the
trailer, listing the numbers in use by `/Index` runs (numbers may be left unused: a merge gives
each chunk a range of its own, so a chunk's objects can be written once and kept, a `Segment`).
Streams without a filter are compressed (Flate), except XMP metadata, which qpdf's
`compress_streams` leaves readable too.
"""

from __future__ import annotations

import io
import itertools
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

import pikepdf

from .xref import XrefTable, png_up, rows

BATCH = 100  # objects per object stream (qpdf's generate mode)
MAX_NUMBER = 8_388_607  # the largest object number a reader must take (ISO 32000-1 Annex C)
LEVEL = zlib.Z_DEFAULT_COMPRESSION
DICTIONARY = pikepdf.ObjectType.dictionary
ARRAY = pikepdf.ObjectType.array


@dataclass(frozen=True)
class Ref:
    """An indirect reference to object `number` (generation 0) of the file being written."""

    number: int


# What `encode` takes: pikepdf objects (a chunk's; an indirect one is named by `refer`), Python
# scalars as pikepdf gives them, and Ref / list / dict (keys: names like "/Type") made here.
Refer = Callable[[Any], bytes]


def encode(value: Any, refer: Refer) -> bytes:
    """PDF syntax of `value`; `refer(obj)` gives the `N 0 R` naming an indirect pikepdf object
    (and sees to it that it is written). Raises TypeError for a stream that is not indirect."""
    if isinstance(value, pikepdf.Object):
        if value.is_indirect:
            return refer(value)
        code = value._type_code
        if code == DICTIONARY:
            return _dictionary(value.items(), refer)
        if code == ARRAY:
            return b"[" + b" ".join(encode(item, refer) for item in value) + b"]"
        if code == pikepdf.ObjectType.stream:
            raise TypeError("a direct stream")
        return value.unparse()
    if isinstance(value, Ref):
        return b"%d 0 R" % value.number
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, int):
        return b"%d" % value
    if isinstance(value, Decimal):
        return format(value, "f").encode("ascii")
    if isinstance(value, float):
        return pikepdf.Array([value]).unparse()[2:-2]  # pikepdf's rounding, as the merge had
    if value is None:
        return b"null"
    if isinstance(value, bytes):  # already encoded
        return value
    if isinstance(value, dict):
        return _dictionary(value.items(), refer)
    if isinstance(value, list | tuple):
        return b"[" + b" ".join(encode(item, refer) for item in value) + b"]"
    raise TypeError(f"cannot write {type(value).__name__} into a PDF")


_NAMES: dict[str, bytes] = {}


def name(key: str) -> bytes:
    """A name's syntax (`/Type`, `#xx` escapes as qpdf writes them)."""
    known = _NAMES.get(key)
    if known is None:
        known = _NAMES[key] = pikepdf.Name(key).unparse()
    return known


def _dictionary(items: Any, refer: Refer) -> bytes:
    return b"<<" + b"".join(name(k) + b" " + encode(v, refer) for k, v in items) + b">>"


@dataclass(frozen=True)
class Segment:
    """Objects written apart (a Writer without a header), to be spliced into a file: `data`,
    their bytes; `placed`, (number, offset in `data`) of each object written in place;
    `packed`, (number, object stream's number, index in it) of each packed one; `end`, the
    first number after those it used."""

    data: bytes
    placed: tuple[tuple[int, int], ...]
    packed: tuple[tuple[int, int, int], ...]
    end: int


class Writer:
    """Writes a PDF to `output` (a binary file) object by object. `allocate` numbers an object
    before it is written (so others can name it), from `first` on; `put` writes a non-stream
    object's syntax, `put_stream` a stream; `finish` writes what is pending and the
    cross-reference stream. `version` None: no header, the objects of a Segment (`segment`);
    `splice` writes one into the file, `skip_to` leaves numbers unused."""

    def __init__(self, output: IO[bytes], version: str | None, first: int = 1) -> None:
        self.output = output
        self.position = 0
        self.count = first
        self.entries = XrefTable(first)
        self.unwritten: set[int] = set()
        self.pending: list[tuple[int, bytes]] = []
        if version is not None:
            self._write(b"%PDF-" + version.encode("ascii") + b"\n%\xbf\xf7\xa2\xfe\n")

    def allocate(self) -> int:
        number = self.count
        self.count += 1
        self.unwritten.add(number)
        return number

    def skip_to(self, number: int) -> None:
        """Number the next object `number` (at least the next number): those between stay
        unused (free)."""
        if number < self.count:
            raise ValueError(f"object {number} is already numbered")
        self.count = number

    def splice(self, segment: Segment) -> None:
        """Write `segment`'s objects here. Raises ValueError for a number written here already."""
        taken = [n for n, _ in segment.placed if n in self.entries]
        taken += [n for n, _, _ in segment.packed if n in self.entries]
        if taken:
            raise ValueError(f"objects numbered twice: {taken[:5]}")
        start = self.position
        self._write(segment.data)
        for number, offset in segment.placed:
            self.entries.set(number, 1, start + offset)
        for number, stream, index in segment.packed:
            self.entries.set(number, 2, stream, index)
        self.count = max(self.count, segment.end)

    def segment(self) -> Segment:
        """What a header-less Writer over a BytesIO wrote, packed, as a Segment."""
        if self.pending:
            self._pack()
        if self.unwritten:
            raise ValueError(f"objects numbered but not written: {sorted(self.unwritten)[:5]}")
        assert isinstance(self.output, io.BytesIO)
        entries = [(n, *self.entries.entry(n)) for n in self.entries.numbers()]
        placed = tuple((n, field) for n, kind, field, _ in entries if kind == 1)
        packed = tuple((n, field, index) for n, kind, field, index in entries if kind == 2)
        return Segment(self.output.getvalue(), placed, packed, self.count)

    def put(self, number: int, syntax: bytes) -> None:
        self.pending.append((number, syntax))
        if len(self.pending) >= BATCH:
            self._pack()

    def put_stream(self, number: int, entries: dict[str, Any], data: bytes, refer: Refer) -> None:
        """Stream `number`: `entries` (its dictionary, without /Length) and its bytes as they
        are encoded by `entries`' filters; compressed here when it has none (not XMP)."""
        if "/Filter" not in entries and entries.get("/Type") != pikepdf.Name.Metadata:
            data = zlib.compress(data, LEVEL)
            entries = {**entries, "/Filter": pikepdf.Name.FlateDecode}
            entries.pop("/DecodeParms", None)
        entries = {**entries, "/Length": len(data)}
        self._place(number)
        self._write(b"%d 0 obj\n" % number + encode(entries, refer) + b"\nstream\n")
        self._write(data + b"\nendstream\nendobj\n")

    def finish(self, trailer: dict[str, Any]) -> None:
        """Write the pending objects and the cross-reference stream, with `trailer`'s entries
        (/Root, /Info, /ID); every allocated number must have been written."""
        if self.pending:
            self._pack()
        self._pad()
        number = self.allocate()
        if number > MAX_NUMBER:
            raise ValueError(f"object number {number} over the PDF limit of {MAX_NUMBER}")
        self._place(number)
        if self.unwritten:
            raise ValueError(f"objects numbered but not written: {sorted(self.unwritten)[:5]}")
        width = max(1, (max(self.entries.fields, default=0).bit_length() + 7) // 8)
        table_rows = rows(self.entries, width)
        runs: list[int] = []  # /Index: first number and count of each run of numbers in use
        for key in itertools.chain((0,), self.entries.numbers()):  # 0: the free list's head
            if runs and runs[-2] + runs[-1] == key:
                runs[-1] += 1
            else:
                runs += [key, 1]
        columns = 1 + width + 2
        data = zlib.compress(png_up(bytes(table_rows), columns), LEVEL)
        entries = {
            "/Type": pikepdf.Name.XRef,
            "/Size": self.count,
            **({} if runs == [0, self.count] else {"/Index": runs}),
            "/W": [1, width, 2],
            **trailer,
            "/Filter": pikepdf.Name.FlateDecode,
            "/DecodeParms": {"/Columns": columns, "/Predictor": 12},
            "/Length": len(data),
        }
        start = self.position
        self._write(b"%d 0 obj\n" % number + encode(entries, _no_reference) + b"\nstream\n")
        self._write(data + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % start)

    def _pack(self) -> None:
        """The pending objects as one compressed object stream (§7.5.7)."""
        number = self.allocate()
        heads: list[bytes] = []
        bodies: list[bytes] = []
        offset = 0
        for index, (packed, syntax) in enumerate(self.pending):
            self.entries.set(packed, 2, number, index)
            self.unwritten.discard(packed)
            heads.append(b"%d %d" % (packed, offset))
            bodies.append(syntax)
            offset += len(syntax) + 1
        head = b" ".join(heads) + b"\n"
        data = zlib.compress(head + b"\n".join(bodies), LEVEL)
        entries = {
            "/Type": pikepdf.Name.ObjStm,
            "/N": len(self.pending),
            "/First": len(head),
            "/Filter": pikepdf.Name.FlateDecode,
            "/Length": len(data),
        }
        self.pending = []
        self._place(number)
        self._write(b"%d 0 obj\n" % number + encode(entries, _no_reference) + b"\nstream\n")
        self._write(data + b"\nendstream\nendobj\n")

    def _pad(self) -> None:
        """A comment long enough that the file holds 3 bytes per object number: qpdf 12 takes
        a number over a third of the file's length for damage (found by trial), and numbers
        left unused (`skip_to`) can make a small file too short for its numbers."""
        short = 3 * (self.count + 2) - self.position
        while short > 0:
            line = min(short, 250)
            self._write(b"%" + b" " * (line - 2) + b"\n")
            short -= line

    def _place(self, number: int) -> None:
        self.entries.set(number, 1, self.position)
        self.unwritten.discard(number)

    def _write(self, data: bytes) -> None:
        self.output.write(data)
        self.position += len(data)


def _no_reference(value: Any) -> bytes:
    raise TypeError("no indirect object expected here")


class Copier:
    """Copies the objects of one source PDF (pikepdf) into a Writer, numbering each the first
    time something names it and writing it at `drain`. `fixed`: (object, generation) of the
    source → number of an object written elsewhere that stands for it (the book's page tree
    for a chunk's, the united font for a chunk's subset). Only this source's number map is
    kept: let the Copier go with its source."""

    def __init__(self, writer: Writer, fixed: dict[tuple[int, int], int]) -> None:
        self.writer = writer
        self.fixed = fixed
        self.numbers: dict[tuple[int, int], int] = {}
        self.queue: deque[Any] = deque()

    def number(self, value: Any) -> int:
        """The number of an indirect object of the source in the output (queued for `drain`
        the first time)."""
        key = value.objgen
        number = self.fixed.get(key) or self.numbers.get(key)
        if number is None:
            number = self.numbers[key] = self.writer.allocate()
            self.queue.append(value)
        return number

    def refer(self, value: Any) -> bytes:
        return b"%d 0 R" % self.number(value)

    def encode(self, value: Any) -> bytes:
        return encode(value, self.refer)

    def drain(self) -> None:
        """Write every object named so far and every object they name, in turn."""
        while self.queue:
            value = self.queue.popleft()
            number = self.numbers[value.objgen]
            if isinstance(value, pikepdf.Stream):
                entries = {k: v for k, v in value.stream_dict.items() if k != "/Length"}
                self.writer.put_stream(number, entries, value.read_raw_bytes(), self.refer)
            elif value._type_code == DICTIONARY:
                self.writer.put(number, _dictionary(value.items(), self.refer))
            elif value._type_code == ARRAY:
                self.writer.put(number, b"[" + b" ".join(map(self.encode, value)) + b"]")
            else:
                self.writer.put(number, value.unparse())

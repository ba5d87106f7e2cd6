"""A PDF file written object by object (for export/merge.py; issue 17): each object goes to the
output as soon as it is serialized, so memory holds only what is not written yet.

Written by hand because no installed library writes a PDF incrementally: qpdf (pikepdf) and
pydyf (`PDF.write`) both serialize a document they hold whole, and pikepdf's `unparse()` gives a
scalar's syntax (used here) but an indirect reference with the object number of its own file.

The file (ISO 32000-1 §7.5): a header; stream objects written in place; every other object
packed, in the order written, into compressed object streams of `BATCH` objects (§7.5.7), as
qpdf's `generate` mode packs them; at the end one cross-reference stream (§7.5.8) holding the
trailer. Streams without a filter are compressed (Flate), except XMP metadata, which qpdf's
`compress_streams` leaves readable too.
"""

from __future__ import annotations

import zlib
from array import array
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

import pikepdf

BATCH = 100  # objects per object stream (qpdf's generate mode)
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


class Writer:
    """Writes a PDF to `output` (a binary file) object by object. `allocate` numbers an object
    before it is written (so others can name it); `put` writes a non-stream object's syntax,
    `put_stream` a stream; `finish` writes what is pending and the cross-reference stream."""

    def __init__(self, output: IO[bytes], version: str) -> None:
        self.output = output
        self.position = 0
        self.count = 1  # object 0 is the head of the free list
        self.kinds = array("b", [0])  # per object: 0 free, 1 in place, 2 in an object stream
        self.fields = array("q", [0])  # offset, or the object stream's number
        self.indexes = array("l", [65535])  # generation, or index in its object stream
        self.pending: list[tuple[int, bytes]] = []
        self._write(b"%PDF-" + version.encode("ascii") + b"\n%\xbf\xf7\xa2\xfe\n")

    def allocate(self) -> int:
        number = self.count
        self.count += 1
        self.kinds.append(0)
        self.fields.append(0)
        self.indexes.append(0)
        return number

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
        number = self.allocate()
        self._place(number)
        unwritten = [n for n in range(1, number) if self.kinds[n] == 0]
        if unwritten:
            raise ValueError(f"objects numbered but not written: {unwritten[:5]}")
        width = max(1, (max(self.fields).bit_length() + 7) // 8)
        rows = bytearray()
        for kind, field, index in zip(self.kinds, self.fields, self.indexes, strict=True):
            rows.append(kind)
            rows += field.to_bytes(width, "big")
            rows += index.to_bytes(2, "big")
        columns = 1 + width + 2
        data = zlib.compress(_png_up(bytes(rows), columns), LEVEL)
        entries = {
            "/Type": pikepdf.Name.XRef,
            "/Size": self.count,
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
            self.kinds[packed], self.fields[packed], self.indexes[packed] = 2, number, index
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

    def _place(self, number: int) -> None:
        self.kinds[number], self.fields[number], self.indexes[number] = 1, self.position, 0

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


def _png_up(rows: bytes, columns: int) -> bytes:
    """`rows` (`columns` bytes each) under the PNG "Up" predictor (ISO 32000-1 §7.4.4.4,
    /Predictor 12): each row a filter byte 2, then each byte less the byte above it, mod 256.
    The cross-reference rows differ little from one to the next, so Flate then packs them
    about tenfold (as qpdf and pydyf write cross-reference streams)."""
    out = bytearray()
    above = bytes(columns)
    for start in range(0, len(rows), columns):
        row = rows[start : start + columns]
        out.append(2)
        out += bytes((byte - up) & 0xFF for byte, up in zip(row, above, strict=True))
        above = row
    return bytes(out)

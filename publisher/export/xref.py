"""The cross-reference table of a PDF written object by object (export/pdf_writer.py), and its
rows as a cross-reference stream writes them (ISO 32000-1 §7.5.8).
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Iterator


class XrefTable:
    """The cross-reference entries of a file written object by object, by object number
    (ISO 32000-1 §7.5.8.3, Table 18): `kind` 1, in place at byte offset `field`; 2, packed in
    object stream `field` at `index`; 0, not in use. Kept as three arrays indexed by number
    (about 11 bytes a number, unused ones included: issue 17, peak RSS), not as a dict of tuples
    (about 190 bytes an object: 45 MB for the 234,000 objects of a 1,000-review book). Numbers
    below `first` are never in use (a Segment's objects are numbered from its range's first)."""

    def __init__(self, first: int = 0) -> None:
        self.first = first
        self.kinds = bytearray()
        self.fields = array("Q")
        self.indexes = array("H")

    def __contains__(self, number: int) -> bool:
        at = number - self.first
        return 0 <= at < len(self.kinds) and self.kinds[at] != 0

    def set(self, number: int, kind: int, field: int, index: int = 0) -> None:
        """Set `number`'s entry (kind 1 or 2). Raises ValueError for a number below `first`,
        OverflowError for an index over 65,535."""
        at = number - self.first
        if at < 0:
            raise ValueError(f"object {number} numbered below {self.first}")
        missing = at + 1 - len(self.kinds)
        if missing > 0:
            self.kinds.extend(bytes(missing))
            self.fields.extend(itertools.repeat(0, missing))
            self.indexes.extend(itertools.repeat(0, missing))
        self.kinds[at], self.fields[at], self.indexes[at] = kind, field, index

    def numbers(self) -> Iterator[int]:
        """The numbers in use, in increasing order."""
        first = self.first
        return (first + at for at, kind in enumerate(self.kinds) if kind)

    def entry(self, number: int) -> tuple[int, int, int]:
        """(kind, field, index) of `number`, which is in use."""
        at = number - self.first
        return self.kinds[at], self.fields[at], self.indexes[at]


def rows(table: XrefTable, width: int) -> bytes:
    """Cross-reference rows (§7.5.8.3, /W [1 width 2]): object 0 first (not in use, the head
    of the free list: generation 65535), then each number in use in `table`, in order."""
    at = array("L", (number - table.first for number in table.numbers()))
    kinds = b"\0" + bytes(table.kinds[a] for a in at)
    fields = array("Q", [0]) + array("Q", (table.fields[a] for a in at))
    indexes = array("H", [65535]) + array("H", (table.indexes[a] for a in at))
    columns = [kinds]
    for shift in range(8 * (width - 1), -1, -8):
        columns.append(bytes((field >> shift) & 0xFF for field in fields))
    columns.append(bytes(index >> 8 for index in indexes))
    columns.append(bytes(index & 0xFF for index in indexes))
    rows = bytearray(len(kinds) * len(columns))
    for position, column in enumerate(columns):
        rows[position :: len(columns)] = column
    return bytes(rows)


def png_up(rows: bytes, columns: int) -> bytes:
    """`rows` (`columns` bytes each) under the PNG "Up" predictor (ISO 32000-1 §7.4.4.4,
    /Predictor 12): each row a filter byte 2, then each byte less the byte above it, mod 256.
    The cross-reference rows differ little from one to the next, so Flate then packs them
    about tenfold (as qpdf and pydyf write cross-reference streams). All bytes at once, as one
    integer: each byte's high bit set in the minuend, cleared in the subtrahend (no borrow
    crosses a byte), then put back."""
    size = len(rows)
    if not size:
        return b""
    above = int.from_bytes(bytes(columns) + rows[:-columns], "big")
    here = int.from_bytes(rows, "big")
    high = int.from_bytes(b"\x80" * size, "big")
    every = (1 << (8 * size)) - 1
    difference = ((here | high) - (above & ~high & every)) ^ ((here ^ above ^ every) & high)
    data = (difference & every).to_bytes(size, "big")
    count = size // columns
    out = bytearray(count * (columns + 1))
    out[0 :: columns + 1] = b"\x02" * count
    for position in range(columns):
        out[position + 1 :: columns + 1] = data[position::columns]
    return bytes(out)

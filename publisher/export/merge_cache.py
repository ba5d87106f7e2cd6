"""What a merge (export/merge.py) keeps between builds, beside the chunks it merges: per chunk,
the facts its prepass reads and the objects it writes (a Segment, with the numbers and short
encoded values the book's own objects need); per book, the united fonts (issue 17: an edit of
one review re-merges only its chunk's objects).

Files live in `<chunk store>/merge/`, named by the merged book's identifier (so the print and
the screen PDF keep theirs apart) and a digest of everything they depend on: `<book>-<key>.seg`,
a JSON head (its length first, as 8 decimal digits), the segment's cross-reference entries (as
machine integers: the cache is read where it was written) and then the segment's bytes. A file
of the wrong shape counts as absent, never as an error; a folder that cannot be written costs
the reuse, never the build. `prune` deletes the book's files the merge did not use.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from array import array
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from ..base.digests import digest, package_digest
from ..base.files import write_bytes_atomically
from .pdf_writer import Segment

FORMAT = "merge/2"
HEAD = 8  # digits of the JSON head's length


@functools.cache
def _code() -> str:
    return digest(package_digest(), metadata.version("pikepdf"))


class MergeCache:
    """`get` a kept (record, segment) by key (None when absent or damaged), `put` one; `prune`
    the book's others. `directory` None, or `read` False (a clean build): nothing is read."""

    def __init__(self, directory: Path | None, book: str, read: bool = True) -> None:
        self.directory = directory
        self.book = book
        self.read = read
        self.used: set[str] = set()

    def key(self, *parts: str) -> str:
        """A file's key: a digest of `parts` and of the code that writes (this package's,
        pikepdf's), so that a changed merge never splices what an older one wrote."""
        return digest(FORMAT, _code(), *parts)

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / f"{self.book}-{key}.seg"

    def get(self, key: str) -> tuple[dict[str, Any], Segment] | None:
        self.used.add(key)
        if self.directory is None or not self.read:
            return None
        try:
            blob = self._path(key).read_bytes()
            size = int(blob[:HEAD])
            head = json.loads(blob[HEAD : HEAD + size])
            if head["format"] != FORMAT:
                return None
            numbers = array("q")
            start = HEAD + size
            count = 2 * int(head["placed"]) + 3 * int(head["packed"])
            numbers.frombytes(blob[start : start + count * numbers.itemsize])
            middle = 2 * int(head["placed"])
            pairs = numbers[:middle]
            placed = tuple(zip(pairs[0::2], pairs[1::2], strict=True))
            triples = numbers[middle:]
            packed = tuple(zip(triples[0::3], triples[1::3], triples[2::3], strict=True))
            data = blob[start + count * numbers.itemsize :]
            segment = Segment(data, placed, packed, int(head["end"]))
            record = head["record"]
            if not isinstance(record, dict):
                return None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return record, segment

    def put(self, key: str, record: dict[str, Any], segment: Segment) -> None:
        self.used.add(key)
        if self.directory is None:
            return
        head = {
            "format": FORMAT,
            "placed": len(segment.placed),
            "packed": len(segment.packed),
            "end": segment.end,
            "record": record,
        }
        text = json.dumps(head, sort_keys=True, separators=(",", ":")).encode("utf-8")
        numbers = array("q", (n for entry in segment.placed for n in entry))
        numbers.extend(n for entry in segment.packed for n in entry)
        blob = b"%08d" % len(text) + text + numbers.tobytes() + segment.data
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_bytes_atomically(self._path(key), blob)
        except OSError:
            return

    def prune(self) -> None:
        """Delete this book's files not asked for or kept since this cache was made."""
        if self.directory is None:
            return
        try:
            for path in self.directory.glob(f"{self.book}-*.seg"):
                if path.name[len(self.book) + 1 : -len(".seg")] not in self.used:
                    path.unlink(missing_ok=True)
        except OSError:
            return


@dataclass(frozen=True)
class Part:
    """What the book's own objects need of one chunk written (all position-independent):
    its pages' numbers, the Document element's kids (encoded), the ParentTree's entries (key,
    encoded value), its destinations (name, encoded), and for the first chunk the catalog
    entries it gives and the document information (encoded)."""

    pages: tuple[int, ...]
    kids: tuple[bytes, ...]
    parents: tuple[tuple[int, bytes], ...]
    dests: tuple[tuple[str, bytes], ...]
    catalog: tuple[tuple[str, bytes], ...]
    info: bytes | None


def record_of(part: Part) -> dict[str, Any]:
    def text(data: bytes) -> str:
        return data.decode("latin-1")

    return {
        "pages": list(part.pages),
        "kids": [text(kid) for kid in part.kids],
        "parents": [[key, text(value)] for key, value in part.parents],
        "dests": [[name, text(value)] for name, value in part.dests],
        "catalog": [[key, text(value)] for key, value in part.catalog],
        "info": None if part.info is None else text(part.info),
    }


def part_of(record: dict[str, Any]) -> Part | None:
    """The Part a record keeps; None when it is not one."""

    def data(text: Any) -> bytes:
        if not isinstance(text, str):
            raise TypeError("not a string")
        return text.encode("latin-1")

    try:
        info = record["info"]
        return Part(
            tuple(int(n) for n in record["pages"]),
            tuple(data(kid) for kid in record["kids"]),
            tuple((int(key), data(value)) for key, value in record["parents"]),
            tuple((str(name), data(value)) for name, value in record["dests"]),
            tuple((str(key), data(value)) for key, value in record["catalog"]),
            None if info is None else data(info),
        )
    except (KeyError, TypeError, ValueError):
        return None


@dataclass(frozen=True)
class WriteJob:
    """How one chunk is written: numbered from `base`; `first`: the book's first chunk (its
    catalog entries and document information are the book's, stamped with `moment`);
    `dropped`: the destination names no chunk holds; `fonts`: its font dictionaries'
    (object, generation) → the number of the font standing for each."""

    base: int
    first: bool
    moment: dt.datetime | None
    dropped: set[str]
    fonts: dict[tuple[int, int], int]

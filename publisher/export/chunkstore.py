"""Laid-out chunks kept between builds, in `<project>/.publisher-cache/chunks/`.

Each chunk is two files named by the book (its PDF identifier) and the chunk's key: its PDF and
a JSON record of what the layout told (export/chunkdata.py: page count, anchors, strings, the
page numbers and strings it used, the files it read, outline entries, pagination) with the
PDF's sha256. The key covers what the chunk renders (its page: documents, stylesheet, head),
the PDF profile and metadata, the package's code, WeasyPrint's and pydyf's versions and the
installed fonts; the page numbers and strings it depends on are checked against the record
(export/chunked.py), and the files it read must still hold what they held. A record of the
wrong shape, or a PDF whose digest does not match, counts as absent, never as an error.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import subprocess
from dataclasses import asdict, replace
from importlib import metadata
from pathlib import Path
from typing import Any

from ..base.digests import digest, package_digest
from ..base.files import write_bytes_atomically
from ..base.gate import Input, still_valid
from ..base.rendered import PageStart, Pagination
from .chunkdata import Bookmark, ChunkJob, ChunkPdf, Shape, Spilled
from .merge_cache import MergeCache

FORMAT = "chunk/2"


def chunk_key(job: ChunkJob) -> str:
    """What a chunk's layout depends on besides its first page and what other chunks tell."""
    return digest(
        FORMAT,
        _environment(),
        job.page,
        job.base_url,
        job.book_id,
        job.variant or "",
        "\n".join(job.keywords),
        job.stamp or "now",
        "\n".join(anchor for anchor, _ in job.externals),
        f"{job.sentinel}|{job.recto}|{job.paginate}|{job.cover}|{job.links}",
        repr(job.part),
        *(() if job.screen is None else (job.screen_page, job.screen.book_id, job.screen.variant)),
    )


@functools.cache
def _environment() -> str:
    versions = [metadata.version(name) for name in ("weasyprint", "pydyf")]
    return digest(package_digest(), *versions, _fonts_digest())


def _fonts_digest() -> str:
    """The installed fonts (fontconfig's list, each file's size and time): a font installed or
    updated lays the book out anew."""
    try:
        listing = subprocess.run(
            ["fc-list", "--format", "%{file}\n"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "no-fc-list"
    rows = []
    for path in sorted(set(listing.splitlines())):
        try:
            status = os.stat(path)
        except OSError:
            continue
        rows.append(f"{path}|{status.st_size}|{status.st_mtime_ns}")
    return digest(*rows)


class ChunkStore:
    """`get` a kept chunk (None when absent, damaged or its inputs changed), `put` one,
    `keep` only a book's current chunks. `read` False: a clean build, nothing is reused."""

    def __init__(self, directory: Path, read: bool = True) -> None:
        self.directory = directory
        self.read = read

    def _paths(self, key: str) -> tuple[Path, Path]:
        return self.directory / f"{key}.json", self.directory / f"{key}.pdf"

    def _screen_path(self, key: str) -> Path:
        """The same layout written as the screen PDF's chunk (one layout key, two writes)."""
        return self.directory / f"{key}.screen.pdf"

    def get(self, key: str) -> ChunkPdf | None:
        if not self.read:
            return None
        record_path, pdf_path = self._paths(key)
        try:
            record = json.loads(record_path.read_text(encoding="utf-8"))
            data = pdf_path.read_bytes()
            if record["sha256"] != hashlib.sha256(data).hexdigest():
                return None
            screen = self._screen_path(key).read_bytes() if record["screen_sha256"] else b""
            if record["screen_sha256"] and record["screen_sha256"] != _sha256(screen):
                return None
            chunk = replace(_chunk(record, data), screen=screen)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return chunk if still_valid(chunk.shape.inputs) else None

    def put(self, key: str, chunk: ChunkPdf) -> None:
        """Keep `chunk`. A folder that cannot be written costs the reuse, never the build (the
        build cache's own manifest, in the same folder, says `cache-unwritable`)."""
        self._written(key, chunk)

    def spill(self, key: str, chunk: ChunkPdf) -> ChunkPdf:
        """Keep `chunk` (`put`) and let go of its bytes (issue 17: peak RSS): the chunk returned
        has its PDF and its screen write in this store's files (chunkdata.py `Spilled`, read
        back with `pdf_bytes`), or is `chunk` itself when they could not be written."""
        if chunk.spilled is not None:
            return chunk
        digests = self._written(key, chunk)
        if digests is None:
            return chunk
        data = Spilled(self._paths(key)[1], digests[0])
        screen = Spilled(self._screen_path(key), digests[1]) if chunk.screen else None
        return replace(chunk, data=b"", screen=b"", spilled=data, screen_spilled=screen)

    def _written(self, key: str, chunk: ChunkPdf) -> tuple[str, str] | None:
        """Write `chunk`'s files unless they hold it already; the SHA-256 (hex) of its PDF and
        of its screen write ("" for none) that they hold, or None when they could not be
        written (or `chunk` is already spilled here)."""
        record_path, pdf_path = self._paths(key)
        if chunk.spilled is not None and chunk.spilled.path == pdf_path:
            return None  # `spill` kept it here already
        digests = (_sha256(chunk.data), _sha256(chunk.screen) if chunk.screen else "")
        if record_path.exists() and self.get(key) == chunk:
            return digests
        record = {"sha256": digests[0], "screen_sha256": digests[1], **_record(chunk)}
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_bytes_atomically(pdf_path, chunk.data)
            if chunk.screen:
                write_bytes_atomically(self._screen_path(key), chunk.screen)
            text = json.dumps(record, sort_keys=True).encode("utf-8")
            write_bytes_atomically(record_path, text)
        except OSError:
            return None
        return digests

    def keep(self, keys: set[str], book: str) -> None:
        """Delete the chunks of `book` (the key prefix) not in `keys` (as `put`, quietly)."""
        try:
            for path in self.directory.iterdir():
                if path.name.startswith(book) and path.name.split(".")[0] not in keys:
                    path.unlink(missing_ok=True)
        except OSError:
            return


def merge_cache(store: ChunkStore | None, book_id: str) -> MergeCache:
    """Where the merge of a book's chunks keeps what it wrote of each (export/merge_cache.py):
    beside the chunks, read as they are (not on a clean build)."""
    if store is None:
        return MergeCache(None, book_id)
    return MergeCache(store.directory / "merge", book_id, store.read)


def book_prefixed(book: str, key: str) -> str:
    """A chunk's file name: the book first, so `keep` can prune one book's chunks."""
    return f"{book}-{key}"


def _record(chunk: ChunkPdf) -> dict[str, Any]:
    record = asdict(chunk)
    del record["data"], record["screen"], record["spilled"], record["screen_spilled"]
    return record


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _pairs(rows: list[list[Any]]) -> tuple[tuple[Any, Any], ...]:
    return tuple((first, second) for first, second in rows)


def _chunk(record: dict[str, Any], data: bytes) -> ChunkPdf:
    shape = record["shape"]
    pagination = record["pagination"]
    return ChunkPdf(
        Shape(
            int(shape["pages"]),
            _pairs(shape["anchors"]),
            _pairs(shape["strings"]),
            _pairs(shape["used"]),
            bool(shape["local_targets"]),
            tuple(Input(item["path"], item["digest"]) for item in shape["inputs"]),
            int(shape.get("cut", 0)),
            tuple((float(a), float(b), bool(c)) for a, b, c in shape.get("columns", ())),
        ),
        int(record["start"]),
        _pairs(record["seeds_used"]),
        data,
        tuple(Bookmark(**mark) for mark in record["bookmarks"]),
        None
        if pagination is None
        else Pagination(
            tuple(
                PageStart(p["label"], p["document_id"], tuple(p["element_path"]), p["offset"])
                for p in pagination["pages"]
            ),
            _pairs(pagination["openings"]),
        ),
    )

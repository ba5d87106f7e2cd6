"""A merge reuses what it wrote of each chunk (export/merge_cache.py, issue 17).

Each chunk's objects are numbered in a range of their own, so what the merge wrote of a chunk
can be kept and spliced into the next merge: the bytes must be those of a merge from nothing,
an edited chunk must be the only one written again, and a kept chunk whose links now point
nowhere (the chunk holding their anchors is gone) must be written again without them.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array

from publisher.export import font_union, merge, merge_cache
from publisher.export.chunkdata import ChunkPdf
from publisher.export.merge_cache import MergeCache
from tests.test_merge_memory import BOOK_ID, synthetic_chunk

FIRST = synthetic_chunk(pages=3, runs=20, prefix="uno", last="dos-0")
SECOND = synthetic_chunk(pages=2, runs=20, prefix="dos", word="Trinchera")
THIRD = synthetic_chunk(pages=4, runs=20, prefix="tres", last="uno-1")
EDITED = synthetic_chunk(pages=2, runs=20, prefix="dos", word="Barricada")


class Counted:
    """The chunks written (not taken from the cache) and the font unions made, per merge."""

    def __init__(self, patch: pytest.MonkeyPatch) -> None:
        self.written: list[bytes] = []
        self.unions = 0
        write = merge._Book.write_chunk
        finish = font_union.FontUnion.finish

        def counted_write(book: merge._Book, chunk: ChunkPdf, job: merge.WriteJob) -> object:
            self.written.append(chunk.data)
            return write(book, chunk, job)

        def counted_finish(union: font_union.FontUnion) -> None:
            self.unions += 1
            finish(union)

        patch.setattr(merge._Book, "write_chunk", counted_write)
        patch.setattr(font_union.FontUnion, "finish", counted_finish)

    def reset(self) -> None:
        self.written, self.unions = [], 0


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Counted:
    return Counted(monkeypatch)


def _cache(tmp_path: Path) -> MergeCache:
    return MergeCache(tmp_path / "merge", BOOK_ID)


def test_a_merge_written_to_a_file_is_the_merge_made_as_bytes(tmp_path: Path) -> None:
    """export/merge.py `merge(output=…)`: the file written as it is merged (issue 17: the
    build never holds the merged PDF whole) holds the bytes a merge returns."""
    chunks = [FIRST, SECOND, THIRD]
    path = tmp_path / "escrito.pdf"
    with path.open("wb") as output:
        assert merge.merge(chunks, BOOK_ID, cache=_cache(tmp_path), output=output) == b""
    assert path.read_bytes() == merge.merge(chunks, BOOK_ID)


def test_a_merge_from_kept_segments_equals_a_merge_from_nothing(
    tmp_path: Path, counted: Counted
) -> None:
    chunks = [FIRST, SECOND, THIRD]
    fresh = merge.merge(chunks, BOOK_ID)
    assert merge.merge(chunks, BOOK_ID, cache=_cache(tmp_path)) == fresh  # filling the cache
    counted.reset()
    assert merge.merge(chunks, BOOK_ID, cache=_cache(tmp_path)) == fresh  # read from it
    assert counted.written == []
    assert counted.unions == 0
    # A clean build reads nothing and writes every chunk again.
    clean = MergeCache(tmp_path / "merge", BOOK_ID, read=False)
    assert merge.merge(chunks, BOOK_ID, cache=clean) == fresh
    assert counted.written == [chunk.data for chunk in chunks]
    if shutil.which("qpdf"):
        path = tmp_path / "merged.pdf"
        path.write_bytes(fresh)
        check = subprocess.run(["qpdf", "--check", path], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr


def test_an_edited_chunk_is_the_only_one_written_again(tmp_path: Path, counted: Counted) -> None:
    merge.merge([FIRST, SECOND, THIRD], BOOK_ID, cache=_cache(tmp_path))
    counted.reset()
    edited = merge.merge([FIRST, EDITED, THIRD], BOOK_ID, cache=_cache(tmp_path))
    assert counted.written == [EDITED.data]
    assert counted.unions == 0  # the same fonts: the union kept
    files = len(list((tmp_path / "merge").glob(f"{BOOK_ID}-*.seg")))
    assert edited == merge.merge([FIRST, EDITED, THIRD], BOOK_ID)
    with pikepdf.open(io.BytesIO(edited)) as pdf:
        assert b"Barricada" in pdf.pages[3].Contents.read_bytes()
        assert len(pdf.pages) == 9
    # The edited book's merge kept only its own files (three chunks' facts and segments and
    # one font union; the old chunk's are gone).
    assert files == 3 + 3 + 1


def test_a_kept_chunk_loses_its_links_to_a_chunk_no_longer_there(
    tmp_path: Path, counted: Counted
) -> None:
    """FIRST's last link goes to SECOND's first page: dropped once SECOND is not merged, as
    one layout drops a link to an anchor it did not place."""
    merge.merge([FIRST, SECOND, THIRD], BOOK_ID, cache=_cache(tmp_path))
    counted.reset()
    shorter = merge.merge([FIRST, THIRD], BOOK_ID, cache=_cache(tmp_path))
    # FIRST written again (a link fewer); THIRD moved to another range of numbers.
    assert counted.written == [FIRST.data, THIRD.data]
    assert shorter == merge.merge([FIRST, THIRD], BOOK_ID)
    with pikepdf.open(io.BytesIO(shorter)) as pdf:
        links = [str(a.Dest) for page in pdf.pages for a in page.obj.get("/Annots", Array())]
    assert links == ["uno-1", "uno-2", "tres-1", "tres-2", "tres-3", "uno-1"]


def test_a_chunk_that_grows_moves_the_ranges_after_it(tmp_path: Path, counted: Counted) -> None:
    """SECOND grown past its range's power of two: THIRD's objects take other numbers, so
    they are written again (kept as they were, they would overlap SECOND's)."""
    grown = synthetic_chunk(pages=6, runs=20, prefix="dos", word="Trinchera")
    merge.merge([FIRST, SECOND, THIRD], BOOK_ID, cache=_cache(tmp_path))
    counted.reset()
    moved = merge.merge([FIRST, grown, THIRD], BOOK_ID, cache=_cache(tmp_path))
    assert counted.written == [grown.data, THIRD.data]
    assert moved == merge.merge([FIRST, grown, THIRD], BOOK_ID)


def test_what_an_older_merge_wrote_is_not_spliced(
    tmp_path: Path, counted: Counted, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The keys name the code that wrote (this package's digest, pikepdf's version): a
    changed merge writes every chunk again."""
    merge.merge([FIRST, SECOND], BOOK_ID, cache=_cache(tmp_path))
    counted.reset()
    monkeypatch.setattr(merge_cache, "_code", lambda: "another merge")
    merge.merge([FIRST, SECOND], BOOK_ID, cache=_cache(tmp_path))
    assert counted.written == [FIRST.data, SECOND.data]
    assert counted.unions == 1

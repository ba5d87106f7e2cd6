"""What the build process holds while the PDFs are made (issue 17: peak RSS flat as the book
grows).

- The print and the screen book are handed over to `export_editions` (export.Handed): once
  their chunk jobs exist, no rendered PDF book with its page is alive any more; the jobs hold
  the book's text once. Checked by looking, while the chunks are laid out, at every object the
  collector tracks.
- Each chunk's print bytes are let go once the print PDF is merged and written: the screen
  PDF's merge sees only the screen writes, and the print PDF is on disk already.
- A build's new Markdown fragments are written to the cache as they are made, not held until
  `save()`.
"""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

import pytest

from publisher.base.rendered import RenderedBook, Target
from publisher.cache import BuildCache
from publisher.export import editions
from publisher.export.chunkdata import ChunkPdf
from tests.conftest import ProjectMaker
from tests.test_chunked_layout import _book, _build


def _alive(kind: type) -> list[Any]:
    gc.collect()
    return [thing for thing in gc.get_objects() if isinstance(thing, kind)]


def test_the_pdf_books_are_let_go_once_their_chunk_jobs_exist(
    make_project: ProjectMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    anthology = _book(make_project)
    seen: list[list[tuple[str, int]]] = []
    laying_out = editions.lay_out

    def lay_out(book: RenderedBook, *args: Any) -> Any:
        pages = [(b.target.value, len(b.page)) for b in _alive(RenderedBook) if b.target.paged]
        seen.append(pages)
        return laying_out(book, *args)

    monkeypatch.setattr(editions, "lay_out", lay_out)
    _build(anthology, tmp_path / "out", 1, cache=False)
    assert len(seen) == 1
    # Both books are still there, without their pages: the merges need their anthology.
    assert sorted(seen[0]) == sorted([(Target.SCREEN_PDF.value, 0), (Target.PRINT_PDF.value, 0)])


def test_the_screen_merge_holds_no_print_chunk(
    make_project: ProjectMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    anthology = _book(make_project)
    out = tmp_path / "out"
    log = tmp_path / "seen.json"  # the merge runs in another process (editions.py `_aside`)
    merging = editions.screen_merge

    def screen_merge(imprint: Any, chunks: list[ChunkPdf], *args: Any) -> Any:
        held = [chunk for chunk in _alive(ChunkPdf) if chunk.screen]
        written = [str(p) for p in out.rglob("*.pdf") if p.read_bytes()[:5] == b"%PDF-"]
        log.write_text(json.dumps([len(chunks), len(held), written]), encoding="utf-8")
        return merging(imprint, chunks, *args)

    monkeypatch.setattr(editions, "screen_merge", screen_merge)
    _build(anthology, out, 1, cache=False)
    chunks, held, written = json.loads(log.read_text(encoding="utf-8"))
    assert chunks > 2
    assert held == 0  # no chunk carries both writes: the print bytes are gone
    assert len(written) == 1  # the print PDF is on disk (staged) before the screen's merge


def test_new_fragments_go_to_disk_as_they_are_made(tmp_path: Path) -> None:
    cache = BuildCache.open(tmp_path, enabled=False, records=True)  # a --clean build's
    html = "<p>La caza, de Carlos Saura: tres amigos y un conejo.</p>"
    cache.keep_fragment("a" * 64, html)
    assert cache.fragments_written == {}  # not held
    stored = tmp_path / ".publisher-cache" / "fragments" / f"{'a' * 64}.html"
    assert stored.read_bytes().endswith(html.encode())
    kept = BuildCache.open(tmp_path, enabled=True, records=True)
    kept.keep_fragment("b" * 64, html)
    assert kept.fragment("b" * 64) == html and kept.fragments_read == 0
    library = BuildCache.open(tmp_path / "otro")  # a caller that never saves: nothing written
    library.keep_fragment("c" * 64, html)
    assert library.fragments_written == {"c" * 64: html}
    assert not (tmp_path / "otro" / ".publisher-cache").exists()

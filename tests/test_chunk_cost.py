"""What a chunk costs besides its text (issue 17): the screen write forked when a worker would
wait, the two pages' style rules compared once per build, the chunk size capped.

Seen through what ran where (a log the forked processes append to), never through timings.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import Any

import pytest

from publisher.export import chunk_cost, pdf
from publisher.export.chunk_cost import forking
from publisher.export.chunkdata import ChunkJob, LayoutsDiffer, ScreenJob
from publisher.export.pdf import cascades, chunks
from publisher.export.pdf.forked import forked
from publisher.export.pool import Layout
from tests.conftest import ProjectMaker
from tests.test_chunked_layout import _book, _build, _chunks, _pdfs


def test_a_forked_write_answers_from_another_process() -> None:
    here = os.getpid()
    assert forked(lambda: str(os.getpid()).encode())() != str(here).encode()


def test_a_forked_writes_error_is_raised_here() -> None:
    def differ() -> bytes:
        raise LayoutsDiffer("body-001: the screen and print pages differ in font-size")

    wait = forked(differ)
    with pytest.raises(LayoutsDiffer, match=r"^body-001: the screen .* in font-size$"):
        wait()


def test_a_forked_write_that_dies_is_done_here() -> None:
    here = os.getpid()

    def dies_in_the_child() -> bytes:
        if os.getpid() != here:
            os._exit(3)
        return b"written here"

    assert forked(dies_in_the_child)() == b"written here"


def _job(name: str, screen: bool = True) -> ChunkJob:
    return ChunkJob(
        name, "<html></html>", "/", "0" * 32, None, (), None,
        screen=ScreenJob("<html></html>", "1" * 32) if screen else None,
    )  # fmt: skip


def test_a_layout_forks_its_screen_write_only_when_a_worker_would_wait() -> None:
    lone = Layout(_job("body-003"), hold=False)
    held = Layout(_job("body-003"), hold=True)  # finished later, maybe among others
    printed = Layout(_job("body-003", screen=False), hold=False)  # no screen write to fork

    def forks(tasks: list[Layout], idle: int) -> list[bool]:
        return [task.job.fork_screen for task in forking(list(tasks), idle)]  # type: ignore[union-attr]

    assert forks([lone], 1) == [True]
    assert forks([lone], 0) == [False]  # both workers busy, or one worker
    assert forks([lone, lone], 1) == [True, False]
    assert forks([held, printed], 2) == [False, False]


def test_an_edited_chunk_forks_its_screen_write_and_keeps_the_bytes(
    make_project: ProjectMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    anthology = _book(make_project)
    log = tmp_path / "forks.txt"  # appended to by the pool's forked workers
    original = chunks.forked

    def logged(work: Any) -> Any:
        with log.open("a", encoding="utf-8") as file:
            file.write("fork\n")
        return original(work)

    monkeypatch.setattr(chunks, "forked", logged)
    _build(anthology, tmp_path / "out", 2)
    edited = anthology.parent / "reviews" / "resena-05.md"
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("pueblo", "aldea!", 1), encoding="utf-8"
    )
    log.unlink(missing_ok=True)
    events = _build(anthology, tmp_path / "out", 2)
    forks = log.read_text(encoding="utf-8").split()
    _build(anthology, tmp_path / "clean", 1, clean=True)  # one worker: nothing forked
    assert _pdfs(tmp_path / "out") == _pdfs(tmp_path / "clean")
    assert len(_chunks(events, "laid out")) == 1
    assert forks == ["fork"]


def test_the_style_rules_are_compared_once_per_build(
    make_project: ProjectMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    anthology = _book(make_project)
    log = tmp_path / "parsed.txt"
    original = cascades._rules

    def logged(css: str, context: tuple[str, ...]) -> Any:
        if not context:  # not an @media block's recursion
            with log.open("a", encoding="utf-8") as file:
                file.write(f"{os.getpid()}\n")
        return original(css, context)

    monkeypatch.setattr(cascades, "_rules", logged)
    cascades.differing_rules.cache_clear()
    events = _build(anthology, tmp_path / "out", 2, clean=True)
    assert len(_chunks(events, "laid out")) >= 4
    # The print and the screen page's style text, each parsed once, before the workers fork.
    assert log.read_text(encoding="utf-8").split() == [str(os.getpid())] * 2


def test_the_chunk_size_is_the_root_of_the_body_but_at_most_the_cap() -> None:
    assert chunk_cost.MOST_DOCUMENTS == 10
    sizes = {body: chunk_cost.chunk_size(body) for body in (2, 9, 20, 105, 405, 1005)}
    assert sizes == {2: 2, 9: 3, 20: 4, 105: 10, 405: 10, 1005: 10}


def test_the_workers_collect_only_their_own_objects(
    make_project: ProjectMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    anthology = _book(make_project)
    log = tmp_path / "frozen.txt"  # appended to by the pool's forked workers
    original = pdf.lay_out_chunk

    def logged(job: ChunkJob, access: Any, fonts: Any = None) -> Any:
        with log.open("a", encoding="utf-8") as file:
            file.write(f"{job.name}={gc.get_freeze_count() > 0}\n")
        return original(job, access, fonts)

    monkeypatch.setattr(pdf, "lay_out_chunk", logged)
    _build(anthology, tmp_path / "out", 2, clean=True)
    # Every layout in the pool ran with the heap its worker inherited frozen (export/pool.py
    # `_serve`; the screen PDF's cover is laid out in the build's process, after the pool);
    # the build's own heap is never frozen.
    layouts = [line.split("=") for line in log.read_text(encoding="utf-8").split()]
    pooled = [frozen for name, frozen in layouts if name != "cover"]
    assert len(pooled) >= 4
    assert set(pooled) == {"True"}
    assert gc.get_freeze_count() == 0

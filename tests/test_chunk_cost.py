"""What a chunk costs besides its text (issue 17): the screen write forked when a worker would
wait, the two pages' style rules compared once per build, the chunk size capped.

Seen through what ran where (a log the forked processes append to), never through timings.
"""

from __future__ import annotations

import gc
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from publisher import passes, pipeline
from publisher.base.diagnostics import has_errors
from publisher.base.rendered import Target
from publisher.export import chunk_cost, editions, pdf, pool
from publisher.export.chunk_cost import forking
from publisher.export.chunkdata import ChunkJob, LayoutsDiffer, ScreenJob
from publisher.export.pdf import cascades, chunks
from publisher.export.pdf.forked import forked
from publisher.export.pool import Layout
from publisher.pipeline import BuildRequest, Format
from publisher.render import renderer
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
    # The print and the screen page's style text, each parsed once by each worker that writes
    # a screen chunk (pdf/cascades.py `differing_rules`, kept per process), not once per chunk,
    # and never in the build process, which does not import WeasyPrint (export/zygote.py).
    parsed = Counter(log.read_text(encoding="utf-8").split())
    assert parsed and str(os.getpid()) not in parsed
    assert set(parsed.values()) == {2}, parsed


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
            file.write(f"{job.name}={gc.get_freeze_count() > 0}={os.getpid()}\n")
        return original(job, access, fonts)

    monkeypatch.setattr(pdf, "lay_out_chunk", logged)
    _build(anthology, tmp_path / "out", 2, clean=True)
    # Every layout, the screen PDF's cover's too (a task of the same pool: screen.py `Cover`),
    # ran in a pool worker with the heap it inherited frozen (export/pool.py `_serve`); the
    # build's own heap is never frozen.
    layouts = [line.split("=") for line in log.read_text(encoding="utf-8").split()]
    assert len(layouts) >= 5
    assert "cover" in {name for name, _, _ in layouts}
    assert {(frozen, pid != str(os.getpid())) for _, frozen, pid in layouts} == {("True", True)}
    assert gc.get_freeze_count() == 0


def test_the_front_matter_is_written_once_after_it_is_measured(
    make_project: ProjectMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    anthology = _book(make_project)
    log = tmp_path / "writes.txt"  # appended to by the pool's forked workers
    laid_out, finished = pdf.lay_out_chunk, pdf.finish_chunk

    def lays(job: ChunkJob, access: Any, fonts: Any = None) -> Any:
        with log.open("a", encoding="utf-8") as file:
            file.write(f"laid={job.name}\n")
        return laid_out(job, access, fonts)

    def writes(laid: Any, shape: Any, start: int, seeds: dict[str, str]) -> Any:
        with log.open("a", encoding="utf-8") as file:
            file.write(f"written={laid.job.name}\n")
        return finished(laid, shape, start, seeds)

    monkeypatch.setattr(pdf, "lay_out_chunk", lays)
    monkeypatch.setattr(pdf, "finish_chunk", writes)
    _build(anthology, tmp_path / "out", 2, clean=True)
    events = Counter(log.read_text(encoding="utf-8").split())
    # The contents prints every review's page number: the front matter is laid out once to
    # learn its length (measured, unwritten), then laid out and written once with the numbers.
    assert events["laid=front-000"] == 2
    assert events["written=front-000"] == 1
    assert all(count == 1 for event, count in events.items() if event.startswith("written="))


@pytest.mark.parametrize(("workers", "edit"), [(1, False), (2, False), (2, True)])
def test_the_screen_merge_runs_beside_the_print_merge_with_two_workers(
    make_project: ProjectMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int,
    edit: bool,
) -> None:  # fmt: skip
    anthology = _book(make_project)
    log = tmp_path / "merges.txt"  # appended to by the forked merge too
    original_screen, original_print = editions.screen_merge, editions.print_merge

    def logged(name: str, original: Any) -> Any:
        def merge(*args: Any) -> Any:
            with log.open("a", encoding="utf-8") as file:
                file.write(f"{name}={os.getpid()},{os.getppid()}\n")
            merged = original(*args)
            with log.open("a", encoding="utf-8") as file:
                file.write(f"{name}-end={os.getpid()},{os.getppid()}\n")
            return merged

        return merge

    monkeypatch.setattr(editions, "screen_merge", logged("screen", original_screen))
    # Threads earlier tests left idle in this process would forbid the fork (a lock one holds
    # stays held in the child): a build's process has none.
    monkeypatch.setattr(editions.threading, "active_count", lambda: 1)
    monkeypatch.setattr(pool.threading, "active_count", lambda: 1)
    monkeypatch.setattr(editions, "print_merge", logged("print", original_print))
    if edit:  # a warm build, then one review edited: one chunk laid out again
        _build(anthology, tmp_path / "out", workers)
        edited = anthology.parent / "reviews" / "resena-05.md"
        text = edited.read_text(encoding="utf-8")
        edited.write_text(text.replace("pueblo", "aldea!", 1), encoding="utf-8")
        log.unlink()
    _build(anthology, tmp_path / "out", workers, clean=not edit)
    lines = log.read_text(encoding="utf-8").split()
    merges = {name: tuple(ids.split(",")) for name, ids in (line.split("=") for line in lines)}
    here = str(os.getpid())
    assert merges["print"][0] == here
    if edit:  # the merges mostly read from the merge cache: both in the build's process
        assert merges["screen"][0] == here
        return
    # A cold build: the screen PDF is merged in a process the layout workers' zygote forks
    # (editions.py `_aside`), not one forked from the build (which would start with the
    # book): its parent is not the build's process.
    assert merges["screen"][0] != here and merges["screen"][1] != here
    order = [line.split("=")[0] for line in lines]
    if workers == 1:  # one core: one merge after the other
        assert order == ["print", "print-end", "screen", "screen-end"]


def test_the_paginated_editions_are_made_while_the_screen_pdf_merges(
    make_project: ProjectMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    anthology = _book(make_project)
    order: list[str] = []
    rendering, exporting = passes.render, editions.screen_exported

    def render(anthology: Any, target: Target, *args: Any) -> Any:
        order.append(target.value)
        return rendering(anthology, target, *args)

    def screen_exported(*args: Any) -> Any:  # once the screen PDF's merge is waited for
        order.append("screen merged")
        return exporting(*args)

    monkeypatch.setattr(passes, "render", render)
    monkeypatch.setattr(editions, "screen_exported", screen_exported)
    every = frozenset(Format)  # the web edition and the EPUB carry the print page numbers
    request = BuildRequest(anthology, every, tmp_path / "out", workers=2, clean=True)
    result = pipeline.build(request)
    assert not [d for d in result.diagnostics if d.severity.value == "error"]
    # The web edition and the EPUB print the print PDF's page numbers: rendered (and written)
    # as soon as the print PDF is, while the screen PDF merges (editions.py `meanwhile`).
    assert order[-3:] == [Target.WEB.value, Target.EPUB.value, "screen merged"]


def test_a_cold_build_converts_each_body_once_per_flow(
    make_project: ProjectMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    anthology = _book(make_project)
    converted: list[tuple[str, bool]] = []
    original = renderer.render_markdown

    def counted(
        source: str, lang: str, prefix: str, offset: int, paged: bool, *rest: Any, **named: Any
    ) -> Any:
        converted.append((prefix, paged))
        return original(source, lang, prefix, offset, paged, *rest, **named)

    monkeypatch.setattr(renderer, "render_markdown", counted)
    request = BuildRequest(anthology, frozenset(Format), tmp_path / "out", workers=1, clean=True)
    assert not has_errors(pipeline.build(request).diagnostics)
    # The screen and the print PDF share each body's HTML, and so do the web edition and the
    # EPUB (renderer.py `markdown`: keyed by `paged`, not by the target), even with --clean,
    # but for a body whose links differ between them (resena-02… link to resena-01).
    twice = Counter(converted)
    assert len(converted) >= 2 * 9
    assert [key for key, n in twice.items() if n > 1 and key[1]] == []
    assert twice[("resena-01", False)] == 1 and twice[("resena-02", False)] == 2

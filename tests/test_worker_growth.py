"""A layout worker does not grow with the number of chunks it lays out (issue 17: peak RSS).

WeasyPrint makes a Fontconfig configuration and a Pango font map for each render unless it is
given one, and part of their C memory stays allocated after the document is let go. The
workers now give every layout of one build the same font configuration (`pool.Held.fonts`,
`pdf.chunk_fonts`). (A worker laying out every chunk of a 400-review book, `--workers 1`,
grew by about 1.7 MiB a chunk before, 1.5 after: the rest is not this, and is not checked.) Here one chunk is laid out and written N times, then
4N times, in this process through the workers' own task runner (`pool._run`); its resident
set (VmRSS, proc(5)) may not grow by more than a fraction of a MiB per task.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pytest

from benchmarks.generate import generate
from publisher.base.access import Access
from publisher.base.rendered import Target
from publisher.export import pool
from publisher.export.chunkdata import ChunkJob
from publisher.export.chunked import jobs_for, split
from publisher.pipeline import load, render
from tests.conftest import ProjectMaker, review

N = 6
# Per task after the first N. With a font configuration per render: 6.13 MiB over 18 tasks
# (0.34 a task) on this book when this test was written; with one per worker, 0.52 MiB (0.03).
MIB_PER_TASK = 0.15
CORPUS_REVIEWS = 12
POOL_MIB_PER_TASK = 0.1

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/status")

TEXT = (
    "Las bicicletas son para el verano cuenta la guerra desde un piso de Madrid. "
    "Chávarri deja que la familia hable de comida mientras la ciudad resiste el asedio. "
    "El padre quiere una bicicleta para su hijo y la guerra la aplaza verano tras verano."
)


def _resident_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def _job(make_project: ProjectMaker) -> tuple[ChunkJob, Access]:
    reviews = {
        f"resena-{i}.md": review(title=f"Reseña {i}", year=1940 + i, body=TEXT) for i in (1, 2)
    }
    anthology, _ = load(make_project(reviews))
    book = render(anthology, Target.PRINT_PDF)
    pieces = split(book)
    jobs = jobs_for(book, pieces, None)
    body = next(piece for piece in pieces if piece.kind == "body")
    return jobs[body.name], Access.for_spec(anthology.spec)


def test_a_worker_does_not_grow_with_the_chunks_it_lays_out(
    make_project: ProjectMaker,
) -> None:
    job, access = _job(make_project)
    held = pool.Held()
    task = pool.Layout(job, hold=False)
    try:
        for _ in range(N):
            pool._run(task, held, access)
        pool.give_back_memory()
        before = _resident_kib()
        for _ in range(3 * N):
            pool._run(task, held, access)
        pool.give_back_memory()
        grown = (_resident_kib() - before) / 1024
    finally:
        held.let_go()
    assert grown < MIB_PER_TASK * 3 * N, f"{grown:.2f} MiB over {3 * N} tasks"


def test_the_fonts_temporary_folder_goes_with_the_worker(make_project: ProjectMaker) -> None:
    job, access = _job(make_project)
    held = pool.Held()
    pool._run(pool.Layout(job, hold=True), held, access)
    assert list(held.chunks) == [job.name]
    if held.fonts._folder is None:  # this theme has no @font-face: a folder as one would make
        held.fonts._folder = Path(tempfile.mkdtemp(prefix="weasyprint-"))
    folder = held.fonts._folder
    assert Path(folder).is_dir()
    held.let_go()
    assert held.chunks == {} and held.fonts is None
    assert not Path(folder).exists()


def _worker_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def _corpus_job(root: Path) -> tuple[ChunkJob, Access]:
    """The largest body chunk of the benchmarks' corpus of CORPUS_REVIEWS reviews (its text
    varied as a real book's: a chunk of the same short paragraph repeated hardly grows it)."""
    anthology, _ = load(generate(CORPUS_REVIEWS, root))
    book = render(anthology, Target.PRINT_PDF)
    pieces = split(book)
    jobs = jobs_for(book, pieces, None)
    body = max((piece for piece in pieces if piece.kind == "body"), key=lambda p: len(p.html))
    return jobs[body.name], Access.for_spec(anthology.spec)


def test_a_pool_worker_is_replaced_before_it_grows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool.threading, "active_count", lambda: 1)  # as in the CLI's process
    if not pool._may_fork(1):
        pytest.skip("needs fork")
    job, access = _corpus_job(tmp_path)
    n = pool.RECYCLE_AFTER
    resident: list[int] = []  # the worker's VmRSS (KiB) after each task, read by its pid
    with pool.Pool(1, access) as workers:
        assert workers.crew is not None

        def then(task: pool.Task, answer: pool.Answer) -> list[pool.Task]:
            assert workers.crew is not None
            resident.append(_worker_kib(workers.crew.workers[0].pid))
            return []

        for _ in range(4 * n):  # one at a time, as one worker laying out a book's chunks
            workers.run([pool.Layout(job, hold=False)], then)
    grown = (resident[4 * n - 1] - resident[n - 1]) / 1024
    print(f"worker after {n}, {4 * n} layouts: {[kib // 1024 for kib in resident]} MiB")
    assert grown < POOL_MIB_PER_TASK * 3 * n, f"{grown:.2f} MiB over {3 * n} more layouts"

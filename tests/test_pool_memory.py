"""The layout workers do not carry the book (export/pool.py `forked_early`, issue 17: peak RSS).

A forked process's resident set counts every page it inherited: workers forked after the book
was loaded and rendered each began with it. A build forks them before loading; what the build
then allocates must not appear in the workers, and each worker freezes what it inherited
(`gc.freeze`), so its collections skip it. The workers' task runner is replaced here (before
the fork: the children inherit the replacement) by one that answers with the worker's resident
set and frozen object count, read from /proc/self/status (proc(5)).
"""

from __future__ import annotations

import gc
import json
import mmap
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from publisher import pipeline
from publisher.base.access import Access
from publisher.export import pool
from publisher.export.chunkdata import ChunkJob
from tests.conftest import ONE_PART_TOML, ProjectMaker, review

BOOK_MIB = 96  # what the build allocates after forking: far more than a worker's own growth

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or not pool._may_fork(2), reason="needs fork and /proc"
)


@pytest.fixture(autouse=True)
def _one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite's earlier tests may leave threads behind (a Dask cluster's, a server's), and
    workers are forked early only in a process with no other thread: counted as one here, as
    in the command-line process these tests stand for."""
    monkeypatch.setattr(pool.threading, "active_count", lambda: 1)


def _resident_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def _resident_mapping(size: int) -> mmap.mmap:
    """`size` bytes of fresh anonymous memory with every page written, so resident (a
    `bytearray` may get untouched zero pages from calloc, or reuse pages already resident)."""
    mapping = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE)  # private: a fork inherits its pages
    for offset in range(0, size, mmap.PAGESIZE):
        mapping[offset] = 1
    return mapping


def _all_ended(early: pool._Early, pids: list[int]) -> bool:
    """The zygote waited for (joined) and its workers waited for by it: no /proc entry left."""
    return not early.crew.zygote.process.is_alive() and not any(
        Path(f"/proc/{pid}").exists() for pid in pids
    )


def _report(task: pool.Task, held: dict[str, Any], access: Access) -> tuple[int, int]:
    return _resident_kib(), gc.get_freeze_count()


def _tasks(count: int) -> list[pool.Task]:
    job = cast(ChunkJob, SimpleNamespace(name="body-001"))  # the runner here reads nothing else
    return [pool.Layout(job, hold=False) for _ in range(count)]


def _answers(workers: pool.Pool, count: int) -> list[Any]:
    answers: list[Any] = []
    workers.run(_tasks(count), lambda task, answer: answers.append(answer) or [])
    return answers


def test_workers_forked_early_do_not_start_with_what_the_build_loads_after(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(pool, "_run", _report)
    access = Access(tmp_path)
    with pool.forked_early(2, access):
        before = _resident_kib()  # after the fork (and the heap handed back before it)
        book = _resident_mapping(BOOK_MIB << 20)
        assert _resident_kib() > before + (BOOK_MIB << 10) // 2
        with pool.Pool(2, access) as workers:
            first = _answers(workers, 4)
        with pool.Pool(2, access) as workers:  # the next PDF's layout: the same processes
            second = _answers(workers, 2)
            reused = workers.early
        book.close()
    for resident, frozen in first + second:
        assert resident < before + (BOOK_MIB << 10) // 2, (before, resident)
        assert frozen > 0
    assert reused is not None


def test_a_run_that_fails_ends_the_early_workers_and_the_next_pool_forks_its_own(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def fail(task: pool.Task, held: dict[str, Any], access: Access) -> None:
        raise ValueError("una tarea que falla")

    access = Access(tmp_path)
    monkeypatch.setattr(pool, "_run", fail)
    with pool.forked_early(2, access):
        early = pool._early
        assert early is not None
        with pytest.raises(ValueError, match="una tarea que falla"), pool.Pool(2, access) as ps:
            pids = [worker.pid for worker in early.crew.ready()]
            _answers(ps, 2)
        assert pool._early is None
        assert _all_ended(early, pids)
        monkeypatch.setattr(pool, "_run", _report)  # forked now: the new runner
        with pool.Pool(2, access) as workers:
            assert workers.early is None
            assert len(_answers(workers, 2)) == 2


def test_another_thread_or_gate_gets_workers_of_its_own(tmp_path: Path) -> None:
    access = Access(tmp_path)
    with pool.forked_early(2, access):
        assert pool._early is not None
        with pool.Pool(2, Access(tmp_path / "otro")) as other:
            assert other.early is None
        with pool.Pool(1, access) as fewer:
            assert fewer.early is None
        taken: list[object] = []

        def in_a_thread() -> None:
            with pool.Pool(2, access) as workers:
                taken.append(workers.early)

        thread = threading.Thread(target=in_a_thread)
        thread.start()
        thread.join()
        assert taken == [None]
        with pool.Pool(2, access) as workers:
            assert workers.early is pool._early


def test_a_pdf_build_forks_its_workers_before_loading_the_book(
    make_project: ProjectMaker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    anthology = make_project(
        {f"resena-{i}.md": review(title=f"Reseña {i}", year=1940 + i) for i in (1, 2, 3)},
        ONE_PART_TOML,
    )
    seen: list[object] = []
    pids: list[int] = []
    loading, running = pipeline.load_book, pool.Pool.run

    def load_book(*args: Any) -> Any:
        seen.append(pool._early)
        return loading(*args)

    def run(self: pool.Pool, *args: Any) -> None:
        pids.extend(worker.pid for worker in self.crew.workers) if self.crew else None
        running(self, *args)
        pids.extend(worker.pid for worker in self.crew.workers) if self.crew else None

    monkeypatch.setattr(pool.Pool, "run", run)

    monkeypatch.setattr(pipeline, "load_book", load_book)
    request = pipeline.BuildRequest(
        anthology, frozenset({pipeline.Format.PDF}), tmp_path / "out", workers=2
    )
    pipeline.build(request)
    assert len(seen) == 1
    early = seen[0]
    assert isinstance(early, pool._Early) and early.count == 2
    assert pool._early is None  # ended with the build
    assert pids and _all_ended(early, pids)
    assert sorted(path.suffix for path in (tmp_path / "out").iterdir()) == [".pdf", ".pdf"]


def _named(*names: str) -> list[pool.Task]:
    return [pool.Layout(cast(ChunkJob, SimpleNamespace(name=name)), hold=False) for name in names]


def _pid(task: pool.Task, held: dict[str, Any], access: Access) -> int:
    return os.getpid()


def _fresh(names: list[str], tmp_path: Path) -> list[int]:
    """Where in `names` (each run by one worker, in order) a fresh worker took over."""
    ran: list[tuple[str, int]] = []
    with pool.Pool(1, Access(tmp_path)) as workers:
        workers.run(_named(*names), lambda task, pid: ran.append((task.job.name, pid)) or [])  # type: ignore[union-attr]
    assert [name for name, _ in ran] == names
    pids = [pid for _, pid in ran]
    assert os.getpid() not in pids
    return [pids.index(pid) for pid in dict.fromkeys(pids)]


def test_workers_are_replaced_after_some_layouts_and_before_one_document_chunks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(pool, "_run", _pid)
    monkeypatch.setattr(pool, "RECYCLE_AFTER", 3)
    assert _fresh([f"body-{i:03d}" for i in range(1, 8)], tmp_path) == [0, 3, 6]
    monkeypatch.setattr(pool, "RECYCLE_AFTER", 8)
    # back-003 after 3 layouts (ONE_DOCUMENT_AFTER), not back-004 and back-005 (1 and 2).
    names = ["front-000", "body-001", "body-002", "back-003", "back-004", "back-005"]
    assert _fresh(names, tmp_path) == [0, 3]
    # An edit: the contents measured, the edited chunk, the contents again: no replacement.
    assert _fresh(["front-000", "body-007", "front-000"], tmp_path) == [0]


def test_a_worker_that_dies_is_named_and_nothing_hangs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def die(task: pool.Task, held: dict[str, Any], access: Access) -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    monkeypatch.setattr(pool, "_run", die)
    message = r"^a layout worker \(pid \d+\) ended while laying out body-001$"
    with pytest.raises(pool.WorkerFailed, match=message), pool.Pool(2, Access(tmp_path)) as ps:
        ps.run(_named("body-001"), lambda task, answer: [])


def test_a_zygote_that_died_is_a_clear_error(tmp_path: Path) -> None:
    with pool.Pool(1, Access(tmp_path)) as workers:
        assert workers.crew is not None
        workers.crew.ready()
        workers.crew.zygote.process.kill()
        workers.crew.zygote.process.join()
        message = "^the layout workers' zygote ended before forking a worker$"
        with pytest.raises(pool.WorkerFailed, match=message):
            workers.crew.replace(0)


BUILD_HERE = """
import json, sys
from pathlib import Path
from publisher import pipeline
from publisher.export import pool
if sys.argv[3] == "in-process":
    pool._may_fork = lambda count: False
request = pipeline.BuildRequest(
    Path(sys.argv[1]), frozenset({pipeline.Format.PDF}), Path(sys.argv[2]),
    workers=2,
)
pipeline.build(request)
print(json.dumps("weasyprint" in sys.modules))
"""


@pytest.mark.parametrize(("mode", "imported"), [("forked", False), ("in-process", True)])
def test_a_chunked_build_leaves_weasyprint_to_the_workers(
    make_project: ProjectMaker, tmp_path: Path, mode: str, imported: bool
) -> None:
    """In its own process (this one imported WeasyPrint long ago): the chunked build's process
    never imports it when the layouts run in workers (their zygote does: export/zygote.py);
    with no fork, the layouts run here, importing it, and give the same two PDFs."""
    anthology = make_project(
        {f"resena-{i}.md": review(title=f"Reseña {i}", year=1940 + i) for i in (1, 2, 3)},
        ONE_PART_TOML,
    )
    out = tmp_path / f"out-{mode}"
    command = [sys.executable, "-c", BUILD_HERE, str(anthology), str(out), mode]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) is imported
    assert sorted(path.suffix for path in out.iterdir()) == [".pdf", ".pdf"]

"""Worker processes for the chunked layout: each keeps the chunks it laid out until it is told
to finish them, so a chunk's finishing goes to the process that holds it.

`Pool(count, access)`: `count` processes forked from a zygote (export/zygote.py), itself forked
from this one (they inherit the gate, which is not picklable, and the zygote's loaded
WeasyPrint; they are this process's grandchildren, waited for by the zygote, so what they use
counts in this process's resource usage). A build forks the zygote early (`forked_early`,
before it loads the manuscripts), so that the workers do not start with the book this process
then loads and renders: a forked process's resident set counts every page it inherited, so
workers forked after rendering each began with the whole book (issue 17: peak RSS, 567 MiB at
1,000 reviews). A worker that holds no layout is replaced by a fresh one from the zygote
(`_due`) after RECYCLE_AFTER layouts (each leaves about 1 MiB of C memory behind that
`malloc_trim` does not give back: 6 MiB over 24 layouts of one chunk,
tests/test_worker_growth.py), and before a one-document chunk (the contents, an index: its
layout grows with the book) once it laid out ONE_DOCUMENT_AFTER, so a worker's peak is a fresh
worker's plus one chunk's. A replacement costs ~0.1 s of CPU (a fork, the fonts of its first
layout): two cold builds of 100 reviews each way, every layout in a fresh worker vs none, took
+0.9 s user and +0.6 s system over 16 chunks. Each worker freezes what it inherited
(`gc.freeze`), so its collections walk only its own objects. One worker is a forked process
too: the layouts' memory then ends with it, and the merge that follows in this process starts
from the memory the build had before the layouts. Where `fork` is unavailable, in a daemonic
process (which may not have children), and for one worker in a process running other threads,
the tasks run in this process, one after another, with the same results. Tasks and results are
plain data (export/chunkdata.py). Written here rather than with `concurrent.futures` because a
pool there sends each task to whichever process is free: a held layout could not be finished.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import multiprocessing.connection
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..base.access import Access
from .chunkdata import ChunkJob, ChunkPdf, Shape
from .heap import give_back_memory
from .zygote import Crew, Worker, WorkerFailed, Zygote


@dataclass(frozen=True)
class Layout:
    """Lay `job` out; `hold`: keep it for a `Finish` (answer: its Shape), else finish it at
    once from `job.start` with `job.seeds` (answer: its ChunkPdf); `measure`: only learn its
    Shape and let the layout go, unwritten (a chunk that must be laid out again once the page
    numbers it prints are known: writing it first would be thrown away)."""

    job: ChunkJob
    hold: bool
    measure: bool = False


@dataclass(frozen=True)
class Finish:
    """Finish the held chunk `name` from page `start` with named strings `seeds` (answer: its
    ChunkPdf); the process then lets it go."""

    name: str
    start: int
    seeds: tuple[tuple[str, str], ...]


Task = Layout | Finish
# Chunks one process may hold unfinished: a held layout keeps its whole box tree in memory, so
# a process that holds this many takes no new held layout until it has finished one.
HOLD_AT_MOST = 1
Answer = Shape | ChunkPdf
# Layouts a worker runs before it is replaced by a fresh one (`_due`).
RECYCLE_AFTER = 8
ONE_DOCUMENT_AFTER = 3


@dataclass
class Held:
    """What one process keeps between its tasks: the chunks laid out and not yet finished, by
    name, and the font configuration all its layouts share (`pdf.chunk_fonts`, made at the
    first layout; let go with this, by `let_go`)."""

    chunks: dict[str, Any] = field(default_factory=dict)
    fonts: Any = None

    def let_go(self) -> None:
        """Drop the chunks and the fonts, then collect (the fonts' temporary folder goes)."""
        if self.chunks or self.fonts is not None:
            self.chunks.clear()
            self.fonts = None
            gc.collect()


def _run(task: Task, held: Held, access: Access) -> Answer:
    from . import pdf  # WeasyPrint: imported where the layout happens

    if isinstance(task, Finish):
        laid, shape = held.chunks.pop(task.name)
        return _released(pdf.finish_chunk(laid, shape, task.start, dict(task.seeds)))
    if held.fonts is None:
        held.fonts = pdf.chunk_fonts()
    laid, shape = pdf.lay_out_chunk(task.job, access, held.fonts)
    if task.measure:
        del laid
        gc.collect()  # the box tree is cyclic (boxes name their parents)
        return shape
    if task.hold:
        held.chunks[task.job.name] = (laid, shape)
        return shape
    return _released(pdf.finish_chunk(laid, shape, task.job.start, dict(task.job.seeds)))


def _released(answer: ChunkPdf) -> ChunkPdf:
    """A finished layout's box tree is cyclic (boxes name their parents): collect it now, so
    the next chunk is laid out in the memory this one used."""
    gc.collect()
    return answer


def _serve(connection: multiprocessing.connection.Connection, access: Access) -> None:
    gc.freeze()  # inherited: collections here skip it (and leave its pages shared)
    held = Held()
    while True:
        task = connection.recv()
        if task is None:
            held.let_go()  # the process ends with os._exit: no finalizer would run
            return
        try:
            connection.send((True, _run(task, held, access)))
        except Exception as exc:  # sent back, raised in the parent
            try:
                connection.send((False, exc))
            except Exception:  # not picklable: its text instead
                connection.send((False, WorkerFailed(traceback.format_exc())))


@dataclass
class _Early:
    """Workers forked by `forked_early`, for the Pools of one thread with the same count and
    gate; `in_use` while a Pool runs tasks on them."""

    count: int
    access: Access
    thread: int
    crew: Crew
    in_use: bool = False

    def fits(self, count: int, access: Access) -> bool:
        return (
            not self.in_use
            and self.count == count
            and self.access == access
            and self.access.fetched is access.fetched  # not compared by ==
            and self.thread == threading.get_ident()
        )


_early: _Early | None = None


@contextlib.contextmanager
def forked_early(count: int, access: Access) -> Iterator[None]:
    """Fork the zygote of the `count` layout workers now, while this process holds little (it
    imports WeasyPrint and forks the workers meanwhile: export/zygote.py), for every
    `Pool(count, access)` made in this thread until the block ends; they end with it. Only in
    a process with no other thread (a library caller's or a Dask worker's threads: Pools fork
    their own, as before), and where `_may_fork` allows it; otherwise nothing is forked here."""
    global _early
    if _early is not None or threading.active_count() != 1 or not _may_fork(count):
        yield
        return
    give_back_memory()
    early = _Early(count, access, threading.get_ident(), Crew.forked(count, access, _serve))
    _early = early
    try:
        yield
    finally:
        if _early is early:
            _early = None
            early.crew.end()


def early_zygote() -> Zygote | None:
    """`forked_early`'s zygote in this thread, unless a Pool runs on it (editions.py `_aside`)."""
    early = _early
    if early is None or early.in_use or early.thread != threading.get_ident():
        return None
    return early.crew.zygote


def _drop_early(early: _Early) -> None:
    """Workers left in an unknown state (a run that raised): ended; later Pools fork anew."""
    global _early
    if _early is early:
        _early = None
    early.crew.end()


class Pool:
    """`run(tasks, then)`: run each task, and each that `then(task, answer)` adds; a Finish
    goes to the process holding its chunk. Use as a context manager (ends the processes it
    forked; gives back the early ones, `forked_early`, unless a task raised). A worker that
    holds no layout is replaced by a fresh one (`_due`) before a layout."""

    def __init__(self, count: int, access: Access) -> None:
        self.access = access
        self.held = Held()  # in-process mode
        self.crew: Crew | None = None
        self.early = _early if _early is not None and _early.fits(count, access) else None
        if self.early is not None:
            self.early.in_use = True
            self.crew = self.early.crew
        elif _may_fork(count):
            self.crew = Crew.forked(count, access, _serve)

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        self.held.let_go()
        if self.crew is None:
            return
        if self.early is None:
            self.crew.end()
        elif kind is not None:
            _drop_early(self.early)
        else:
            self.early.in_use = False

    def run(
        self, tasks: list[Task], then: Callable[[Task, Answer], list[Task]],
        idle: Callable[[], None] | None = None,
    ) -> None:  # fmt: skip
        """`idle()` runs once here after the first tasks are sent, while workers run them (not
        without workers). Raises what a task raised (BuildFailed, ChunkUnsafe; WorkerFailed
        otherwise, and when a worker ended without answering)."""
        if self.crew is None:
            queue = list(tasks)
            while queue:  # a finishing first: it lets a held layout go
                first = next((i for i, t in enumerate(queue) if isinstance(t, Finish)), 0)
                task = queue.pop(first)
                queue.extend(then(task, _run(task, self.held, self.access)))
            return
        self._run_parallel(self.crew, list(tasks), then, idle)

    def _run_parallel(
        self, crew: Crew, queue: list[Task], then: Callable[[Task, Answer], list[Task]],
        idle: Callable[[], None] | None,
    ) -> None:  # fmt: skip
        workers = crew.ready()
        owner: dict[str, int] = {}
        held_by: list[int] = []  # one entry per chunk held, naming its process
        busy: dict[int, Task] = {}
        while queue or busy:
            for index in range(len(workers)):
                if index in busy:
                    continue
                task = _pick(queue, index, owner, held_by.count(index) >= HOLD_AT_MOST)
                if task is None:
                    continue
                if isinstance(task, Layout):
                    if index not in held_by and _due(workers[index], task):
                        crew.replace(index)
                    workers[index].layouts += 1
                    if task.hold:
                        owner[task.job.name] = index
                        held_by.append(index)
                elif isinstance(task, Finish):
                    held_by.remove(index)
                busy[index] = task
                _send(workers[index], task)
            if not busy:
                raise WorkerFailed(f"no worker can run {queue[0]!r}")
            if idle is not None:
                now = idle
                idle = None
                now()
            waiting = {workers[index].connection: index for index in busy}
            for ready in multiprocessing.connection.wait(list(waiting)):
                index = waiting[ready]  # type: ignore[index]
                task = busy.pop(index)
                ok, answer = _answer(workers[index], task)
                if not ok:
                    raise answer
                queue.extend(then(task, answer))


def _send(worker: Worker, task: Task) -> None:
    try:
        worker.connection.send(task)
    except OSError:
        raise WorkerFailed(_ended(worker, task)) from None


def _answer(worker: Worker, task: Task) -> tuple[bool, Any]:
    try:
        answer: tuple[bool, Any] = worker.connection.recv()
    except (EOFError, OSError):
        raise WorkerFailed(_ended(worker, task)) from None
    return answer


def _ended(worker: Worker, task: Task) -> str:
    name = task.name if isinstance(task, Finish) else task.job.name
    return f"a layout worker (pid {worker.pid}) ended while laying out {name}"


def _one_document(task: Layout) -> bool:
    """A chunk of the front or back matter (export/chunked.py `split` names them `front-…`,
    `back-…`): one document (the contents, an index) whose layout grows with the book; not a
    part of a long document after its first (export/parts.py), whose layout is bounded."""
    name = task.job.name
    return name.startswith(("front-", "back-")) and "." not in name  # parts.py `part_name`


def _due(worker: Worker, task: Layout) -> bool:
    """`worker`, holding no layout, is replaced by a fresh one before `task`: after
    RECYCLE_AFTER layouts (each leaves about 1 MiB of C memory behind, issue 17), and before a
    one-document chunk once it laid out ONE_DOCUMENT_AFTER (the contents' or an index's layout
    then starts from a fresh worker's memory, not one grown by the body's chunks). Not after a
    one-document chunk: the next layouts reuse the heap it freed. A fresh worker's first layout
    costs ~0.1 s more (caches, fonts): an edit (the contents measured, the edited chunk, the
    contents laid out again) stays in the workers it starts with, one worker or two."""
    return worker.layouts >= RECYCLE_AFTER or (
        worker.layouts >= ONE_DOCUMENT_AFTER and _one_document(task)
    )


def _may_fork(count: int) -> bool:
    """One worker is forked only from a process with no other thread (a Dask worker's has
    several: a lock one of them holds would stay held in the child)."""
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and not multiprocessing.current_process().daemon
        and (count > 1 or threading.active_count() == 1)
    )


def _pick(queue: list[Task], worker: int, owner: dict[str, int], full: bool) -> Task | None:
    """The first Finish this worker holds the chunk of, else the first layout it may run (no
    held layout when it is `full`). Tasks leave the queue in order, so the chunks before a
    held one are laid out or under way: its finishing always comes."""
    for index, task in enumerate(queue):
        if isinstance(task, Finish) and owner.get(task.name) == worker:
            return queue.pop(index)
    for index, task in enumerate(queue):
        if isinstance(task, Layout) and not (full and task.hold):
            return queue.pop(index)
    return None

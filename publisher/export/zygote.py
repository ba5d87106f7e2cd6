"""The small process the layout workers are forked from, so that a worker can be replaced by a
fresh one in the middle of a build (issue 17: peak RSS flat as the book grows).

A worker's C memory grows with every chunk it lays out (about 1 MiB a body chunk, not given
back by `malloc_trim`), and a one-document chunk (the contents, an index) raises it by what
that document's layout takes: a worker that laid out half the book's chunks ends far above a
fresh one. Replacing it needs a process to fork it from that does not hold the book: the build
process does (a forked process's resident set counts every page it inherited). The zygote is
forked from the build process early (export/pool.py `forked_early`, before the manuscripts are
loaded), imports WeasyPrint (`export.pdf`, ~0.35 s, in parallel with the build's loading and
rendering, which then never import it in the chunked path) and forks a worker for every
request it reads on a Unix socket pair. It sends the worker's pid and its end of the worker's
pipe back over that socket (`socket.send_fds`: SCM_RIGHTS, unix(7)), so the build talks to
the worker directly, and it waits for every worker it forked: the workers are the build's
grandchildren, and their CPU time and peak resident set (`ru_maxrss`) reach the build's
`RUSAGE_CHILDREN` through the zygote's, as a waited-for child's waited-for children do
(getrusage(2)). Written with `os.fork` rather than `multiprocessing.Process`: the zygote is a
daemonic process, which `multiprocessing` forbids to have children.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import multiprocessing.connection
import os
import signal
import socket
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ..base.access import Access

Connection = multiprocessing.connection.Connection
Serve = Callable[[Connection, Access], None]  # a worker's loop: its pipe end, the build's gate

FORK = b"f"  # request: fork one worker
RUN = b"r"  # request: fork one process that runs one call (`Zygote.run`)
END = b"e"  # request: wait for the workers and end
PID_BYTES = 8
END_SECONDS = 5.0  # a worker still running this long after the zygote is told to end is killed


class WorkerFailed(Exception):
    """A worker raised something that is not a build error (its traceback, as text), a worker
    ended without answering, or the zygote ended before it sent a worker."""


@dataclass
class Worker:
    """One layout worker: its `pid` (the zygote's child), the build's end of its pipe, and how
    many layouts it ran since it was forked (export/pool.py's recycling rule)."""

    pid: int
    connection: Connection
    layouts: int = 0


class Zygote:
    """`Zygote(access, serve)` forks the zygote now; `order(n)` asks it for n workers without
    waiting, `take()` gives the next one ordered (raises WorkerFailed when it ended), `end()`
    ends the zygote once it has waited for its workers (which must have been told to end)."""

    def __init__(self, access: Access, serve: Serve) -> None:
        self.spare: list[Worker] = []  # workers ordered, read before a `run` was answered
        here, there = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        context = multiprocessing.get_context("fork")
        self.process: Any = context.Process(
            target=_zygote, args=(there, here, access, serve), daemon=True
        )
        self.process.start()
        there.close()
        self.socket = here
        self.ordered = 0

    def order(self, count: int = 1) -> None:
        with contextlib.suppress(OSError):  # an ended zygote: take() says so
            self.socket.sendall(FORK * count)
        self.ordered += count

    def take(self) -> Worker:
        if self.spare:
            return self.spare.pop(0)
        if self.ordered == 0:
            self.order()
        self.ordered -= 1
        return self._answer()

    def run(self, work: Callable[[], Any]) -> Callable[[], Any]:
        """`work` started in a process forked from the zygote now, so that it starts with the
        zygote's memory, not the build's (issue 17: the screen PDF's merge, forked from the
        build, began with the whole book). `work` must pickle (a module's function, or a
        `functools.partial` of one with arguments that pickle); it runs with what the zygote
        inherited, as a worker does. The function returned waits for its answer and raises
        what `work` raised (WorkerFailed when that does not pickle, or when the process
        ended without answering); interrupted (SIGTERM raised as an exception, Ctrl-C), it
        kills the process and waits for its end before the interruption goes on. Raises
        WorkerFailed when the zygote does not answer."""
        while self.ordered:  # workers ordered and not taken: their answers come first
            self.ordered -= 1
            self.spare.append(self._answer())
        with contextlib.suppress(OSError):  # an ended zygote: _answer says so
            self.socket.sendall(RUN)
        once = self._answer()
        try:
            once.connection.send(work)
        except BaseException as exc:  # it reads the end of its pipe and ends
            once.connection.close()
            if isinstance(exc, OSError):
                raise WorkerFailed(
                    f"the process forked to run a call (pid {once.pid}) ended"
                ) from None
            raise
        return partial(_awaited, once)

    def _answer(self) -> Worker:
        """The next process the zygote forked: its pid and the build's end of its pipe."""
        try:
            message, fds, _, _ = socket.recv_fds(self.socket, PID_BYTES, 1)
        except OSError as error:
            raise WorkerFailed(f"the layout workers' zygote did not answer: {error}") from None
        if len(message) != PID_BYTES or len(fds) != 1:
            for fd in fds:
                os.close(fd)
            raise WorkerFailed("the layout workers' zygote ended before forking a worker")
        return Worker(int.from_bytes(message, "little"), Connection(fds[0]))

    def end(self) -> None:
        with contextlib.suppress(OSError):
            self.socket.sendall(END)
        self.socket.close()
        self.process.join(timeout=END_SECONDS + 5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def _stop(worker: Worker) -> None:
    """Tell `worker` to end (it lets its layouts go and exits; its zygote waits for it)."""
    with contextlib.suppress(OSError):
        worker.connection.send(None)
    worker.connection.close()


@dataclass
class Crew:
    """`count` layout workers and the zygote (`Zygote`) they are forked from; the
    workers are taken from the zygote when first needed (`ready`), so that its import of
    WeasyPrint overlaps what the build does meanwhile."""

    zygote: Zygote
    count: int
    workers: list[Worker] = field(default_factory=list)

    @classmethod
    def forked(cls, count: int, access: Access, serve: Serve) -> Crew:
        zygote = Zygote(access, serve)
        zygote.order(count)
        return cls(zygote, count)

    def ready(self) -> list[Worker]:
        """The workers, all running (raises WorkerFailed when the zygote ended)."""
        while len(self.workers) < self.count:
            self.workers.append(self.zygote.take())
        return self.workers

    def replace(self, index: int) -> Worker:
        """Worker `index` ended and a fresh one in its place (raises WorkerFailed as `ready`)."""
        _stop(self.workers[index])
        self.workers[index] = self.zygote.take()
        return self.workers[index]

    def end(self) -> None:
        for worker in self.workers:
            _stop(worker)
        self.workers.clear()
        self.zygote.end()


def _zygote(there: socket.socket, here: socket.socket, access: Access, serve: Serve) -> None:
    """The zygote's loop: a worker forked for each FORK read, until END or the build's end of
    the socket closes; then every worker is waited for (killed after END_SECONDS)."""
    here.close()
    from . import pdf

    pdf.warm()  # WeasyPrint and the package: loaded once here, shared by every worker

    gc.collect()
    gc.freeze()  # what the workers inherit: their collections skip it
    children: set[int] = set()
    try:
        while (request := there.recv(1)) in (FORK, RUN):
            ours, theirs = multiprocessing.Pipe()
            pid = os.fork()
            if pid == 0:  # the worker: never returns
                _worker(there, ours, theirs, access, serve if request == FORK else _once)
            theirs.close()
            socket.send_fds(there, [pid.to_bytes(PID_BYTES, "little")], [ours.fileno()])
            ours.close()
            children.add(pid)
            _reap(children, None)
    except OSError:
        pass  # the build's end is gone: its workers are waited for all the same
    finally:
        _reap(children, END_SECONDS)


def _worker(
    there: socket.socket, ours: Connection, theirs: Connection, access: Access, serve: Serve
) -> None:
    code = 0
    try:
        there.close()  # only the zygote reads requests; the build's pipe end is the build's
        ours.close()
        serve(theirs, access)
    except BaseException:
        code = 1
    finally:
        os._exit(code)  # no atexit handlers, no flushing of the zygote's buffers


def _once(connection: Connection, access: Access) -> None:
    """A process forked for `Zygote.run`: read the call, run it, send back (True, its answer)
    or (False, what it raised), then end."""
    work = connection.recv()
    try:
        answer: tuple[bool, Any] = (True, work())
    except Exception as exc:
        answer = (False, exc)
    try:
        connection.send(answer)
    except Exception:  # not picklable: its text instead
        connection.send((False, WorkerFailed(traceback.format_exc())))


def _awaited(once: Worker) -> Any:
    """The answer of a process `Zygote.run` forked, or what it raised (see there)."""
    try:
        try:
            ok, answer = once.connection.recv()
        except (EOFError, OSError):
            raise WorkerFailed(
                f"the process {once.pid} forked to run a call ended without answering"
            ) from None
        except BaseException:  # interrupted: the process must not outlive this wait
            with contextlib.suppress(OSError):
                os.kill(once.pid, signal.SIGKILL)
            with contextlib.suppress(EOFError, OSError):
                while True:  # its end of the pipe closes when it ends
                    once.connection.recv_bytes()
            raise
    finally:
        once.connection.close()
    if not ok:
        raise answer
    return answer


def _reap(children: set[int], seconds: float | None) -> None:
    """Wait for the `children` that ended; with `seconds`, for up to that long for the others,
    then kill them (None: the others are left running)."""
    deadline = time.monotonic() + (seconds or 0.0)
    while children:
        for pid in list(children):
            with contextlib.suppress(ChildProcessError):
                if os.waitpid(pid, os.WNOHANG)[0] == 0:
                    continue
            children.discard(pid)
        if seconds is None or not children or time.monotonic() >= deadline:
            break
        time.sleep(0.01)
    if seconds is None:
        return
    for pid in children:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)

"""A call run apart from the build, in a process the layout workers' zygote forks
(export/zygote.py `Zygote.run`; issue 17: peak RSS flat as the book grows).

The screen PDF's merge ran in a process forked from the build's, which starts with every page
the build holds (a forked process's resident set counts the pages it inherited): the whole
book, 120 MiB at 1,000 reviews. Forked from the zygote (itself forked before the book is
loaded), it starts with the zygote's. The calls below are this module's functions, so that
they pickle; they answer with what they read in the process that runs them.
"""

from __future__ import annotations

import mmap
import os
import signal
import sys
from functools import partial
from pathlib import Path

import pytest

from publisher.base.access import Access
from publisher.export import editions, pool
from publisher.export.zygote import WorkerFailed, Zygote

BOOK_MIB = 96  # what the build allocates after forking the zygote

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or not pool._may_fork(2), reason="needs fork and /proc"
)


@pytest.fixture(autouse=True)
def _one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers are forked early only in a process with no other thread (earlier tests may
    leave some behind): counted as one here, as in the command-line process."""
    monkeypatch.setattr(pool.threading, "active_count", lambda: 1)


def _resident_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def _where() -> tuple[int, int, int]:
    """The process running the call: its resident set (KiB), pid and parent's pid."""
    return _resident_kib(), os.getpid(), os.getppid()


def _failing(message: str) -> None:
    raise ValueError(message)


def _killed() -> bytes:
    os.kill(os.getpid(), signal.SIGKILL)
    return b""


def _pid() -> bytes:
    return str(os.getpid()).encode()


def _zygote() -> Zygote:
    zygote = pool.early_zygote()
    assert zygote is not None
    return zygote


def test_a_call_run_by_the_zygote_does_not_start_with_what_the_build_holds(
    tmp_path: Path,
) -> None:
    with pool.forked_early(2, Access(tmp_path)):
        zygote = _zygote()
        before = _resident_kib()
        book = mmap.mmap(-1, BOOK_MIB << 20, flags=mmap.MAP_PRIVATE)  # a fork inherits it
        for offset in range(0, BOOK_MIB << 20, mmap.PAGESIZE):
            book[offset] = 1
        assert _resident_kib() > before + (BOOK_MIB << 10) // 2
        resident, pid, parent = zygote.run(_where)()
        book.close()
    assert resident < before + (BOOK_MIB << 10) // 2, (before, resident)
    assert pid != os.getpid() and parent == zygote.process.pid  # the zygote's child


def test_what_the_call_raises_is_raised_where_it_is_waited_for(tmp_path: Path) -> None:
    with pool.forked_early(2, Access(tmp_path)):
        waited = _zygote().run(partial(_failing, "la fusión falló"))
        with pytest.raises(ValueError, match=r"^la fusión falló$"):
            waited()


def test_a_call_that_does_not_pickle_is_refused_and_the_workers_still_come(
    tmp_path: Path,
) -> None:
    access = Access(tmp_path)
    with pool.forked_early(2, access):
        zygote = _zygote()
        zygote.order(1)  # a worker ordered and not taken yet: its answer comes first
        with pytest.raises(AttributeError, match="local object"):
            zygote.run(lambda: 1)
        assert zygote.run(_where)()[2] == zygote.process.pid
        with pool.Pool(2, access) as workers:  # the early crew's two and the spare one
            assert workers.crew is not None and len(workers.crew.ready()) == 2
        assert isinstance(zygote.take().pid, int)


def test_a_zygote_that_ended_says_so(tmp_path: Path) -> None:
    with pool.forked_early(2, Access(tmp_path)):
        zygote = _zygote()
        zygote.process.kill()
        zygote.process.join()
        with pytest.raises(WorkerFailed, match="zygote"):
            zygote.run(_where)


def test_a_pool_in_use_lends_no_zygote(tmp_path: Path) -> None:
    access = Access(tmp_path)
    assert pool.early_zygote() is None  # none forked
    with pool.forked_early(2, access):
        with pool.Pool(2, access):
            assert pool.early_zygote() is None  # its workers are being forked and taken
        assert pool.early_zygote() is not None


def test_a_call_whose_process_dies_is_done_here(tmp_path: Path) -> None:
    with pool.forked_early(2, Access(tmp_path)):
        zygote = _zygote()
        with pytest.raises(WorkerFailed, match="ended without answering"):
            zygote.run(_killed)()
        # The screen PDF's merge then runs in the build's process (editions.py `_aside`).
        assert editions._awaited_or_here(zygote.run(_killed), _pid) == _pid()
        assert editions._awaited_or_here(zygote.run(_pid), _pid) != _pid()

"""A chunk's screen write in a forked process while this one writes its print PDF (issue 17: a
lone chunk, such as the one an edit re-lays out, otherwise writes both on one core while the
other worker waits).

Written with `os.fork` and a pipe rather than `multiprocessing`: the pool's workers are
daemonic processes, which `multiprocessing` forbids to have children. The child inherits the
laid-out chunk (copy on write), so nothing is pickled but the answer.
"""

from __future__ import annotations

import os
import pickle
import signal
import traceback
from collections.abc import Callable


class ForkedFailed(Exception):
    """The forked write raised something that cannot be sent back: its traceback, as text."""


def forked(work: Callable[[], bytes]) -> Callable[[], bytes]:
    """Start `work` in a child process forked now; the function returned waits for it and gives
    its bytes, or raises what it raised (pickled back: BuildFailed, LayoutsDiffer, …;
    ForkedFailed when that cannot be pickled). If the child ends without an answer (killed),
    the waiting function runs `work` in this process instead; if the wait is interrupted
    (SIGTERM raised as an exception, Ctrl-C), the child is killed and reaped before the
    interruption goes on, so it writes nothing after (tests/test_interrupt.py). Raises OSError
    when the process cannot fork (callers then run `work` themselves)."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(reader)
        code = 0
        try:
            try:
                answer: tuple[bool, object] = (True, work())
            except Exception as exc:
                answer = (False, exc)
            try:
                data = pickle.dumps(answer)
            except Exception:
                data = pickle.dumps((False, ForkedFailed(traceback.format_exc())))
            with os.fdopen(writer, "wb") as stream:
                stream.write(data)
        except BaseException:
            code = 1
        finally:
            os._exit(code)  # no atexit handlers, no flushing of the parent's buffers
    os.close(writer)

    def wait() -> bytes:
        try:
            with os.fdopen(reader, "rb") as stream:
                data = stream.read()
        except BaseException:  # interrupted (SIGTERM, Ctrl-C): the child must not outlive this
            os.kill(pid, signal.SIGKILL)  # wait, nor write into a staging folder removed next
            os.waitpid(pid, 0)
            raise
        os.waitpid(pid, 0)
        try:
            ok, value = pickle.loads(data)
        except (EOFError, pickle.UnpicklingError):
            return work()  # the child died without (all of) its answer
        if not ok:
            raise value
        assert isinstance(value, bytes)
        return value

    return wait

"""Memory freed by a stage handed back to the system (issue 17: peak RSS), so that it is not
counted again in the next stage's resident size, nor in the processes forked from this one.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc


def give_back_memory() -> None:
    """Collect cyclic garbage, then hand the C heap's free pages back to the system (glibc's
    `malloc_trim`; nothing elsewhere), so that the memory a stage used and freed (a merge's
    pikepdf objects) is not counted again in the next stage's resident size, nor in the
    processes forked from this one (a forked process starts with its parent's resident pages)."""
    gc.collect()
    give_back_heap()


def give_back_heap() -> None:
    """Hand the C heap's free pages back to the system (glibc's `malloc_trim`; nothing
    elsewhere), without collecting garbage: about 0.4 ms. A merge opens each chunk with pikepdf
    in turn; what qpdf frees is left in pieces that later chunks' objects do not fit, and the
    heap grew by ~0.4 MB a chunk (50 MB over the 107 chunks of a 1,000-review book) until trimmed
    after each."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)  # this process's own symbols: libc's, on Linux

"""What a chunk of the chunked layout costs besides its text, and how export/chunked.py keeps
it low (issue 17): how many documents a chunk holds, which layouts write their two PDFs at
once."""

from __future__ import annotations

import math
from dataclasses import replace

from .pool import Layout, Task

# Measured (issue 17, 2 cores, a chunk of 20 reviews of the 400-review benchmark, CPU time): a
# chunk costs ~0.3 s that do not depend on its text (stylesheets parsed, the screen cascade, the
# layout context's fonts) and ~0.06 s a document to lay out, ~0.035 s to write as print and
# ~0.045 s as screen PDF (written at once in two processes when a worker is idle). The chunk an
# edit lays out again then takes ~FIXED_S + (0.06 + 0.045) s a document: at most EDIT_S.
FIXED_S = 0.3
CRITICAL_S_PER_DOCUMENT = 0.105
EDIT_S = 1.35  # CPU seconds of the edited chunk's critical path (~1.2 s of wall on an idle core)
MOST_DOCUMENTS = math.floor((EDIT_S - FIXED_S) / CRITICAL_S_PER_DOCUMENT)  # 10


def chunk_size(body: int) -> int:
    """Documents (parts and reviews) per body chunk for a book of `body` of them: √body (as
    many chunks as documents in each, the fixed cost shared evenly) but at most MOST_DOCUMENTS,
    so that the chunk an edit lays out again stays small in a large book; at least 2. The size
    depends on the book alone, so an edit inside a review moves no boundary."""
    return max(2, min(MOST_DOCUMENTS, round(math.sqrt(body))))


def forking(found: list[Task], idle: int) -> list[Task]:
    """`found` with its first `idle` layouts that are finished at once and write a screen
    chunk told to write it in a forked process (export/pdf/forked.py) while the print chunk
    is written: `idle`, the workers that would otherwise wait (a lone chunk: the one an edit
    lays out again, the front matter laid out again at the end)."""
    tasks: list[Task] = []
    for task in found:
        if idle > 0 and isinstance(task, Layout) and not task.hold and task.job.screen:
            task = replace(task, job=replace(task.job, fork_screen=True))
            idle -= 1
        tasks.append(task)
    return tasks

"""What a long job tells its caller as it goes: one small event per step.

`build()` (pipeline) and `validate_files()` (validation) call a `ProgressCallback`, when given
one, with a `Progress` at every step: the command line shows them as a live status on a terminal
and as plain lines with `--verbose`; a library caller may log them, or ignore them (pass None).
The callback runs in the caller's thread, between steps: it should return quickly and not raise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    """One step of a long job.

    `stage`: the phase, a stable name for programs (the build's are the report's stage names:
    `plan`, `load`, `render`, `export-print`, …, `validate`); `what`: the step in words, for
    people ("laying out the print PDF", "EPUBCheck done on book.epub"); `done` of `total`
    `unit`s finished when the event is sent (`total` None: the stage is not counted), e.g.
    `done=1, total=5, unit="validators"`.
    """

    stage: str
    what: str
    done: int = 0
    total: int | None = None
    unit: str = ""

    def __str__(self) -> str:
        """`what`, then the count when there is one: "EPUBCheck done (1/5 validators)"."""
        if self.total is None:
            return self.what
        return f"{self.what} ({self.done}/{self.total} {self.unit})".replace(" )", ")")


ProgressCallback = Callable[[Progress], None]

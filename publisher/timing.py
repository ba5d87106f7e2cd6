"""How long each named phase of a build took, for the report (`-v`'s timings, `--json`), and
what each phase does, told to the progress callback as it starts."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass

from .base.progress import Progress, ProgressCallback


@dataclass(frozen=True)
class StageTime:
    name: str
    seconds: float


class StageTimer:
    """Times each named phase of a build, for the report; tells `progress` what each does."""

    def __init__(self, progress: ProgressCallback | None = None) -> None:
        self.times: list[StageTime] = []
        self.progress = progress

    def tell(self, event: Progress) -> None:
        if self.progress is not None:
            self.progress(event)

    @contextlib.contextmanager
    def __call__(self, name: str, what: str | None = None) -> Iterator[None]:
        """Time the phase `name` (a phase run twice, e.g. one edition rendered after another,
        is one entry: the sum); `what`, the phase in words, is told as it starts."""
        if what is not None:
            self.tell(Progress(name, what))
        start = time.perf_counter()
        try:
            yield
        finally:
            seconds = time.perf_counter() - start
            before = next((i for i, done in enumerate(self.times) if done.name == name), None)
            if before is None:
                self.times.append(StageTime(name, round(seconds, 4)))
            else:
                summed = self.times[before].seconds + seconds
                self.times[before] = StageTime(name, round(summed, 4))

"""Run one command and measure it: wall time, CPU time and peak RSS of that child alone.

`os.wait4` returns the rusage of exactly the child we started (plus any grandchildren it
waited for, e.g. the `weasyprint` process Pandoc spawns), so there is no need to diff
`RUSAGE_CHILDREN` across runs or to depend on `/usr/bin/time`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Measurement:
    seconds: float  # wall clock, `time.perf_counter` around spawn + wait
    cpu_seconds: float  # user + system
    peak_rss_mb: float  # ru_maxrss (KiB on Linux) / 1024

    @staticmethod
    def combine(runs: Sequence[Measurement]) -> Measurement:
        """Median times across repeats; the worst peak memory."""
        return Measurement(
            statistics.median(r.seconds for r in runs),
            statistics.median(r.cpu_seconds for r in runs),
            max(r.peak_rss_mb for r in runs),
        )


class CommandFailed(RuntimeError):
    pass


def run_measured(
    command: Sequence[str | Path],
    cwd: Path,
    log: Path,
    env: Mapping[str, str] | None = None,
) -> Measurement:
    """Run `command` in `cwd`, output to `log`; raise CommandFailed on a non-zero exit."""
    args = [str(part) for part in command]
    with log.open("ab") as sink:
        sink.write(f"$ {' '.join(args)}\n".encode())
        sink.flush()
        start = time.perf_counter()
        child = subprocess.Popen(args, cwd=cwd, env=env, stdout=sink, stderr=sink)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
    # We reaped the child ourselves; tell Popen so it does not try again.
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise CommandFailed(f"exit {child.returncode}: {' '.join(args)} (see {log})")
    return Measurement(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def run_quiet(
    command: Sequence[str | Path], cwd: Path, log: Path, env: Mapping[str, str] | None = None
) -> None:
    """Untimed preparation step, same logging and failure rules."""
    run_measured(command, cwd, log, env)

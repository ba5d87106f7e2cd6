"""Peak memory as the book grows: is a cold build's peak RSS flat in the number of reviews?

    .venv/bin/python -m benchmarks.memory [--sizes 100,400,1000] [--workdir DIR]
                                          [--formats html,pdf,epub] [--workers 1,2]

For each size N, generates a corpus (`benchmarks/generate.py`, seed 0: the same text as
`benchmarks.run`), then runs cold builds of every format (`publisher build --format
html,pdf,epub --clean`, the cache deleted first) with `--workers 1` and `--workers 2`, each in
its own child process. The peak RSS is the largest process's: `os.wait4` reports it (the
largest `ru_maxrss` of the build and of the processes it waited for, and of theirs: the layout
workers are forked by a zygote, export/zygote.py, which waits for each before the build waits
for it; getrusage(2)). Which process it was is found by reading, every 20 ms, `VmHWM` (the
process's own peak resident set, in KiB; proc(5)) of the build and of every process under it,
children and grandchildren: "build" is the process started here, "worker" any under it (the
layout workers, their zygote, a forked merge). A process's `VmHWM` only grows,
so the last value read is its peak unless it grew in its last 20 ms; the table gives both
peaks as read, and `ru_maxrss` as the figure. Prints a Markdown table with the ratio of each
peak to the smallest corpus's, and the wall and CPU seconds for context. Memory does not depend
on what else runs on the machine the way wall time does, so this may run beside other work; it
is not a test and never runs in CI.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .generate import generate
from .measure import CommandFailed, Measurement

VENV_BIN = Path(sys.executable).parent
WORKERS = ("1", "2")
POLL_SECONDS = 0.02


@dataclass(frozen=True)
class Peaks:
    """One build: its measurement (`ru_maxrss` of the largest process), and the peak `VmHWM`
    (MiB) read of the build process and of its largest worker (0: none seen)."""

    taken: Measurement
    build_mb: float
    worker_mb: float

    @property
    def largest(self) -> str:
        return "worker" if self.worker_mb > self.build_mb else "build"


def _hwm_kib(pid: int) -> int:
    """The process's `VmHWM` in KiB; 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    """Every process under `pid` (its children, theirs, …), from /proc/PID/task/*/children."""
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children", encoding="ascii") as text:
                    kids = [int(kid) for kid in text.read().split()]
            except (OSError, ValueError):
                continue
            found += kids
            todo += kids
    return found


def _watch(pid: int, peaks: dict[int, int], done: threading.Event) -> None:
    """Record the largest `VmHWM` read of `pid` and of each process under it, until `done`."""
    while not done.is_set():
        for each in (pid, *_children(pid)):
            peaks[each] = max(peaks.get(each, 0), _hwm_kib(each))
        time.sleep(POLL_SECONDS)


def run_watched(command: list[str | Path], cwd: Path, log: Path) -> Peaks:
    """Run `command` as measure.run_measured does, watching its processes' peaks."""
    args = [str(part) for part in command]
    peaks: dict[int, int] = {}
    done = threading.Event()
    with log.open("ab") as sink:
        sink.write(f"$ {' '.join(args)}\n".encode())
        sink.flush()
        start = time.perf_counter()
        child = subprocess.Popen(args, cwd=cwd, env=dict(os.environ), stdout=sink, stderr=sink)
        watcher = threading.Thread(target=_watch, args=(child.pid, peaks, done), daemon=True)
        watcher.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        watcher.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise CommandFailed(f"exit {child.returncode}: {' '.join(args)} (see {log})")
    taken = Measurement(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)
    workers = [kib for pid, kib in peaks.items() if pid != child.pid]
    return Peaks(taken, peaks.get(child.pid, 0) / 1024, max(workers, default=0) / 1024)


def measure(
    n: int, work: Path, log: Path, formats: str, workers_tried: list[str]
) -> dict[str, Peaks]:
    """Cold builds of an `n`-review corpus under `work`, keyed by worker count."""
    root = work / f"n{n}"
    anthology = generate(n, root)
    results: dict[str, Peaks] = {}
    for workers in workers_tried:
        shutil.rmtree(root / "manuscripts" / ".publisher-cache", ignore_errors=True)
        out = root / "dist"
        shutil.rmtree(out, ignore_errors=True)
        command: list[str | Path] = [VENV_BIN / "python", "-m", "publisher", "build", anthology]
        command += ["--format", formats]
        command += ["--out", out, "--quiet", "--clean", "--workers", workers]
        results[workers] = run_watched(command, root, log)
        peaks = results[workers]
        print(
            f"  N = {n}, --workers {workers}: {peaks.taken}; build {peaks.build_mb:.0f} MiB, "
            f"largest worker {peaks.worker_mb:.0f} MiB",
            file=sys.stderr,
            flush=True,
        )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,400,1000")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--formats", default="html,pdf,epub")
    parser.add_argument("--workers", default=",".join(WORKERS))
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    tried = args.workers.split(",")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="memory-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    log = work / "bench.log"
    table = {n: measure(n, work, log, args.formats, tried) for n in sizes}
    smallest = table[sizes[0]]
    print(
        f"| reviews | workers | peak RSS (MiB) | largest process | ratio to N = {sizes[0]} "
        "| build (MiB) | largest worker (MiB) | wall (s) | CPU (s) |"
    )
    print("|--:|--:|--:|:--|--:|--:|--:|--:|--:|")
    for n in sizes:
        for workers in tried:
            peaks = table[n][workers]
            taken = peaks.taken
            ratio = taken.peak_rss_mb / smallest[workers].taken.peak_rss_mb
            print(
                f"| {n:,} | {workers} | {taken.peak_rss_mb:.0f} | {peaks.largest} | {ratio:.2f}× "
                f"| {peaks.build_mb:.0f} | {peaks.worker_mb:.0f} "
                f"| {taken.seconds:.1f} | {taken.cpu_seconds:.1f} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

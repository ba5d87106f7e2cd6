"""A catalogue of small anthologies: one by one vs worker processes vs a Dask cluster.

    .venv/bin/python -m benchmarks.catalogue [--books 10] [--reviews 8] [--workdir DIR]

Generates `--books` corpora (`benchmarks/generate.py`, one seed each), then builds all of them,
every format, from a clean cache, in one run, side by side:

* anchor: `publisher build B1 … Bn -j 1` (one book after the other, one process);
* `-j 2`: the same command with two worker processes;
* Dask: a `dask scheduler` and two `dask worker --nthreads 1` on the loopback, and the same
  command with `--scheduler` (cluster start-up not counted; the workers' own CPU time and memory
  are not in the child's rusage, so only wall time is compared).

Each run writes into its own output folder; the script checks that the three wrote the same
bytes (SHA-256 of every file) and prints a Markdown section with the ratios to the anchor.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from .generate import generate
from .measure import Measurement, run_measured

VENV_BIN = Path(sys.executable).parent
EPOCH = "1763596800"


def _digests(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def _cluster(workers: int, log: Path, env: dict[str, str]) -> Iterator[str]:
    """A Dask scheduler and `workers` one-thread workers on the loopback; yields the address."""
    address = f"tcp://127.0.0.1:{_free_port()}"
    port = address.rsplit(":", 1)[1]
    sink = log.open("ab")
    dask = str(VENV_BIN / "dask")
    base = [dask, "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"]
    started = [subprocess.Popen(base, stdout=sink, stderr=sink, env=env)]
    time.sleep(2)
    for _ in range(workers):
        command = [dask, "worker", address, "--nthreads", "1", "--no-dashboard"]
        command += ["--preload", "publisher.catalogue"]  # imports done before the clock starts
        started.append(subprocess.Popen(command, stdout=sink, stderr=sink, env=env))
    time.sleep(6)  # workers import publisher and register
    try:
        yield address
    finally:
        for process in reversed(started):
            process.terminate()
        for process in started:
            process.wait(timeout=30)
        sink.close()


def _book(reviews: int, folder: Path, number: int) -> Path:
    """A corpus with its own title, so each book has its own slug (else they would clash)."""
    anthology = generate(reviews, folder, seed=number)
    text = anthology.read_text(encoding="utf-8")
    slug = 'slug = "banco-de-pruebas"'
    assert slug in text, "benchmarks/generate.py names its corpus otherwise now"
    anthology.write_text(text.replace(slug, f'slug = "catalogo-{number + 1:02d}"'), "utf-8")
    return anthology


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--books", type=int, default=10)
    parser.add_argument("--reviews", type=int, default=8)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="catalogue-bench-"))
    log = work / "bench.log"
    books = [_book(args.reviews, work / f"book-{i:02d}", i) for i in range(args.books)]
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    publisher = [str(VENV_BIN / "publisher"), "build", *map(str, books), "--clean", "-q"]
    rows: list[tuple[str, Measurement, str]] = []
    runs = [
        ("one by one (`-j 1`), anchor", ["-j", "1"]),
        ("2 worker processes (`-j 2`)", ["-j", "2"]),
    ]
    for label, options in runs:
        out = work / f"out-{len(rows)}"
        rows.append(
            (label, run_measured([*publisher, *options, "-o", out], work, log, env), str(out))
        )
    with _cluster(2, log, env) as address:
        out = work / "out-dask"
        taken = run_measured([*publisher, "--scheduler", address, "-o", out], work, log, env)
        rows.append(("Dask cluster, 2 workers × 1 thread (`--scheduler`)", taken, str(out)))
    expected = _digests(Path(rows[0][2]))
    same = all(_digests(Path(out)) == expected for _, _, out in rows[1:])
    anchor = rows[0][1].seconds
    print(
        f"Catalogue: {args.books} anthologies × {args.reviews} reviews, all formats, clean cache;"
    )
    print(f"{len(expected)} files, identical in the three runs: {'yes' if same else 'NO'}.\n")
    print("| run | wall (s) | ratio to one by one |")
    print("|---|--:|--:|")
    for label, taken, _ in rows:
        print(f"| {label} | {taken.seconds:.2f} | {taken.seconds / anchor:.2f}× |")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())

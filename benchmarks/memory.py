"""Peak memory as the book grows: is the PDF build's peak RSS flat in the number of reviews?

    .venv/bin/python -m benchmarks.memory [--sizes 100,400,1000] [--workdir DIR]

For each size N, generates a corpus (`benchmarks/generate.py`, seed 0: the same text as
`benchmarks.run`), then runs cold PDF builds (`publisher build --format pdf --clean`, the cache
deleted first) with `--workers 1` and `--workers 2`, each in its own child process, and takes the
peak RSS `os.wait4` reports (the largest of the build and the worker processes it waited for).
Prints a Markdown table with the ratio of each peak to the smallest corpus's, and the wall and
CPU seconds for context. Memory does not depend on what else runs on the machine the way wall
time does, so this may run beside other work; it is not a test and never runs in CI.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from .generate import generate
from .measure import Measurement, run_measured

VENV_BIN = Path(sys.executable).parent
WORKERS = ("1", "2")


def measure(n: int, work: Path, log: Path) -> dict[str, Measurement]:
    """Cold PDF builds of an `n`-review corpus under `work`, keyed by worker count."""
    root = work / f"n{n}"
    anthology = generate(n, root)
    results: dict[str, Measurement] = {}
    for workers in WORKERS:
        shutil.rmtree(root / ".publisher-cache", ignore_errors=True)
        out = root / "dist-pdf"
        shutil.rmtree(out, ignore_errors=True)
        command = [VENV_BIN / "python", "-m", "publisher", "build", anthology, "--format", "pdf"]
        command += ["--out", out, "--quiet", "--clean", "--workers", workers]
        results[workers] = run_measured(command, root, log, dict(os.environ))
        print(f"  N = {n}, --workers {workers}: {results[workers]}", file=sys.stderr, flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,400,1000")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    work = args.workdir or Path(tempfile.mkdtemp(prefix="memory-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    log = work / "bench.log"
    table = {n: measure(n, work, log) for n in sizes}
    smallest = table[sizes[0]]
    print(f"| reviews | workers | peak RSS (MiB) | ratio to N = {sizes[0]} | wall (s) | CPU (s) |")
    print("|--:|--:|--:|--:|--:|--:|")
    for n in sizes:
        for workers in WORKERS:
            taken = table[n][workers]
            ratio = taken.peak_rss_mb / smallest[workers].peak_rss_mb
            print(
                f"| {n:,} | {workers} | {taken.peak_rss_mb:.0f} | {ratio:.2f}× "
                f"| {taken.seconds:.1f} | {taken.cpu_seconds:.1f} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

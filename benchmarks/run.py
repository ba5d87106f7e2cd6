"""Benchmark runner: `python -m benchmarks.run [--sizes 100,400] [--repeat 1]`.

For each size N: generate a corpus in a temporary folder, then time (each in its own child
process, wall clock + peak RSS via `os.wait4`): cold builds per format and all together, a
no-op rebuild, a one-manuscript-edit rebuild, Pandoc → EPUB and → PDF (WeasyPrint engine) on
the same text, and bare WeasyPrint rendering our own paged HTML (the one-process floor).
Writes benchmarks/RESULTS.md. Not a test; never run in CI.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

from publisher.base.project import CACHE_DIR

from .generate import generate
from .machine import describe
from .measure import Measurement, run_measured, run_quiet
from .pandoc_input import write_pandoc_markdown
from .report import (
    COLD_ALL,
    COLD_EPUB,
    COLD_HTML,
    COLD_PDF,
    COLD_PDF_1,
    COLD_PDF_2,
    EDIT,
    EDIT_PDF,
    FLOOR_PRINT,
    FLOOR_SCREEN,
    NOOP,
    PANDOC_EPUB,
    PANDOC_PDF,
    CorpusStats,
    SizeResult,
    write_results,
)

Command = list[str | Path]

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
VENV_BIN = PROJECT / ".venv" / "bin"
EDIT_SENTENCE = "\n\nUna frase añadida para medir la recompilación tras un cambio.\n"


def snapshot_product(workdir: Path) -> Path:
    """Copy `publisher/` (its themes included) aside and measure that copy: others edit the live
    tree while we run, and any edit would both change the code under test and invalidate the
    build cache (its key includes the package's own digest)."""
    target = workdir / "product"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(
        PROJECT / "publisher", target / "publisher", ignore=shutil.ignore_patterns("__pycache__")
    )
    return target


def product_env(snapshot: Path) -> dict[str, str]:
    # PYTHONPATH beats the editable install's finder, which sits at the end of sys.meta_path;
    # PROJECT follows so the helper modules in `benchmarks` still import.
    return dict(os.environ, PYTHONPATH=f"{snapshot}{os.pathsep}{PROJECT}")


def supports_clean(env: dict[str, str]) -> bool:
    command = [str(VENV_BIN / "python"), "-m", "publisher", "build", "--help"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=HERE.anchor)
    return "--clean" in done.stdout


def supports_workers(env: dict[str, str]) -> bool:
    command = [str(VENV_BIN / "python"), "-m", "publisher", "build", "--help"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=HERE.anchor)
    return "--workers" in done.stdout


class Bench:
    """Everything measured on one corpus."""

    def __init__(
        self, root: Path, anthology: Path, log: Path, clean: bool, env: dict[str, str]
    ) -> None:
        self.root = root
        self.env = env
        self.anthology = anthology
        self.log = log
        self.clean = clean
        self.workers = supports_workers(env)
        self.runs: dict[str, list[Measurement]] = {}

    def _record(self, name: str, measure: Callable[[], Measurement]) -> Measurement:
        result = measure()
        self.runs.setdefault(name, []).append(result)
        print(
            f"  {name:<34} {result.seconds:8.2f} s  {result.peak_rss_mb:7.0f} MB",
            file=sys.stderr,
            flush=True,
        )
        return result

    def _build(self, formats: str, out: Path, *extra: str) -> Measurement:
        command: Command = [VENV_BIN / "python", "-m", "publisher", "build", self.anthology]
        command += ["--format", formats, "--out", out, "--quiet", *extra]
        return run_measured(command, self.root, self.log, self.env)

    def _cold(self, formats: str, out: Path, *extra: str) -> Measurement:
        shutil.rmtree(self.root / CACHE_DIR, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
        return self._build(formats, out, *(["--clean"] if self.clean else []), *extra)

    def builds(self) -> None:
        for name, formats in (
            (COLD_HTML, "html"),
            (COLD_EPUB, "epub"),
            (COLD_PDF, "pdf"),
        ):
            self._record(name, partial(self._cold, formats, self.root / f"dist-{formats}"))
        if self.workers:
            for name, count in ((COLD_PDF_1, "1"), (COLD_PDF_2, "2")):
                work = partial(self._cold, "pdf", self.root / "dist-pdf", "--workers", count)
                self._record(name, work)
        out = self.root / "dist-all"
        self._record(COLD_ALL, lambda: self._cold("html,pdf,epub", out))
        if self.clean:
            # `--clean` may skip writing the cache; one plain build makes sure it is warm.
            self._build("html,pdf,epub", out)
        self._record(NOOP, lambda: self._build("html,pdf,epub", out))
        reviews = sorted((self.anthology.parent / "reviews").glob("*.md"))
        review = reviews[len(reviews) // 2]  # mid-book: its part, pages and indexes all move
        original = review.read_bytes()
        review.write_bytes(original + EDIT_SENTENCE.encode("utf-8"))
        try:
            self._record(EDIT, lambda: self._build("html,pdf,epub", out))
        finally:
            review.write_bytes(original)
        if self.workers:
            self._build("pdf", self.root / "dist-pdf")  # the PDFs alone, current
            review.write_bytes(original + EDIT_SENTENCE.encode("utf-8"))
            try:
                self._record(EDIT_PDF, lambda: self._build("pdf", self.root / "dist-pdf"))
            finally:
                review.write_bytes(original)

    def pandoc(self, markdown: Path) -> None:
        env = dict(os.environ, PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
        epub: Command = ["pandoc", markdown, "-f", "markdown", "-t", "epub3", "-o", "pandoc.epub"]
        pdf: Command = [
            "pandoc",
            markdown,
            "-f",
            "markdown",
            "-t",
            "html5",
            "--pdf-engine=weasyprint",
        ]
        self._record(PANDOC_EPUB, lambda: run_measured(epub, self.root, self.log, env))
        self._record(
            PANDOC_PDF,
            lambda: run_measured([*pdf, "-o", "pandoc.pdf"], self.root, self.log, env),
        )

    def floor(self, pages: Path) -> None:
        weasyprint = VENV_BIN / "weasyprint"
        # Same PDF variant as our exporter uses per profile (screen: tagged PDF/UA-1).
        screen: Command = [
            weasyprint,
            "--pdf-variant",
            "pdf/ua-1",
            pages / "screen.html",
            "floor.pdf",
        ]
        paper: Command = [weasyprint, pages / "print.html", "floor-print.pdf"]
        self._record(FLOOR_SCREEN, lambda: run_measured(screen, self.root, self.log))
        self._record(FLOOR_PRINT, lambda: run_measured(paper, self.root, self.log))


def product_digest(base: Path) -> str:
    """Short hash of `base/publisher` (its themes included), to name the code under test."""
    hasher = hashlib.sha256()
    for folder in (base / "publisher",):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                hasher.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes())
    return hasher.hexdigest()[:12]


def load_average() -> str:
    # Other people's jobs on a shared machine inflate wall time; record how busy it was.
    return " ".join(Path("/proc/loadavg").read_text(encoding="utf-8").split()[:3])


def corpus_stats(anthology: Path) -> CorpusStats:
    files = sorted((anthology.parent / "reviews").glob("*.md"))
    texts = [path.read_text(encoding="utf-8") for path in files]
    return CorpusStats(
        reviews=len(files),
        words=sum(len(text.split()) for text in texts),
        kib=sum(len(text.encode("utf-8")) for text in texts) / 1024,
    )


def output_sizes(root: Path) -> dict[str, int]:
    names = ["dist-all", "floor.pdf", "floor-print.pdf", "pandoc.epub", "pandoc.pdf"]
    sizes: dict[str, int] = {}
    for name in names:
        path = root / name
        for item in sorted(path.iterdir()) if path.is_dir() else [path]:
            if item.is_file():
                sizes[str(item.relative_to(root))] = item.stat().st_size
    return sizes


def bench_size(
    n: int, workdir: Path, repeat: int, clean: bool, stages: bool, env: dict[str, str]
) -> SizeResult:
    root = workdir / f"n{n}"
    log = workdir / "bench.log"
    anthology = generate(n, root)
    load_before = load_average()
    print(f"N = {n}: corpus in {root}", file=sys.stderr, flush=True)
    # Preparation outside the timing: Pandoc's input and the HTML WeasyPrint gets from us.
    markdown = write_pandoc_markdown(anthology, root / "pandoc-input.md")
    pages = root / "floor-pages"
    python = VENV_BIN / "python"
    run_quiet([python, "-m", "benchmarks.floor_page", anthology, pages], root, log, env)
    bench = Bench(root, anthology, log, clean, env)
    for _ in range(repeat):
        bench.builds()
        bench.pandoc(markdown)
        bench.floor(pages)
    stage_rows: list[tuple[str, float]] = []
    if stages:
        command: Command = [python, "-m", "benchmarks.stages", anthology, root / "dist-stages"]
        done = subprocess.run(
            [str(c) for c in command], cwd=root, env=env, capture_output=True, text=True, check=True
        )
        stage_rows = [(str(name), float(secs)) for name, secs in json.loads(done.stdout)]
    projection: list[tuple[int, float]] = []
    if stages and bench.workers:
        command = [python, "-m", "benchmarks.chunk_costs", anthology]
        done = subprocess.run(
            [str(c) for c in command], cwd=root, env=env, capture_output=True, text=True, check=True
        )
        projection = [(int(w), float(s)) for w, s in json.loads(done.stdout)["projection"]]
    return SizeResult(
        n=n,
        projection=projection,
        corpus=corpus_stats(anthology),
        runs=bench.runs,
        outputs=output_sizes(root),
        stages=stage_rows,
        cache_dir_seen=(root / CACHE_DIR).exists(),
        load_average=(load_before, load_average()),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--sizes", default="100,400", help="comma-separated corpus sizes")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement (median)")
    parser.add_argument("--workdir", type=Path, help="keep corpora here (default: a temp dir)")
    parser.add_argument("--no-stages", action="store_true", help="skip the stage breakdown")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    if shutil.which("pandoc") is None:
        parser.error("pandoc is not on PATH (Debian: apt-get install -y pandoc)")

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="publisher-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"work folder: {workdir} (log: {workdir / 'bench.log'})", file=sys.stderr)
    snapshot = snapshot_product(workdir)
    env = product_env(snapshot)
    clean = supports_clean(env)
    started = dt.datetime.now(dt.UTC)
    results = [bench_size(n, workdir, args.repeat, clean, not args.no_stages, env) for n in sizes]
    command = "python -m benchmarks.run " + " ".join(argv if argv is not None else sys.argv[1:])
    write_results(
        args.results,
        started=started,
        finished=dt.datetime.now(dt.UTC),
        command=command.strip(),
        repeat=args.repeat,
        machine=describe(VENV_BIN),
        clean_supported=clean,
        product=(product_digest(snapshot), product_digest(PROJECT)),
        results=results,
    )
    print(f"wrote {args.results}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

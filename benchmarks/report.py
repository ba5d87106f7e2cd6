"""RESULTS.md: machine, command, one table per corpus size, the targets of issue #5."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .measure import Measurement

# Measurement names, shared with run.py; the table follows this order.
COLD_HTML = "cold: html"
COLD_EPUB = "cold: epub"
COLD_PDF = "cold: pdf (screen + print)"
COLD_PDF_1 = "cold: pdf, --workers 1"
COLD_PDF_2 = "cold: pdf, --workers 2"
COLD_ALL = "cold: all formats"
NOOP = "no-op rebuild (all formats)"
EDIT = "one-edit rebuild (all formats)"
EDIT_PDF = "one-edit rebuild (pdf)"
PANDOC_EPUB = "pandoc: epub3"
PANDOC_PDF = "pandoc: pdf (weasyprint)"
FLOOR_SCREEN = "floor: weasyprint screen"
FLOOR_PRINT = "floor: weasyprint print"
ORDER = (
    COLD_HTML, COLD_EPUB, COLD_PDF, COLD_PDF_1, COLD_PDF_2, COLD_ALL, NOOP, EDIT, EDIT_PDF,
    PANDOC_EPUB, PANDOC_PDF, FLOOR_SCREEN, FLOOR_PRINT,
)  # fmt: skip

EPUB_TARGET = 0.5  # our EPUB-only build ≤ 0.5 × Pandoc → EPUB
NOOP_TARGET = 1.0  # seconds
FULL_TARGET = 1.15  # cold full build ≤ 1.15 × (WeasyPrint floor + our EPUB build)
# Issue 17's goals, each against its anchor from the same run.
FAST_TARGET = 0.5  # cold full build ≤ 0.5 × (bare WeasyPrint screen + print + our EPUB build)
EDIT_TARGET = 0.1  # one-edit rebuild ≤ 0.1 × the cold full build
SPEEDUP_TARGET = 1.7  # PDF stage, 1 → 2 worker processes
RSS_TARGET = 400  # MiB, at 400 reviews


@dataclass(frozen=True)
class CorpusStats:
    reviews: int
    words: int
    kib: float


@dataclass(frozen=True)
class SizeResult:
    n: int
    corpus: CorpusStats
    runs: dict[str, list[Measurement]]
    outputs: dict[str, int] = field(default_factory=dict)
    stages: list[tuple[str, float]] = field(default_factory=list)
    cache_dir_seen: bool = False
    load_average: tuple[str, str] = ("?", "?")  # /proc/loadavg (1, 5, 15 min), before/after
    projection: list[tuple[int, float]] = field(default_factory=list)  # workers → PDF seconds

    def get(self, name: str) -> Measurement:
        return Measurement.combine(self.runs[name])


def _verdict(ok: bool) -> str:
    return "**PASS**" if ok else "**FAIL**"


def cpu_lines(result: SizeResult) -> list[str]:
    """The same ratios on CPU seconds: less sensitive to other load on a shared machine."""
    epub, pandoc = result.get(COLD_EPUB).cpu_seconds, result.get(PANDOC_EPUB).cpu_seconds
    full = result.get(COLD_ALL).cpu_seconds
    screen, paper = result.get(FLOOR_SCREEN).cpu_seconds, result.get(FLOOR_PRINT).cpu_seconds
    return [
        f"- on CPU time: EPUB {epub / pandoc:.2f}×; no-op {result.get(NOOP).cpu_seconds:.2f} s; "
        f"full build {full / (screen + epub):.2f}× (literal floor), "
        f"{full / (screen + paper + epub):.2f}× (like for like)",
    ]


def target_lines(result: SizeResult) -> list[str]:
    epub, pandoc = result.get(COLD_EPUB).seconds, result.get(PANDOC_EPUB).seconds
    noop = result.get(NOOP).seconds
    full = result.get(COLD_ALL).seconds
    screen, paper = result.get(FLOOR_SCREEN).seconds, result.get(FLOOR_PRINT).seconds
    literal = full / (screen + epub)
    both = full / (screen + paper + epub)
    return [
        f"- EPUB-only build vs Pandoc → EPUB: {epub:.2f} s / {pandoc:.2f} s = "
        f"**{epub / pandoc:.2f}×** (target ≤ {EPUB_TARGET}×): {_verdict(epub / pandoc <= 0.5)}",
        f"- No-op rebuild: **{noop:.2f} s** (target ≤ {NOOP_TARGET:.0f} s): "
        f"{_verdict(noop <= NOOP_TARGET)}",
        f"- Cold full build vs floor (one WeasyPrint process, screen PDF) + EPUB build: "
        f"{full:.2f} s / ({screen:.2f} + {epub:.2f}) s = **{literal:.2f}×** "
        f"(target ≤ {FULL_TARGET}×): {_verdict(literal <= FULL_TARGET)}",
        f"  - like for like (our full build writes two PDFs, so floor = screen + print "
        f"WeasyPrint runs): {full:.2f} s / ({screen:.2f} + {paper:.2f} + {epub:.2f}) s = "
        f"**{both:.2f}×** (same target): {_verdict(both <= FULL_TARGET)}",
    ]


def issue17_lines(result: SizeResult) -> list[str]:
    """Issue 17's goals, each a ratio to its anchor measured in the same run."""
    if COLD_PDF_1 not in result.runs or COLD_PDF_2 not in result.runs:
        return []
    full, edit = result.get(COLD_ALL), result.get(EDIT)
    screen, paper = result.get(FLOOR_SCREEN).seconds, result.get(FLOOR_PRINT).seconds
    epub, pandoc = result.get(COLD_EPUB).seconds, result.get(PANDOC_PDF).seconds
    one, two = result.get(COLD_PDF_1), result.get(COLD_PDF_2)
    floor = screen + paper + epub
    rss = max(m.peak_rss_mb for name in ORDER if name in result.runs for m in result.runs[name]
              if not name.startswith(("pandoc", "floor")))  # fmt: skip
    lines = [
        f"- cold full build vs like-for-like floor (bare WeasyPrint screen + print + our EPUB "
        f"build): {full.seconds:.2f} s / {floor:.2f} s = **{full.seconds / floor:.2f}×** "
        f"(goal ≤ {FAST_TARGET}×): {_verdict(full.seconds / floor <= FAST_TARGET)}",
        f"- cold full build vs Pandoc → one PDF: {full.seconds:.2f} s / {pandoc:.2f} s = "
        f"**{full.seconds / pandoc:.2f}×** (far goal ≤ 1.0×): "
        f"{_verdict(full.seconds / pandoc <= 1.0)}",
        f"- one-edit rebuild vs cold full build: {edit.seconds:.2f} s / {full.seconds:.2f} s = "
        f"**{edit.seconds / full.seconds:.2f}×** (goal ≤ {EDIT_TARGET}×): "
        f"{_verdict(edit.seconds / full.seconds <= EDIT_TARGET)}",
        f"- PDF stage, 1 → 2 worker processes: {one.seconds:.2f} s / {two.seconds:.2f} s = "
        f"**{one.seconds / two.seconds:.2f}×** (goal ≥ {SPEEDUP_TARGET}×): "
        f"{_verdict(one.seconds / two.seconds >= SPEEDUP_TARGET)}; on CPU seconds "
        f"{one.cpu_seconds:.2f} / {two.cpu_seconds:.2f}",
        f"- peak RSS of our builds: **{rss:.0f} MiB**"
        + (
            f" (goal ≤ {RSS_TARGET} MiB at 400 reviews): {_verdict(rss <= RSS_TARGET)}"
            if result.n == 400
            else ""
        ),
    ]
    return lines


def size_section(result: SizeResult, repeat: int) -> list[str]:
    corpus = result.corpus
    lines = [
        f"## N = {result.n}",
        "",
        f"Corpus: {corpus.reviews} reviews + a prologue, {corpus.words:,} words of Markdown "
        f"({corpus.kib:,.0f} KiB).",
        "",
        "| measurement | wall (s) | CPU (s) | peak RSS (MiB) |"
        + (" runs (s) |" if repeat > 1 else ""),
        "|---|--:|--:|--:|" + ("---|" if repeat > 1 else ""),
    ]
    for name in ORDER:
        if name not in result.runs:
            continue
        m = result.get(name)
        row = f"| {name} | {m.seconds:.2f} | {m.cpu_seconds:.2f} | {m.peak_rss_mb:.0f} |"
        if repeat > 1:
            row += " " + ", ".join(f"{r.seconds:.2f}" for r in result.runs[name]) + " |"
        lines.append(row)
    before, after = result.load_average
    lines += [
        "",
        f"Load average (1/5/15 min) before: {before}; after: {after}.",
        "",
        "Against the targets (wall clock):",
        "",
        *target_lines(result),
        *cpu_lines(result),
        "",
    ]
    if issue17_lines(result):
        lines += ["Issue 17's goals (wall clock, anchors from this run):", ""]
        lines += [*issue17_lines(result), ""]
    if result.projection:
        lines += [
            "The PDF stage on more cores, on paper (`python -m benchmarks.chunk_costs`: each "
            "chunk's layout timed in one process, then scheduled on W workers in the build's "
            "order, the serial parts added):",
            "",
            "| workers | PDF stage (s, projected) | speed-up over 1 |",
            "|--:|--:|--:|",
        ]
        first = result.projection[0][1]
        lines += [f"| {w} | {s:.2f} | {first / s:.2f}× |" for w, s in result.projection]
        lines += [""]
    if result.stages:
        total = sum(seconds for _, seconds in result.stages)
        lines += [
            "Where a cold all-formats build spends its time (one in-process run, "
            "`python -m benchmarks.stages`):",
            "",
            "| stage | s | share |",
            "|---|--:|--:|",
        ]
        lines += [f"| {name} | {s:.2f} | {s / total:.0%} |" for name, s in result.stages]
        lines += [f"| total | {total:.2f} | |", ""]
    if result.outputs:
        sizes = ", ".join(
            f"`{name}` {size / 1024:,.0f} KiB" for name, size in result.outputs.items()
        )
        lines += [f"Outputs: {sizes}.", ""]
    return lines


def write_results(
    target: Path,
    *,
    started: dt.datetime,
    finished: dt.datetime,
    command: str,
    repeat: int,
    machine: list[tuple[str, str]],
    clean_supported: bool,
    product: tuple[str, str],
    results: list[SizeResult],
) -> None:
    cache = (
        "`publisher build --clean` exists (ignore the cache, then refresh it); cold runs pass "
        "it and delete `.publisher-cache/` and the output; the no-op and one-edit rebuilds "
        "run as a user would, with whatever cache the build leaves."
        if clean_supported
        else "`publisher build` has no `--clean` and no build cache yet: the no-op and one-edit "
        "rebuilds are full rebuilds. Cold runs still delete `.publisher-cache/` and the output."
    )
    seen = [r.n for r in results if r.cache_dir_seen]
    lines = [
        "# Benchmark results",
        "",
        f"Run {started:%Y-%m-%d %H:%M} – {finished:%H:%M} UTC; "
        f"{repeat} run{'s' if repeat != 1 else ''} per measurement "
        f"({'median wall/CPU, worst peak RSS' if repeat > 1 else 'single run'}).",
        "",
        "```sh",
        f"cd /work/main && .venv/bin/{command}",
        "```",
        "",
        f"Code under test: a copy of `publisher/` (themes included) taken at the start (digest "
        f"`{product[0]}`), run with `PYTHONPATH` pointing at it"
        + (
            "; the live tree was the same at the end."
            if product[0] == product[1]
            else f"; the live tree changed meanwhile (now `{product[1]}`), which the copy "
            "keeps out of the figures."
        ),
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *[f"| {key} | {value} |" for key, value in machine],
        "",
        "Pandoc is a benchmark-only dependency (Debian package `pandoc`); its PDF engine is "
        "the venv's `weasyprint` (same version as ours), put first on `PATH`.",
        "",
        *[line for result in results for line in size_section(result, repeat)],
        "## Notes",
        "",
        "- Every figure is one child process measured from spawn to exit: wall clock with "
        "`time.perf_counter`, CPU (user + system) and peak RSS from `os.wait4` (for Pandoc → "
        "PDF this includes the `weasyprint` process it waits for). Interpreter start-up and "
        "imports are included, as a user would see them.",
        "- Wall time is what the targets are stated in, but it is only trustworthy on an idle "
        "machine: when the load average is above `nproc`, other work was competing for the "
        "CPUs, and the CPU column (and the CPU-time ratios) is the steadier comparison.",
        "- `cold: pdf` writes **two** PDFs (screen, tagged PDF/UA-1; and print) from **one** "
        "layout of the book's chunks, each chunk written twice (issue 17); the floor lays the "
        "book out twice, once per PDF, as our build did before.",
        "- The floor is one `weasyprint` CLI process on the exact HTML our exporter hands to "
        "WeasyPrint (paged CSS inlined; written beforehand by `benchmarks/floor_page.py`), "
        "with the same PDF variant (screen: `--pdf-variant pdf/ua-1`). Pandoc's PDF is a "
        "much simpler document (Pandoc's default HTML CSS, no running heads, contents, "
        "indexes or footnotes at the page foot), so it is context, not a target.",
        "- Pandoc gets the same text as one Markdown file (front matter stripped, a `# title` "
        "per piece, footnote labels made unique), prepared outside the timing.",
        f"- Cache: {cache}"
        + (
            f" A `.publisher-cache/` folder was present after the runs for N = {seen}."
            if seen
            else " No `.publisher-cache/` folder existed after the runs: the CLI wrote no "
            "cache, so the no-op and one-edit rebuilds were full builds."
            if clean_supported
            else ""
        ),
        "- The one-edit rebuild appends a sentence to the middle review "
        "(`review-{N/2}.md`), then restores it after the measurement; `one-edit rebuild "
        "(pdf)` does the same with the PDFs alone.",
        "- The PDFs are laid out in chunks (issue 17): `cold: pdf` runs with the default "
        "worker count (one per core); the `--workers 1` and `--workers 2` rows are the same "
        "cold build with the count given. Peak RSS of a build is the largest of its processes "
        "(`os.wait4` reports the maximum over the process and the workers it waited for).",
        "",
    ]
    target.write_text("\n".join(lines), encoding="utf-8")

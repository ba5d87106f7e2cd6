"""Where a cold all-formats build spends its time, stage by stage, in one process (and, for
the PDFs, the worker processes a build lays them out with).

`python -m benchmarks.stages ANTHOLOGY OUTDIR` prints a JSON list of [stage, seconds]. It
calls the same functions `publisher.pipeline.build()` calls, in the same order, with a
clock around each; imports are timed too because they are part of every CLI run.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def _timed(rows: list[tuple[str, float]], stage: str, work: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = work()
    rows.append((stage, time.perf_counter() - start))
    return result


def stage_times(anthology_file: Path, out_dir: Path) -> list[tuple[str, float]]:
    rows: list[tuple[str, float]] = []
    start = time.perf_counter()
    from publisher.base.rendered import Target
    from publisher.pipeline import load, render

    rows.append(("import publisher (pipeline)", time.perf_counter() - start))
    start = time.perf_counter()
    import publisher.export.epub
    import publisher.export.pdf  # noqa: F401  (timed here, not inside the first export)
    from publisher.export import Chunking, write, write_editions
    from publisher.export.handed import Handed

    rows.append(("import exporters (WeasyPrint, EbookLib)", time.perf_counter() - start))

    out_dir.mkdir(parents=True, exist_ok=True)
    anthology, _ = _timed(rows, "load + validate + assemble", lambda: load(anthology_file))
    slug = anthology.spec.slug
    web = _timed(rows, "render web", lambda: render(anthology, Target.WEB))
    screen = _timed(rows, "render screen PDF HTML", lambda: render(anthology, Target.SCREEN_PDF))
    paper = _timed(rows, "render print PDF HTML", lambda: render(anthology, Target.PRINT_PDF))
    epub = _timed(rows, "render EPUB XHTML", lambda: render(anthology, Target.EPUB))
    _timed(rows, "export HTML", lambda: write(web, out_dir / f"{slug}.html"))
    # The PDFs as a build lays them out: in chunks, one worker per core (no chunk cache).
    chunking = Chunking(os.cpu_count() or 1)
    screen_pdf, print_pdf = out_dir / f"{slug}.pdf", out_dir / f"{slug}-print.pdf"
    quiet = lambda name, laid: None  # noqa: E731
    handed = Handed([paper, screen], lambda: (paper, screen))
    _timed(
        rows,
        "export print + screen PDF (one layout)",
        lambda: write_editions(handed, (print_pdf, screen_pdf), chunking, quiet, quiet),
    )
    _timed(rows, "export EPUB", lambda: write(epub, out_dir / f"{slug}.epub"))
    return rows


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m benchmarks.stages ANTHOLOGY OUTDIR", file=sys.stderr)
        return 2
    print(json.dumps(stage_times(Path(argv[0]), Path(argv[1]))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""What each chunk of a chunked PDF layout costs, and the PDF stage projected on W workers.

`python -m benchmarks.chunk_costs ANTHOLOGY [--workers 1,2,8,32]` lays out the book once for
both PDFs in this one process (`export_editions` with one in-process worker: every task in
turn; each task writes the chunk as the print and as the screen PDF's), timing
each task (a chunk laid out whole, laid out and held, or finished from its first page), and
prints JSON: the tasks (profile, kind, chunk, seconds), each profile's total, and for each W
the PDF stage projected on W workers: the serial part (splitting, merging, everything outside
the tasks) plus the tasks scheduled as the build schedules them: the front matter's first
layout and every body chunk's layout (then its finishing, on the same worker) spread over W
workers, the earliest free first; then the back matter's chunks, spread likewise; then the
front matter again with every page number known. Not a test; an estimate for core counts
this machine does not have.
"""

from __future__ import annotations

import argparse
import heapq
import json
import sys
import time
from pathlib import Path
from typing import Any

PROFILE = "screen + print"  # both PDFs from one layout: each chunk's task writes both


def costs(anthology_file: Path) -> dict[str, Any]:
    from publisher.base.rendered import Target
    from publisher.export import editions, pool
    from publisher.export.handed import Handed
    from publisher.pipeline import load, render

    anthology, _ = load(anthology_file)
    original, forking = pool._run, pool._may_fork
    tasks: list[tuple[str, str, str, float]] = []
    totals: dict[str, float] = {}
    printed = render(anthology, Target.PRINT_PDF)
    screen = render(anthology, Target.SCREEN_PDF)

    def timed(task: Any, held: Any, access: Any) -> Any:
        start = time.perf_counter()
        answer = original(task, held, access)
        name = task.name if isinstance(task, pool.Finish) else task.job.name
        kind = "finish" if isinstance(task, pool.Finish) else "hold" if task.hold else "whole"
        tasks.append((PROFILE, kind, name, time.perf_counter() - start))
        return answer

    pool._run = timed
    pool._may_fork = lambda count: False  # every task in this process, where it is timed
    try:
        start = time.perf_counter()
        handed = Handed([printed, screen], lambda: (printed, screen))
        editions.export_editions(handed, 1)  # one layout, both PDFs (issue 17)
        totals[PROFILE] = time.perf_counter() - start
    finally:
        pool._run, pool._may_fork = original, forking
    return {"tasks": tasks, "totals": totals}


def project(measured: dict[str, Any], workers: int) -> float:
    """The PDF stage (both PDFs from one layout) on `workers` processes."""
    stage = 0.0
    for profile, total in measured["totals"].items():
        rows = [row for row in measured["tasks"] if row[0] == profile]
        serial = total - sum(row[3] for row in rows)
        fronts = [row[3] for row in rows if row[2].startswith("front")]
        parts: dict[str, dict[str, float]] = {"body": {}, "back": {}}
        for _, _kind, name, seconds in rows:
            group = parts.get(name.split("-")[0])
            if group is not None:
                group[name] = group.get(name, 0.0) + seconds
        # The front's first layout runs alongside the body chunks; the back chunks follow
        # them, spread over the workers too; the front is laid out again last.
        body = _makespan([*fronts[:1], *parts["body"].values()], workers)
        back = _makespan(list(parts["back"].values()), workers)
        stage += serial + body + back + sum(fronts[1:])
    return stage


def _makespan(costs: list[float], workers: int) -> float:
    """Tasks in order, each to the worker free first: when the last one ends."""
    free = [0.0] * workers
    for seconds in costs:
        heapq.heappush(free, heapq.heappop(free) + seconds)
    return max(free) if costs else 0.0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.chunk_costs")
    parser.add_argument("anthology", type=Path)
    parser.add_argument("--workers", default="1,2,8,32")
    args = parser.parse_args(argv)
    measured = costs(args.anthology)
    counts = [int(w) for w in args.workers.split(",")]
    measured["projection"] = [(w, round(project(measured, w), 2)) for w in counts]
    print(json.dumps(measured))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

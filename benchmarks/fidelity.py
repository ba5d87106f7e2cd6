"""What the text fidelity check costs: wall and CPU seconds per step, on built editions.

`python -m benchmarks.fidelity ANTHOLOGY EDITION…` prints one line per step: loading the
anthology, reading the manuscripts' word streams, then each edition (extraction and matching;
CPU time includes the `pdftotext` child). Build the editions first (`publisher build`).
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str]) -> int:
    from publisher.pipeline import load
    from publisher.validation.fidelity import check_file
    from publisher.validation.manuscript_words import book_streams

    anthology, *editions = (Path(arg) for arg in argv)
    wall, cpu = time.monotonic(), _cpu()
    book, _ = load(anthology)
    print(f"load: wall {time.monotonic() - wall:.2f} s, cpu {_cpu() - cpu:.2f} s")
    wall, cpu = time.monotonic(), _cpu()
    sections = book_streams(book)
    count = sum(len(stream.words) for section in sections for stream in section.streams)
    seconds = f"wall {time.monotonic() - wall:.2f} s, cpu {_cpu() - cpu:.2f} s"
    print(f"streams ({count} words): {seconds}")
    for edition in editions:
        wall, cpu = time.monotonic(), _cpu()
        result = check_file(sections, edition)
        counts = ", ".join(f"{key} {value}" for key, value in result.counts.items())
        print(f"{edition.name} ({counts}): wall {time.monotonic() - wall:.2f} s, "
              f"cpu {_cpu() - cpu:.2f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

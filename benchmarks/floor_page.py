"""Write the exact HTML our PDF exporter hands to WeasyPrint, for the bare-WeasyPrint floor.

`python -m benchmarks.floor_page ANTHOLOGY OUTDIR` writes `OUTDIR/screen.html` and
`OUTDIR/print.html` (the paged CSS is inlined in the page). Run in its own process and
outside the timing, so the runner never imports the product.
"""

from __future__ import annotations

import sys
from pathlib import Path

from publisher.base.rendered import Target
from publisher.pipeline import load, render


def write_pages(anthology_file: Path, out_dir: Path) -> dict[str, Path]:
    anthology, _ = load(anthology_file)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for target in (Target.SCREEN_PDF, Target.PRINT_PDF):
        path = out_dir / f"{target.value}.html"
        path.write_text(render(anthology, target).page, encoding="utf-8")
        written[target.value] = path
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m benchmarks.floor_page ANTHOLOGY OUTDIR", file=sys.stderr)
        return 2
    for path in write_pages(Path(argv[0]), Path(argv[1])).values():
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

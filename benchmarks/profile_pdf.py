"""Where one PDF layout spends its time, and what each of our CSS features costs (issue 17).

`python -m benchmarks.profile_pdf [ANTHOLOGY] [--profile screen|print]` renders the book's
paged HTML once (our exporter's page, paged CSS inlined) and prints a JSON object:

- `stages`: WeasyPrint's own stages of one `HTML(...).render()` + `write_pdf()`, seconds, from
  cProfile's cumulative times of the functions that make each stage (HTML parse, CSS cascade,
  box building, layout, draw, PDF write);
- `features`: the same render + write timed with one CSS feature switched off by a rule
  appended to the page's stylesheet (a copy; nothing is written to the project), seconds (the
  fastest of `--repeat` runs) and the ratio to the untouched page timed in the same run.

Not a test: timings on a shared machine are noisy; compare ratios from one run only.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import time
from pathlib import Path

# Each switch: a rule appended after every stylesheet (last, and `!important`, so it wins).
SWITCHES: dict[str, str] = {
    "hyphenation": "* { hyphens: manual !important; }",
    "footnotes (notes inline)": ".footnote { float: none !important; }",
    "string-set (no running heads)": "* { string-set: none !important; }",
    "justification": "* { text-align: left !important; }",
    "font features": (
        "* { font-variant: normal !important; font-feature-settings: normal !important;"
        " font-variant-numeric: normal !important; }"
    ),
    "target-counter (contents and index numbers)": (
        ".toc a::before, .locator::after, .contributor-list a::after { content: none !important; }"
    ),
}

# WeasyPrint's stages as the functions that make them (module, function name).
STAGES: dict[str, tuple[str, str]] = {
    "HTML parse": ("weasyprint/__init__.py", "__init__"),
    "CSS cascade": ("weasyprint/css/__init__.py", "get_all_computed_styles"),
    "box building": ("weasyprint/formatting_structure/build.py", "build_formatting_structure"),
    "layout (pagination)": ("weasyprint/layout/__init__.py", "layout_document"),
    "draw (page streams)": ("weasyprint/draw/__init__.py", "draw_page"),
    "write (fonts, PDF objects)": ("weasyprint/pdf/__init__.py", "generate_pdf"),
    "serialize (pydyf)": ("weasyprint/document.py", "write_pdf"),
}


def _page(anthology_file: Path, profile: str) -> tuple[str, str]:
    from publisher.base.rendered import Target
    from publisher.pipeline import load, render

    anthology, _ = load(anthology_file)
    target = Target.SCREEN_PDF if profile == "screen" else Target.PRINT_PDF
    book = render(anthology, target)
    return book.page, str(anthology.spec.root)


def _run(page: str, base_url: str) -> float:
    import weasyprint

    from publisher.export.pdf import notes_stay_with_calls

    start = time.perf_counter()
    with notes_stay_with_calls():
        document = weasyprint.HTML(string=page, base_url=base_url).render()
    document.write_pdf()
    return time.perf_counter() - start


def stages(page: str, base_url: str) -> dict[str, float]:
    profiler = cProfile.Profile()
    profiler.enable()
    total = _run(page, base_url)
    profiler.disable()
    stats = pstats.Stats(profiler)
    found: dict[str, float] = {}
    for (filename, _line, name), row in stats.stats.items():  # type: ignore[attr-defined]
        for stage, (module, function) in STAGES.items():
            if name == function and filename.endswith(module):
                found[stage] = found.get(stage, 0.0) + row[3]  # cumulative time
    # generate_pdf draws the pages, write_pdf calls generate_pdf: each stage is its own share.
    if "serialize (pydyf)" in found and "write (fonts, PDF objects)" in found:
        found["serialize (pydyf)"] -= found["write (fonts, PDF objects)"]
    if "write (fonts, PDF objects)" in found and "draw (page streams)" in found:
        found["write (fonts, PDF objects)"] -= found["draw (page streams)"]
    found["total (profiled)"] = total
    return {stage: round(seconds, 2) for stage, seconds in found.items()}


def features(page: str, base_url: str, repeat: int) -> dict[str, dict[str, float]]:
    """Each variant `repeat` times, its fastest run kept (the least disturbed by other load)."""
    plain = min(_run(page, base_url) for _ in range(repeat))
    rows = {"none switched off": {"seconds": round(plain, 2), "ratio": 1.0}}
    for name, rule in SWITCHES.items():
        changed = page.replace("</style>", rule + "\n</style>", 1)
        seconds = min(_run(changed, base_url) for _ in range(repeat))
        rows[name] = {"seconds": round(seconds, 2), "ratio": round(seconds / plain, 3)}
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_pdf")
    default = Path("manuscripts/anthology.toml")
    parser.add_argument("anthology", nargs="?", type=Path, default=default)
    parser.add_argument("--profile", choices=("screen", "print"), default="screen")
    parser.add_argument("--repeat", type=int, default=2, help="runs per variant (fastest kept)")
    args = parser.parse_args(argv)
    page, base_url = _page(args.anthology, args.profile)
    _run(page, base_url)  # warm: fonts found, hyphenation dictionaries loaded
    result = {
        "stages": stages(page, base_url),
        "features": features(page, base_url, args.repeat),
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

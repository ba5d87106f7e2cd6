"""Where `--json` writes: a file (through the one check of `base/files.py`), or `-`, the
standard output.

With `--json -` the report owns standard output: it must parse as JSON, so everything a verb
prints for people (`wrote dist/…`, `… : ok`) goes to standard error instead, for the whole run
(`human_lines`). Diagnostics already go there. A report path that is a symlink, a folder, a
device (`/dev/stdout` is a symlink to one), a FIFO or a socket is refused before the verb runs
(`refused_report`), so no build is wasted on a report that cannot be written; the same check
runs again when the report is written (`write_report_safely`).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from ..base.diagnostics import Diagnostic, error
from ..base.files import ForeignOutput, kind_of

STDOUT = "-"


def report_target(value: str) -> Path | TextIO:
    """`--json`'s value: `-` → the standard output as the command started (before
    `human_lines` redirects it); anything else → a path (`./-` names a file called `-`)."""
    return sys.stdout if value == STDOUT else Path(value)


def _refusal(path: Path, what: str) -> Diagnostic:
    message = (
        f"the --json report's path is {what}, not a regular file; it is left as it is and"
        f" nothing was written: name a new or regular file, or `-` for standard output"
    )
    return error(path, 0, "output-not-a-file", message)


def refused_report(args: argparse.Namespace) -> tuple[Diagnostic, ...]:
    """The `output-not-a-file` error when `--json` names something not ours to replace."""
    target = getattr(args, "json", None)
    if not isinstance(target, Path):
        return ()
    try:
        what = kind_of(target)
    except OSError as exc:
        return (error(target, 0, "report-unwritable", f"the --json report: {exc.strerror}"),)
    return () if what is None else (_refusal(target, what),)


@contextlib.contextmanager
def human_lines(args: argparse.Namespace) -> Iterator[None]:
    """With `--json -`, what the verb prints to standard output goes to standard error."""
    target = getattr(args, "json", None)
    if not callable(getattr(target, "write", None)):  # a path, None, or another verb's flag
        yield
        return
    with contextlib.redirect_stdout(sys.stderr):
        yield


def write_report_safely(
    target: Path | TextIO, report: dict[str, object], github: bool = False
) -> int:
    """Write the report; 0, or 1 after printing the error (as a GitHub annotation when
    `github`) when it could not be written."""
    from ..report import write_report

    try:
        write_report(target, report)
    except ForeignOutput as foreign:
        problem = _refusal(foreign.path, foreign.what)
    except OSError as exc:
        where = exc.filename or (target if isinstance(target, Path) else "<standard output>")
        problem = error(where, 0, "report-unwritable", f"the --json report: {exc.strerror}")
    else:
        return 0
    print(problem.format_github() if github else problem.format(), file=sys.stderr)
    return 1

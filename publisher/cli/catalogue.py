"""`publisher build A B …` or `publisher build catalogue.toml`: a catalogue, the books in
parallel (worker processes, or a Dask cluster with `--scheduler`); see `publisher/catalogue.py`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .. import __version__
from ..base.diagnostics import BuildFailed, Diagnostic
from ..base.project import find_anthology
from ..base.text import counted
from ..catalogue import BookResult, LocalPool, Runner, build_catalogue, plan_catalogue
from ..cluster import ClusterUnavailable
from ..load.catalogue_file import is_catalogue, read_catalogue
from ..pipeline import BuildRequest
from ..report import build_report
from .common import finish, here, paint


def catalogue_books(given: Sequence[Path]) -> tuple[list[Path], tuple[Diagnostic, ...]] | None:
    """The anthology files of a catalogue build, in order and each once, and the problems of
    the catalogue files (a bad entry, or a catalogue file that lists nothing: the other books
    are still built); None when the command names one book (or none: the one found from the
    working directory). Raises ProjectNotFound for a path with no book."""
    cwd = Path.cwd()
    catalogues = [is_catalogue(cwd / path) for path in given]
    if len(given) == 0 or (len(given) == 1 and not catalogues[0]):
        return None
    books: list[Path] = []
    problems: tuple[Diagnostic, ...] = ()
    for path, catalogue in zip(given, catalogues, strict=True):
        found: tuple[Path, ...] = ()
        if not catalogue:
            found = (find_anthology(path, cwd).absolute(),)
        else:
            try:
                listed = read_catalogue(cwd / path)
            except BuildFailed as failure:
                problems += tuple(failure.diagnostics)
            else:
                found, problems = listed.anthologies, problems + listed.problems
        books += [book for book in found if book not in books]
    return books, problems


def run_catalogue(
    args: argparse.Namespace, books: list[Path], listing: Sequence[Diagnostic] = ()
) -> int:
    """Build `books` as the options say; print each book's line and every diagnostic (paths
    from the working directory), `listing`'s (the catalogue files' problems) first; the JSON
    report lists each book's build report. Exit 1 when any book failed or was left out."""
    template = BuildRequest(
        Path(),
        args.format[0],
        args.out.absolute() if args.out is not None else None,
        cover=args.format[1],
        clean=args.clean,
        validate=args.validate,
        allow_remote=args.allow_remote,
        # The books are the parallel unit: each lays its PDFs out in one process unless told.
        workers=args.workers or 1,
    )
    groups, planned = plan_catalogue(books, template)
    problems = (*listing, *planned)
    try:
        runner = _runner(args)
    except ClusterUnavailable as problem:  # before any book: the command cannot run as asked
        print(f"publisher: error: {problem}", file=sys.stderr)
        return 1
    if not args.quiet and groups:
        at_once = min(args.jobs, len(groups))
        where = f"on {args.scheduler}" if args.scheduler else f"{at_once} at once"
        count = sum(len(group) for group in groups)
        print(f"building {counted(count, 'book')} ({where})", file=sys.stderr)
    try:
        results = build_catalogue(groups, runner)
    finally:
        close = getattr(runner, "close", None)
        if close is not None:
            close()
    diagnostics: list[Diagnostic] = list(problems)
    for book in results:
        diagnostics += book.diagnostics
    args.project_root = Path.cwd()  # paths are absolute: shown from the working directory
    report: dict[str, object] = {
        "publisher": __version__,
        "command": "build",
        "books": [_book_report(book) for book in results],
        # What belongs to no book built: bad catalogue entries, books left out by a clash.
        "diagnostics": [d.to_json() for d in problems],
    }
    quiet = args.quiet
    return finish(args, diagnostics, report, None if quiet else lambda: _print_books(args, results))


def _runner(args: argparse.Namespace) -> Runner:
    """Raises ClusterUnavailable."""
    if args.scheduler:
        from ..cluster import DaskRunner

        return DaskRunner.connect(args.scheduler)
    return LocalPool(args.jobs)


def _book_report(book: BookResult) -> dict[str, object]:
    if book.result is None:
        return {"anthology": str(book.anthology), "built": False}
    report = build_report(book.result, "build", 0)
    report["anthology"] = str(book.anthology)
    report["built"] = True
    return report


def _print_books(args: argparse.Namespace, results: list[BookResult]) -> None:
    colour = paint(args)
    for book in results:
        if book.result is None:
            print(f"{colour('failed', 'error')} {here(book.anthology)}")
            continue
        written = [output for output in book.result.outputs if not output.cached]
        state = colour("built", "good") if written else colour("unchanged", "quiet")
        outputs = counted(len(book.result.outputs), "file")
        print(f"{state} {here(book.anthology)}: {outputs}, {len(written)} written")

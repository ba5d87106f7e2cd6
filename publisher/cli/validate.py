"""`publisher validate`: EPUBCheck, Ace, qpdf and the fidelity checks on built editions."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path

from ..base.diagnostics import BuildFailed, Diagnostic, error
from ..base.model import Anthology
from ..base.project import ProjectNotFound
from ..base.rendered import Target
from ..pipeline import load, read_spec
from ..plan import FILE_NAMES, TARGETS, Format, output_dir
from ..validation.runner import ValidatorResult
from .common import (
    ANTHOLOGY_HELP,
    Commands,
    example,
    finish,
    here,
    paint,
    progress,
    resolve_anthology,
)
from .common import reporting as reporting_options


def register(commands: Commands) -> None:
    command = commands.add_parser(
        "validate",
        parents=[reporting_options()],
        help="run EPUBCheck, Ace and the PDF checks on built files",
        description="Validate built editions: EPUBCheck and Ace (EPUB), qpdf, pdffonts and the\n"
        "glyph check (PDF), and the text fidelity check against the manuscripts.",
        epilog=example(
            "publisher validate", "publisher validate dist/book.epub --anthology book.toml"
        ),
    )
    command.add_argument(
        "files",
        nargs="*",
        type=Path,
        help="editions to check (default: the anthology's, where `build` writes them);"
        " a project's folder stands for its editions; a retailer package (its folder or zip)"
        " is checked as delivered, without the project",
    )
    command.add_argument(
        "--anthology", type=Path, help=f"compare named files with it; {ANTHOLOGY_HELP}"
    )
    command.add_argument(
        "-o",
        "--out",
        type=Path,
        default=None,
        help="where the editions are, relative to the working directory"
        " (default: as `build` writes them)",
    )
    command.set_defaults(run=run)


def _anthology_for_fidelity(path: Path) -> tuple[Anthology | None, tuple[Diagnostic, ...]]:
    """The anthology whose editions get the text fidelity check (None: there is no such file);
    a manuscript problem that stops loading it is reported instead."""
    if not path.is_file():
        return None, ()
    try:
        anthology, _ = load(path)
    except BuildFailed as failed:
        return None, tuple(failed.diagnostics)
    return anthology, ()


def _packages(args: argparse.Namespace) -> list[ValidatorResult]:
    """The retailer packages among the files named (validation/delivered.py), checked, and
    taken out of `args.files`."""
    from ..validation.delivered import is_delivery, validate_delivery

    named = [path for path in args.files if is_delivery(path)]
    args.files = [path for path in args.files if path not in named]
    view = progress(args)
    with view or contextlib.nullcontext():
        return [result for path in named for result in validate_delivery(path.absolute(), view)]


def run(args: argparse.Namespace) -> int:
    from ..validation.files import validate_files

    delivered = _packages(args)
    if delivered and not args.files:  # packages alone: no project needed
        return _finish(args, [], delivered)
    folders = [path for path in args.files if path.is_dir()]
    if args.anthology is None and len(folders) == 1:  # `validate book`: that project's editions
        args.anthology = folders[0]
    # Absolute: diagnostics name them so, and print them relative to the working directory.
    files = [path.absolute() for path in args.files if path != args.anthology]
    named = args.anthology is not None
    anthology_path: Path | None
    try:
        anthology_path = resolve_anthology(args)
    except ProjectNotFound:
        if not files:  # nothing named and no book here: say how to make one
            raise
        anthology_path = None
    if not files and anthology_path is not None:
        spec = read_spec(anthology_path)
        names = [FILE_NAMES[t].format(slug=spec.slug) for f in Format for t in TARGETS[f]]
        files = [output_dir(spec, args.out) / name for name in names]
        wrap = output_dir(spec, args.out) / FILE_NAMES[Target.COVER].format(slug=spec.slug)
        if wrap.is_file():  # made only by `build --format cover`: checked when it is there
            files.append(wrap)
    anthology, problems = (
        _anthology_for_fidelity(anthology_path) if anthology_path is not None else (None, ())
    )
    if named and not args.anthology.is_file():
        missing = args.anthology.absolute()
        problems = (error(missing, 0, "validate-missing-file", "no such anthology file"),)
    # Files named with an anthology named are compared with it whatever they are called; with
    # the default anthology, only its own editions are (another book's file may sit beside it).
    view = progress(args)
    with view or contextlib.nullcontext():
        results = validate_files(files, anthology, any_name=named, progress=view)
    return _finish(args, list(problems), [*delivered, *results])


def _finish(
    args: argparse.Namespace, problems: list[Diagnostic], results: list[ValidatorResult]
) -> int:
    """Report `problems` and each validator's result; the exit code (common.finish)."""
    from ..report import diagnostics_report

    diagnostics = [*problems, *(d for result in results for d in result.diagnostics)]
    report = diagnostics_report(diagnostics, "validate", 0, results)

    def made() -> None:  # each validator's verdict, before the count line
        colour = paint(args)
        for result in results:
            counts = ", ".join(f"{key} {value}" for key, value in result.counts.items()) or (
                ", ".join(sorted({d.code for d in result.diagnostics}))  # e.g. validator-missing
            )
            verdict = colour("ok", "good") if result.ok else colour("FAILED", "bad")
            print(f"{result.validator}: {here(result.target)}: {verdict} ({counts})")

    return finish(args, diagnostics, report, None if args.quiet else made)

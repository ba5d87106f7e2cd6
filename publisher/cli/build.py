"""`publisher build`: load, render and export the editions, print what was written."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

from ..pipeline import BuildRequest, Format, build
from .common import (
    ANTHOLOGY_HELP,
    Commands,
    add_allow_remote,
    example,
    finish,
    here,
    paint,
    progress,
    resolve_anthology,
)
from .common import reporting as reporting_options
from .console import timings


def register(commands: Commands) -> None:
    command = commands.add_parser(
        "build",
        parents=[reporting_options()],
        help="build the editions into dist/",
        description="Build the editions (web HTML, screen and print PDF, EPUB) of an anthology; "
        "only what changed since the last build is made again.",
        epilog=example(
            "publisher build -f epub,pdf -o dist --validate",
            "publisher build catalogue.toml -j 2",
        ),
    )
    command.add_argument(
        "anthology",
        nargs="*",
        type=Path,
        help=ANTHOLOGY_HELP + "; several, or a catalogue file (a `[catalogue]` table listing"
        " anthologies), build a catalogue: the books in parallel",
    )
    command.add_argument(
        "-f",
        "--format",
        type=formats,
        default="html,pdf,epub",
        metavar="FORMATS",
        help="the formats to build, comma-separated: html, pdf (screen and print), epub,"
        " cover (the print-on-demand cover wrap, with the print PDF)",
    )
    command.add_argument(
        "-o",
        "--out",
        type=Path,
        default=None,
        help="output folder, relative to the working directory"
        " (default: the anthology's `output_dir`, else dist/ in the project)",
    )
    add_allow_remote(command)
    command.add_argument("--clean", action="store_true", help="ignore the build cache")
    command.add_argument("--validate", action="store_true", help="validate what was built")
    command.add_argument(
        "-j",
        "--jobs",
        type=workers,
        default=os.cpu_count() or 1,
        metavar="N",
        help="a catalogue: books built at once, in worker processes (default: the CPU count,"
        " %(default)s here); e.g. -j 1 builds one after the other",
    )
    command.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="a catalogue: build the books on the Dask cluster whose scheduler is at ADDRESS,"
        " e.g. tcp://10.0.0.5:8786 (needs publisher[distributed]; workers must see the"
        " projects at the same paths)",
    )
    command.add_argument(
        "--workers",
        type=workers,
        default=None,
        metavar="N",
        help="processes laying out the PDFs (default: one per core; in a catalogue 1 per book;"
        " same files for any N)",
    )
    command.set_defaults(run=run)


def formats(value: str) -> tuple[frozenset[Format], bool]:
    """`--format`: the editions, and whether the cover wrap (`cover`) is asked for."""
    names = {item.strip() for item in value.split(",") if item.strip()}
    try:
        return frozenset(Format(name) for name in names - {"cover"}), "cover" in names
    except ValueError:
        known = "html, pdf, epub, cover"
        raise argparse.ArgumentTypeError(f"formats are {known}; got `{value}`") from None


def workers(value: str) -> int:
    """`--workers`: a whole number of processes, at least 1."""
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"a number of processes, 1 or more; got `{value}`")
    return int(value)


def run(args: argparse.Namespace) -> int:
    from ..report import build_report
    from .catalogue import catalogue_books, run_catalogue

    catalogue = catalogue_books(args.anthology)
    if catalogue is not None:
        return run_catalogue(args, *catalogue)
    args.anthology = args.anthology[0] if args.anthology else None
    anthology = resolve_anthology(args)
    view = progress(args)
    editions, cover = args.format
    request = BuildRequest(
        anthology,
        editions,
        args.out.absolute() if args.out is not None else None,
        cover=cover,
        clean=args.clean,
        validate=args.validate,
        progress=view,
        allow_remote=args.allow_remote,
        workers=args.workers,
    )
    with view or contextlib.nullcontext():
        result = build(request)
    if args.verbose and result.stages:
        print(timings([(s.name, s.seconds) for s in result.stages]), file=sys.stderr)
    report = build_report(result, "build", 0)

    def made() -> None:
        colour = paint(args)
        if result.up_to_date:
            print("up to date: nothing to rebuild")
        for output in result.outputs:
            state = colour("unchanged", "quiet") if output.cached else colour("wrote", "good")
            print(f"{state} {here(output.path)} ({output.bytes:,} bytes)")

    return finish(args, result.diagnostics, report, None if args.quiet else made)

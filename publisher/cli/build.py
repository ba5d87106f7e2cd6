"""`publisher build`: load, render and export the editions, print what was written."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..pipeline import BuildRequest, Format, build
from .common import (
    Commands,
    add_allow_remote,
    add_anthology,
    end_progress,
    finish,
    here,
    progress,
    resolve_anthology,
)
from .common import reporting as reporting_options


def register(commands: Commands) -> None:
    command = commands.add_parser("build", parents=[reporting_options()], help="build into dist/")
    add_anthology(command)
    command.add_argument(
        "--format", type=formats, default=frozenset(Format), help="html,pdf,epub (default: all)"
    )
    command.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output folder, relative to the working directory"
        " (default: the anthology's `output_dir`, else dist/ in the project)",
    )
    add_allow_remote(command)
    command.add_argument("--clean", action="store_true", help="ignore the build cache")
    command.add_argument("--validate", action="store_true", help="validate what was built")
    command.set_defaults(run=run)


def formats(value: str) -> frozenset[Format]:
    try:
        return frozenset(Format(item.strip()) for item in value.split(",") if item.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"formats are html, pdf, epub; got {value!r}") from None


def run(args: argparse.Namespace) -> int:
    from ..report import build_report

    anthology = resolve_anthology(args)
    shown = progress(args)
    request = BuildRequest(
        anthology,
        args.format,
        args.out.absolute() if args.out is not None else None,
        clean=args.clean,
        validate=args.validate,
        progress=shown,
        allow_remote=args.allow_remote,
    )
    result = build(request)
    end_progress(shown)
    report = build_report(result, "build", 0)
    code = finish(args, result.diagnostics, report)
    if not args.quiet:
        if result.up_to_date:
            print("up to date: nothing to rebuild")
        for output in result.outputs:
            state = "unchanged" if output.cached else "wrote"
            print(f"{state} {here(output.path)} ({output.bytes:,} bytes)")
    return code

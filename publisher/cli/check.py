"""`publisher check`: read and validate everything, write nothing."""

from __future__ import annotations

import argparse
import contextlib

from ..base.progress import Progress
from ..base.text import counted
from .common import (
    Commands,
    add_allow_remote,
    add_anthology,
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
        "check",
        parents=[reporting_options()],
        help="check the manuscripts and the anthology file, write nothing",
        description="Read and check everything a build reads; write nothing.",
        epilog=example("publisher check --strict"),
    )
    add_anthology(command)
    add_allow_remote(command)
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..base.access import Access
    from ..base.fonts import check_book
    from ..base.rendered import Target
    from ..pipeline import fetch_remote, load_book, read_spec, render

    anthology_file = resolve_anthology(args)
    view = progress(args)
    with view or contextlib.nullcontext():
        if view is not None:
            view(Progress("load", "reading the manuscripts"))
        spec = read_spec(anthology_file)
        access = fetch_remote(spec, Access.for_spec(spec, args.allow_remote))
        anthology, diagnostics = load_book(spec, access)
        if view is not None:
            view(Progress("check", "checking the characters the print PDF sets against its fonts"))
        # What the PDF will typeset (front matter, labels, indexes too), against the theme's faces.
        diagnostics += check_book(render(anthology, Target.PRINT_PDF, access=access))
    code = finish(args, diagnostics)
    if not args.quiet and code == 0:
        count = len(anthology.reviews)
        # Warnings were just counted: "ok" only when there was nothing to say.
        verdict = f": {paint(args)('ok', 'good')}" if not diagnostics else ""
        parts = len(anthology.parts)
        said = f"{counted(count, 'review')} in {counted(parts, 'part')}"
        print(f"{here(anthology_file)}: {said}{verdict}")
    return code

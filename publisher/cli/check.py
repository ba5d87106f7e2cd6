"""`publisher check`: read and validate everything, write nothing."""

from __future__ import annotations

import argparse

from .common import Commands, add_allow_remote, add_anthology, finish, here, resolve_anthology
from .common import reporting as reporting_options


def register(commands: Commands) -> None:
    command = commands.add_parser(
        "check", parents=[reporting_options()], help="validate, write nothing"
    )
    add_anthology(command)
    add_allow_remote(command)
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..base.access import Access
    from ..base.fonts import check_book
    from ..base.rendered import Target
    from ..pipeline import fetch_remote, load_book, read_spec, render

    spec = read_spec(resolve_anthology(args))
    access = fetch_remote(spec, Access.for_spec(spec, args.allow_remote))
    anthology, diagnostics = load_book(spec, access)
    # What the PDF will typeset (front matter, labels, indexes too), against the theme's faces.
    diagnostics += check_book(render(anthology, Target.PRINT_PDF, access=access))
    code = finish(args, diagnostics)
    if not args.quiet and code == 0:
        count = len(anthology.reviews)
        print(f"{here(args.anthology)}: {count} reviews in {len(anthology.parts)} parts: ok")
    return code

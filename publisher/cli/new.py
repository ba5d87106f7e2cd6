"""`publisher new`: write a review skeleton into the anthology's reviews folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..scaffold import ScaffoldError, write_skeleton
from .common import ANTHOLOGY_HELP, Commands, here, resolve_anthology


def register(commands: Commands) -> None:
    command = commands.add_parser("new", help="write a manuscript skeleton")
    command.add_argument("title")
    command.add_argument("--film", required=True)
    command.add_argument("--year", type=int, required=True)
    command.add_argument("--director", action="append", required=True)
    command.add_argument("--country", default="España")
    command.add_argument("--runtime", type=int)
    command.add_argument("--part", help="part id the review belongs to")
    command.add_argument("--author")
    command.add_argument("--anthology", type=Path, default=None, help=ANTHOLOGY_HELP)
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        path = write_skeleton(
            resolve_anthology(args),
            title=args.title,
            film=args.film,
            year=args.year,
            directors=tuple(args.director),
            country=args.country,
            runtime=args.runtime,
            part=args.part,
            author=args.author,
        )
    except ScaffoldError as exc:
        print(f"publisher: error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {here(path)}")
    return 0

"""`publisher new`: write a review skeleton into the anthology's reviews folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..scaffold import FilmArguments, ScaffoldError, write_skeleton
from .common import DEFAULT_ANTHOLOGY, Commands


def register(commands: Commands) -> None:
    command = commands.add_parser("new", help="write a manuscript skeleton")
    command.add_argument("title")
    command.add_argument("--film", required=True)
    command.add_argument("--year", type=int, required=True)
    command.add_argument("--director", action="append", required=True)
    command.add_argument("--country")
    command.add_argument("--runtime", type=int)
    command.add_argument("--part", help="the part it belongs to: its id or title")
    command.add_argument("--author")
    command.add_argument("--anthology", type=Path, default=DEFAULT_ANTHOLOGY)
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    film = FilmArguments(args.film, args.year, tuple(args.director), args.country, args.runtime)
    try:
        written = write_skeleton(
            args.anthology, title=args.title, film=film, part=args.part, author=args.author
        )
    except ScaffoldError as exc:
        for problem in exc.problems:
            print(f"publisher: error: {problem}", file=sys.stderr)
        print("publisher: nothing was written", file=sys.stderr)
        return 1
    part = written.part
    print(f"wrote {written.path}: in part {part.id} ({part.title}), {written.how}")
    return 0

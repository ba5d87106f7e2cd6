"""`publisher new`: write a review skeleton into the anthology's reviews folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..scaffold import FilmArguments, ScaffoldError, write_skeleton
from .common import ANTHOLOGY_HELP, Commands, example, here, resolve_anthology


def register(commands: Commands) -> None:
    command = commands.add_parser(
        "new",
        help="write a manuscript skeleton",
        description="Write a review skeleton (front matter filled in, body to write) into the\n"
        "anthology's reviews folder.",
        epilog=example(
            'publisher new "Una tregua helada" --film "La tregua" --year 2025 '
            '--director "Miguel Ángel Vivas"'
        ),
    )
    command.add_argument("title", help="the review's title")
    command.add_argument("--film", required=True, help="the film's title")
    command.add_argument("--year", type=int, required=True, help="the film's release year")
    command.add_argument(
        "--director", action="append", required=True, help="a director (repeat for each)"
    )
    command.add_argument("--country", help="the film's country (left out when not given)")
    command.add_argument("--runtime", type=int, help="the film's running time in minutes")
    command.add_argument(
        "--part", help="its part, by id or title (default: the part its year or tags select)"
    )
    command.add_argument("--author", help="the critic, when not the anthology's editors")
    command.add_argument("--anthology", type=Path, default=None, help=ANTHOLOGY_HELP)
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    film = FilmArguments(args.film, args.year, tuple(args.director), args.country, args.runtime)
    try:
        written = write_skeleton(
            resolve_anthology(args), title=args.title, film=film, part=args.part, author=args.author
        )
    except ScaffoldError as exc:
        for problem in exc.problems:
            print(f"publisher: error: {problem}", file=sys.stderr)
        print("publisher: nothing was written", file=sys.stderr)
        return 2 if exc.usage else 1  # a bad argument is a usage error (README: exit codes)
    part = written.part
    print(f"wrote {here(written.path)}: in part {part.id} ({part.title}), {written.how}")
    return 0

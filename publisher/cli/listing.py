"""`publisher list`: the assembled contents, one review per row."""

from __future__ import annotations

import argparse

from ..pipeline import load
from .common import Commands, add_anthology, finish, resolve_anthology


def register(commands: Commands) -> None:
    command = commands.add_parser("list", help="print the assembled contents")
    add_anthology(command)
    command.set_defaults(run=run, format_messages="text", strict=False, quiet=False, json=None)


def run(args: argparse.Namespace) -> int:
    anthology, diagnostics = load(resolve_anthology(args))
    finish(args, diagnostics)
    rows = [("#", "Part", "Review", "Film", "Year", "Critic")]
    for part in anthology.parts:
        for review in part.reviews:
            film = review.manuscript.film
            critic = review.critic or ", ".join(anthology.spec.editors)
            title = review.manuscript.title
            rows.append((str(review.number), part.title, title, film.title, str(film.year), critic))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        cells = zip(row, widths, strict=True)
        print("  ".join(cell.ljust(width) for cell, width in cells).rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))
    return 0

"""`publisher list`: the assembled contents, one review per row, as a table or as JSON."""

from __future__ import annotations

import argparse
import json

from ..base.model import Anthology
from ..pipeline import load
from .common import Commands, add_anthology, example, finish, resolve_anthology


def register(commands: Commands) -> None:
    command = commands.add_parser(
        "list",
        help="print the assembled contents",
        description="Print the book's contents in order: number, part, review, film, year,\n"
        "critic. Only the contents go to standard output; problems go to standard error.",
        epilog=example("publisher list", "publisher list --json | jq '.reviews[].slug'"),
    )
    add_anthology(command)
    command.add_argument(
        "--json",
        dest="as_json",
        action="store_true",
        help="print the contents as JSON: the book's title and slug, and each review's number, "
        "part, slug, title, film (title, year, directors), critic and source file",
    )
    command.set_defaults(run=run, format_messages="text", strict=False, quiet=False, json=None)


def run(args: argparse.Namespace) -> int:
    anthology, diagnostics = load(resolve_anthology(args))
    finish(args, diagnostics)
    if args.as_json:
        print(json.dumps(contents(anthology), ensure_ascii=False, indent=2))
        return 0
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


def contents(anthology: Anthology) -> dict[str, object]:
    """The JSON of `list --json`: `{"title", "slug", "reviews": [{"number", "part": {"id",
    "title"}, "slug", "title", "film": {"title", "year", "directors"}, "critic", "source"}]}`,
    reviews in book order; `critic` is the review's author or, unsigned, the editors (as the
    table shows it); `source` the manuscript's path as messages print it."""
    reviews = []
    for part in anthology.parts:
        for review in part.reviews:
            manuscript = review.manuscript
            film = manuscript.film
            reviews.append(
                {
                    "number": review.number,
                    "part": {"id": part.id, "title": part.title},
                    "slug": review.slug,
                    "title": manuscript.title,
                    "film": {
                        "title": film.title,
                        "year": film.year,
                        "directors": list(film.directors),
                    },
                    "critic": review.critic or ", ".join(anthology.spec.editors),
                    "source": str(manuscript.path),
                }
            )
    return {"title": anthology.spec.title, "slug": anthology.spec.slug, "reviews": reviews}

"""`publisher init`: start a new book in a folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import Commands, example, here

LANGS = ("en", "es")  # scaffold.init.TEXTS, named here without importing it for every verb


def register(commands: Commands) -> None:
    command = commands.add_parser(
        "init",
        help="start a new book: an anthology file, an example review, a CI workflow",
        description="Write a small project that builds and validates as it is: the anthology\n"
        "file (every key, commented), an example review, an introduction, a .gitignore and a\n"
        "GitHub Actions workflow. The folder must be new or empty; nothing is overwritten.",
        epilog=example('publisher init war-films --lang en --title "Twelve War Films"'),
    )
    command.add_argument("directory", type=Path, help="the new project's folder (new or empty)")
    command.add_argument(
        "--lang",
        type=_lang,
        default="en",
        help="language of the book and its example text: en (or any en-*), es (default: en)",
    )
    command.add_argument("--title", help="the book's title (default: one in its language)")
    command.set_defaults(run=run)


def _lang(value: str) -> str:
    from ..scaffold.init import text_language

    if text_language(value) is None:
        raise argparse.ArgumentTypeError(
            f"init has example text for {', '.join(LANGS)} (and any en-*, es-*), not `{value}`"
        )
    return value


def run(args: argparse.Namespace) -> int:
    from ..scaffold.init import InitError, write_project

    try:
        written = write_project(args.directory, args.lang, args.title)
    except (InitError, ValueError) as exc:
        print(f"publisher: error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ValueError) else 1
    for path in written:
        print(f"wrote {here(path)}")
    print(f"next: cd {here(args.directory)} && publisher build")
    return 0

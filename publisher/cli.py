"""Command line: parse arguments, call the library, print diagnostics, return an exit code.

Exit codes: 0 success, 1 content or build error, 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .diagnostics import BuildFailed, Diagnostic, Severity
from .pipeline import Format, build, load
from .scaffold import ScaffoldError, write_skeleton

DEFAULT_ANTHOLOGY = Path("manuscripts/anthology.toml")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
        return code
    except BuildFailed as failure:
        _report(failure.diagnostics, args)
        return 1
    except KeyboardInterrupt:
        print("publisher: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug or an environment problem: say so plainly
        if getattr(args, "debug", False):
            traceback.print_exc()
        else:
            print(
                f"publisher: error: {type(exc).__name__}: {exc} (run with --debug)", file=sys.stderr
            )
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="publisher", description=__doc__)
    parser.add_argument("--version", action="version", version=f"publisher {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    commands = parser.add_subparsers(dest="command", required=True)

    build_cmd = commands.add_parser("build", help="build the anthology into dist/")
    build_cmd.add_argument("anthology", nargs="?", type=Path, default=DEFAULT_ANTHOLOGY)
    build_cmd.add_argument(
        "--format", type=_formats, default=frozenset(Format), help="html,pdf,epub (default: all)"
    )
    build_cmd.add_argument("--out", type=Path, default=Path("dist"))
    build_cmd.add_argument("--quiet", action="store_true", help="print only problems")
    build_cmd.set_defaults(run=_build)

    check_cmd = commands.add_parser("check", help="validate manuscripts without writing")
    check_cmd.add_argument("anthology", nargs="?", type=Path, default=DEFAULT_ANTHOLOGY)
    check_cmd.add_argument("--quiet", action="store_true")
    check_cmd.set_defaults(run=_check)

    list_cmd = commands.add_parser("list", help="print the assembled contents")
    list_cmd.add_argument("anthology", nargs="?", type=Path, default=DEFAULT_ANTHOLOGY)
    list_cmd.set_defaults(run=_list)

    new_cmd = commands.add_parser("new", help="write a manuscript skeleton")
    new_cmd.add_argument("title")
    new_cmd.add_argument("--film", required=True)
    new_cmd.add_argument("--year", type=int, required=True)
    new_cmd.add_argument("--director", action="append", required=True)
    new_cmd.add_argument("--country", default="España")
    new_cmd.add_argument("--runtime", type=int)
    new_cmd.add_argument("--part", help="part id the review belongs to")
    new_cmd.add_argument("--author")
    new_cmd.add_argument("--anthology", type=Path, default=DEFAULT_ANTHOLOGY)
    new_cmd.set_defaults(run=_new)
    return parser


def _formats(value: str) -> frozenset[Format]:
    try:
        return frozenset(Format(item.strip()) for item in value.split(",") if item.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"formats are html, pdf, epub; got {value!r}") from None


def _report(diagnostics: Sequence[Diagnostic], args: argparse.Namespace) -> None:
    for diagnostic in sorted(diagnostics, key=lambda d: (d.path, d.line, d.col, d.code)):
        print(diagnostic.format(), file=sys.stderr)
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    if errors:
        print(f"publisher: {errors} error{'s' if errors != 1 else ''}", file=sys.stderr)


def _build(args: argparse.Namespace) -> int:
    result = build(args.anthology, args.format, args.out)
    _report(result.diagnostics, args)
    if not args.quiet:
        for output in result.outputs:
            print(f"wrote {output.path} ({output.path.stat().st_size:,} bytes)")
    return 0


def _check(args: argparse.Namespace) -> int:
    anthology, diagnostics = load(args.anthology)
    _report(diagnostics, args)
    if not args.quiet:
        count = len(anthology.reviews)
        print(f"{args.anthology}: {count} reviews in {len(anthology.parts)} parts: ok")
    return 0


def _list(args: argparse.Namespace) -> int:
    anthology, diagnostics = load(args.anthology)
    _report(diagnostics, args)
    rows = [("#", "Part", "Review", "Film", "Year", "Critic")]
    for part in anthology.parts:
        for review in part.reviews:
            film = review.manuscript.film
            critic = review.critic or ", ".join(anthology.spec.editors)
            rows.append(
                (
                    str(review.number),
                    part.title,
                    review.manuscript.title,
                    film.title,
                    str(film.year),
                    critic,
                )
            )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
        if index == 0:
            print("  ".join("-" * width for width in widths))
    return 0


def _new(args: argparse.Namespace) -> int:
    try:
        path = write_skeleton(
            args.anthology,
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
    print(f"wrote {path}")
    return 0

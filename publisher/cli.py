"""Command line: parse arguments, call the library, print diagnostics, return an exit code.

Exit codes: 0 success, 1 content or build error, 2 usage error.
"""

from __future__ import annotations

import argparse
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import __version__
from .base.diagnostics import BuildFailed, Diagnostic, Severity, error
from .base.model import Anthology
from .base.project import project_root
from .pipeline import FILE_NAMES, TARGETS, BuildRequest, Format, build, load
from .scaffold import ScaffoldError, write_skeleton

DEFAULT_ANTHOLOGY = Path("manuscripts/anthology.toml")


class _Terminated(KeyboardInterrupt):
    """SIGTERM as an exception, so every `finally` (temp files of half-written outputs) runs."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated()


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    previous = _install(signal.SIGTERM, _on_sigterm)
    try:
        code: int = args.run(args)
        return code
    except BuildFailed as failure:
        return _finish(args, failure.diagnostics)
    except KeyboardInterrupt as stop:
        print("publisher: interrupted", file=sys.stderr)
        return 143 if isinstance(stop, _Terminated) else 130
    except Exception as exc:  # a bug or an environment problem: say so plainly
        if getattr(args, "debug", False):
            traceback.print_exc()
        else:
            message = f"publisher: error: {type(exc).__name__}: {exc} (run with --debug)"
            print(message, file=sys.stderr)
        return 1
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _install(signum: signal.Signals, handler: Callable[[int, object], None]) -> Any:
    try:
        return signal.signal(signum, handler)
    except ValueError:  # not the main thread (a library caller): leave signals alone
        return None


def _hosts(value: str) -> frozenset[str]:
    if "/" in value or value.endswith(".toml"):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a host list: write --allow-remote=HOST,HOST (with `=`)"
        )
    return frozenset(host.strip().lower() for host in value.split(",") if host.strip())


def _add_allow_remote(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--allow-remote",
        nargs="?",
        type=_hosts,
        const=frozenset(),
        default=None,
        metavar="HOSTS",
        help="allow http(s) images (optionally only from HOST,HOST); off by default",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="publisher", description=__doc__)
    parser.add_argument("--version", action="version", version=f"publisher {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    reporting = argparse.ArgumentParser(add_help=False)
    reporting.add_argument("--format-messages", choices=("text", "github"), default="text")
    reporting.add_argument("--json", type=Path, metavar="FILE", help="write a JSON report")
    reporting.add_argument("--strict", action="store_true", help="warnings are errors")
    reporting.add_argument("--quiet", action="store_true", help="print only problems")
    reporting.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    build_cmd = commands.add_parser("build", parents=[reporting], help="build into dist/")
    build_cmd.add_argument("anthology", nargs="?", type=Path, default=DEFAULT_ANTHOLOGY)
    build_cmd.add_argument(
        "--format", type=_formats, default=frozenset(Format), help="html,pdf,epub (default: all)"
    )
    build_cmd.add_argument("--out", type=Path, default=Path("dist"))
    _add_allow_remote(build_cmd)
    build_cmd.add_argument("--clean", action="store_true", help="ignore the build cache")
    build_cmd.add_argument("--validate", action="store_true", help="validate what was built")
    build_cmd.set_defaults(run=_build)

    check_cmd = commands.add_parser("check", parents=[reporting], help="validate, write nothing")
    check_cmd.add_argument("anthology", nargs="?", type=Path, default=DEFAULT_ANTHOLOGY)
    _add_allow_remote(check_cmd)
    check_cmd.set_defaults(run=_check)

    validate_cmd = commands.add_parser(
        "validate", parents=[reporting], help="run EPUBCheck, Ace and PDF checks on built files"
    )
    validate_cmd.add_argument("files", nargs="*", type=Path, help="default: the default book's")
    validate_cmd.add_argument(
        "--anthology", type=Path, help=f"compare named files with it (default: {DEFAULT_ANTHOLOGY})"
    )
    validate_cmd.add_argument("--out", type=Path, default=Path("dist"))
    validate_cmd.set_defaults(run=_validate)

    list_cmd = commands.add_parser("list", help="print the assembled contents")
    list_cmd.add_argument("anthology", nargs="?", type=Path, default=DEFAULT_ANTHOLOGY)
    list_cmd.set_defaults(run=_list, format_messages="text", strict=False, quiet=False, json=None)

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

    serve_cmd = commands.add_parser("serve", help="live preview of the HTML edition")
    serve_cmd.add_argument("anthology", nargs="?", type=Path, default=DEFAULT_ANTHOLOGY)
    serve_cmd.add_argument("--port", type=int, default=8000)
    serve_cmd.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1 (this machine)")
    serve_cmd.set_defaults(run=_serve)
    return parser


def _formats(value: str) -> frozenset[Format]:
    try:
        return frozenset(Format(item.strip()) for item in value.split(",") if item.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"formats are html, pdf, epub; got {value!r}") from None


def _finish(
    args: argparse.Namespace,
    diagnostics: Sequence[Diagnostic],
    report: dict[str, object] | None = None,
) -> int:
    """Print diagnostics as asked, write the JSON report, and decide the exit code."""
    from .report import diagnostics_report, write_report

    if getattr(args, "strict", False):
        diagnostics = [
            replace(d, severity=Severity.ERROR) if d.severity is Severity.WARNING else d
            for d in diagnostics
        ]
    ordered = sorted(diagnostics)
    github = getattr(args, "format_messages", "text") == "github"
    for diagnostic in ordered:
        print(diagnostic.format_github() if github else diagnostic.format(), file=sys.stderr)
    errors = sum(d.severity is Severity.ERROR for d in ordered)
    if errors:
        print(f"publisher: {errors} error{'s' if errors != 1 else ''}", file=sys.stderr)
    code = 1 if errors else 0
    if getattr(args, "json", None) is not None:
        data = report or diagnostics_report(ordered, args.command, code)
        data["exit_code"] = code
        write_report(args.json, data)
    return code


def _progress(args: argparse.Namespace) -> Callable[[str], None] | None:
    """On a terminal, one status line that rewrites itself; elsewhere nothing."""
    if args.quiet or not sys.stderr.isatty():
        return None

    def show(stage: str) -> None:
        print(f"\rpublisher: {stage}…\033[K", end="", file=sys.stderr, flush=True)

    return show


def _build(args: argparse.Namespace) -> int:
    from .report import build_report

    progress = _progress(args)
    request = BuildRequest(
        args.anthology,
        args.format,
        args.out,
        clean=args.clean,
        validate=args.validate,
        progress=progress,
        allow_remote=args.allow_remote,
    )
    result = build(request)
    if progress is not None:
        print("\r\033[K", end="", file=sys.stderr)
    report = build_report(result, "build", 0)
    code = _finish(args, result.diagnostics, report)
    if not args.quiet:
        if result.up_to_date:
            print("up to date: nothing to rebuild")
        for output in result.outputs:
            state = "unchanged" if output.cached else "wrote"
            print(f"{state} {output.path} ({output.bytes:,} bytes)")
    return code


def _check(args: argparse.Namespace) -> int:
    from .base.access import Access
    from .base.fonts import check_book
    from .base.rendered import Target
    from .pipeline import fetch_remote, load_book, read_spec, render

    spec = read_spec(args.anthology)
    access = fetch_remote(spec, Access.for_spec(spec, args.allow_remote))
    anthology, diagnostics = load_book(spec, access)
    # What the PDF will typeset (front matter, labels, indexes too), against the theme's faces.
    diagnostics += check_book(render(anthology, Target.PRINT_PDF, access=access))
    code = _finish(args, diagnostics)
    if not args.quiet and code == 0:
        count = len(anthology.reviews)
        print(f"{args.anthology}: {count} reviews in {len(anthology.parts)} parts: ok")
    return code


def _anthology_for_fidelity(path: Path) -> tuple[Anthology | None, tuple[Diagnostic, ...]]:
    """The anthology whose editions get the text fidelity check (None: there is no such file);
    a manuscript problem that stops loading it is reported instead."""
    if not path.is_file():
        return None, ()
    try:
        anthology, _ = load(path)
    except BuildFailed as failed:
        return None, tuple(failed.diagnostics)
    return anthology, ()


def _validate(args: argparse.Namespace) -> int:
    from .report import diagnostics_report
    from .validation.files import validate_files

    files = list(args.files)
    anthology_path: Path = args.anthology or DEFAULT_ANTHOLOGY
    if not files:
        from .load.anthology_file import load_anthology_spec

        spec = load_anthology_spec(anthology_path, project_root(anthology_path))
        names = [FILE_NAMES[t].format(slug=spec.slug) for f in Format for t in TARGETS[f]]
        files = [args.out / name for name in names]
    anthology, problems = _anthology_for_fidelity(anthology_path)
    if args.anthology is not None and not args.anthology.is_file():
        problems = (error(args.anthology, 0, "validate-missing-file", "no such anthology file"),)
    # Files named with an anthology named are compared with it whatever they are called; with
    # the default anthology, only its own editions are (another book's file may sit beside it).
    results = validate_files(files, anthology, any_name=args.anthology is not None)
    diagnostics = [*problems, *(d for result in results for d in result.diagnostics)]
    report = diagnostics_report(diagnostics, "validate", 0, results)
    code = _finish(args, diagnostics, report)
    if not args.quiet:
        for result in results:
            counts = ", ".join(f"{key} {value}" for key, value in result.counts.items())
            verdict = "ok" if result.ok else "FAILED"
            print(f"{result.validator}: {result.target}: {verdict} ({counts})")
    return code


def _list(args: argparse.Namespace) -> int:
    anthology, diagnostics = load(args.anthology)
    _finish(args, diagnostics)
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


def _serve(args: argparse.Namespace) -> int:
    from .serve import serve  # watchfiles and http.server only for this command

    code: int = serve(args.anthology, host=args.host, port=args.port)
    return code

"""What the verbs share: the reporting options, the anthology argument, printing diagnostics
and deciding the exit code, the progress line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..base.diagnostics import Diagnostic, Severity
from .report_target import report_target, write_report_safely

DEFAULT_ANTHOLOGY = Path("manuscripts/anthology.toml")

Commands = Any  # argparse's private _SubParsersAction


def reporting() -> argparse.ArgumentParser:
    """The options of every verb that reports problems (a parent parser)."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--format-messages", choices=("text", "github"), default="text")
    options.add_argument(
        "--json",
        type=report_target,
        metavar="FILE",
        help="write a JSON report to FILE (`-`: standard output; other lines then go to stderr)",
    )
    options.add_argument("--strict", action="store_true", help="warnings are errors")
    options.add_argument("--quiet", action="store_true", help="print only problems")
    options.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
    )
    return options


def add_anthology(command: argparse.ArgumentParser) -> None:
    """The optional positional anthology file."""
    command.add_argument("anthology", nargs="?", type=Path, default=DEFAULT_ANTHOLOGY)


def _hosts(value: str) -> frozenset[str]:
    if "/" in value or value.endswith(".toml"):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a host list: write --allow-remote=HOST,HOST (with `=`)"
        )
    return frozenset(host.strip().lower() for host in value.split(",") if host.strip())


def add_allow_remote(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--allow-remote",
        nargs="?",
        type=_hosts,
        const=frozenset(),
        default=None,
        metavar="HOSTS",
        help="allow http(s) images (optionally only from HOST,HOST); off by default",
    )


def finish(
    args: argparse.Namespace,
    diagnostics: Sequence[Diagnostic],
    report: dict[str, object] | None = None,
) -> int:
    """Print diagnostics as asked, write the JSON report, and decide the exit code."""
    from ..report import diagnostics_report

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
        code = max(code, write_report_safely(args.json, data, github))
    return code


def progress(args: argparse.Namespace) -> Callable[[str], None] | None:
    """On a terminal, one status line that rewrites itself; elsewhere nothing."""
    if args.quiet or not sys.stderr.isatty():
        return None

    def show(stage: str) -> None:
        print(f"\rpublisher: {stage}…\033[K", end="", file=sys.stderr, flush=True)

    return show


def end_progress(shown: Callable[[str], None] | None) -> None:
    if shown is not None:
        print("\r\033[K", end="", file=sys.stderr)

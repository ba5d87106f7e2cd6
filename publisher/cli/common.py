"""What the verbs share: the reporting options, the anthology argument and finding the project,
printing diagnostics (paths as the reader opens them) and deciding the exit code, the help
layout, the progress display (console.py draws it)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from ..base.diagnostics import Diagnostic, Severity
from ..base.project import find_anthology, for_reader, project_root, repository_root
from ..base.text import counted
from .console import COLOR_CHOICES, Paint, ProgressView, progress_view
from .report_target import report_target, write_report_safely

ANTHOLOGY_HELP = (
    "the anthology file, or a folder of the project"
    " (default: found from the working directory upwards)"
)

Commands = Any  # argparse's private _SubParsersAction


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """`--help` as written (the epilog's example keeps its lines), each option's default shown
    after its help, as `ArgumentDefaultsHelpFormatter` does, but not for flags (`--strict`),
    nor for options without one (None), nor when the help already says it."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        has_default = action.default not in (None, argparse.SUPPRESS) and action.nargs != 0
        optional = action.option_strings or action.nargs in (
            argparse.OPTIONAL,
            argparse.ZERO_OR_MORE,
        )
        if has_default and optional and "default" not in text:
            text += " (default: %(default)s)"
        return text


def example(*lines: str) -> str:
    """A verb's epilog: one or more example command lines."""
    return "example:\n" + "\n".join(f"  {line}" for line in lines)


def add_color(parser: argparse.ArgumentParser, default: object = argparse.SUPPRESS) -> None:
    """`--color`: on the main parser with its default, on each verb without one (SUPPRESS), so
    `publisher --color never build` and `publisher build --color never` both work."""
    parser.add_argument(
        "--color",
        choices=COLOR_CHOICES,
        default=default,
        help="colour the output: auto = when the output is a terminal and NO_COLOR is not set"
        + (" (default: auto)" if default is argparse.SUPPRESS else ""),
    )


def reporting() -> argparse.ArgumentParser:
    """The options of every verb that reports problems (a parent parser)."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--format-messages",
        choices=("text", "github"),
        default="text",
        help="how to print problems: text (path:line:col: severity: code: message) or github "
        "(GitHub Actions annotations)",
    )
    options.add_argument(
        "--json",
        type=report_target,
        metavar="FILE",
        help="also write a JSON report to FILE (`-`: standard output; other lines then go to"
        " stderr)",
    )
    options.add_argument("--strict", action="store_true", help="treat warnings as errors")
    loudness = options.add_mutually_exclusive_group()
    loudness.add_argument(
        "-q", "--quiet", action="store_true", help="print only problems: no progress, no summary"
    )
    loudness.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="print each step as a line with the time so far, and the time each stage took",
    )
    options.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
    )
    return options


def add_anthology(command: argparse.ArgumentParser) -> None:
    """The optional positional anthology: a file or a folder; see `resolve_anthology`."""
    command.add_argument("anthology", nargs="?", type=Path, default=None, help=ANTHOLOGY_HELP)


def resolve_anthology(args: argparse.Namespace) -> Path:
    """The anthology file the command means (`base.project.find_anthology` from the working
    directory); sets `args.anthology` to it and `args.project_root` to its project's root, by
    which `finish` shows paths. Raises ProjectNotFound (main: exit 2)."""
    args.anthology = find_anthology(args.anthology, Path.cwd())
    args.project_root = project_root(args.anthology)
    return Path(args.anthology)


def here(path: Path | str) -> str:
    """A path to print (an output, the anthology file) as `for_reader` shows it from the
    working directory."""
    return for_reader(os.path.abspath(path), Path.cwd(), Path.cwd())


def _hosts(value: str) -> frozenset[str]:
    if "/" in value or value.endswith(".toml"):
        raise argparse.ArgumentTypeError(
            f"`{value}` is not a host list: write --allow-remote=HOST,HOST (with `=`)"
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


def count_line(diagnostics: Sequence[Diagnostic]) -> str | None:
    """`publisher: 2 errors, 1 warning` (only the kinds there are); None when there is none."""
    counts = [
        (sum(d.severity is severity for d in diagnostics), name)
        for severity, name in ((Severity.ERROR, "error"), (Severity.WARNING, "warning"))
    ]
    said = [counted(count, name) for count, name in counts if count]
    return f"publisher: {', '.join(said)}" if said else None


def finish(
    args: argparse.Namespace,
    diagnostics: Sequence[Diagnostic],
    report: dict[str, object] | None = None,
    made: Callable[[], None] | None = None,
) -> int:
    """Print diagnostics as asked, then `made` (what the command prints of what it made: the
    files written, each book of a catalogue), then the count line last, as ruff and MkDocs end
    with their summary; write the JSON report, and decide the exit code."""
    from ..report import diagnostics_report

    if getattr(args, "strict", False):
        diagnostics = [
            replace(d, severity=Severity.ERROR) if d.severity is Severity.WARNING else d
            for d in diagnostics
        ]
    ordered = sorted(diagnostics)
    github = getattr(args, "format_messages", "text") == "github"
    paint = Paint.for_stream(getattr(args, "color", "auto"), sys.stderr)
    for diagnostic in _for_reader(problems_only(ordered, args), args, github):
        line = (
            diagnostic.format_github()
            if github
            else paint.diagnostic(diagnostic, diagnostic.format())
        )
        print(line, file=sys.stderr)
    if made is not None:
        sys.stderr.flush()
        made()
        sys.stdout.flush()  # on one screen, what was made shows before the count below it
    errors = sum(d.severity is Severity.ERROR for d in ordered)
    if not getattr(args, "quiet", False) and (tally := count_line(ordered)):
        name, counts = tally.split(": ", 1)  # the counts coloured, as the severity words are
        shown = counts if github else paint(counts, "error" if errors else "warning")
        print(f"{name}: {shown}", file=sys.stderr)
    code = 1 if errors else 0
    if getattr(args, "json", None) is not None:
        data = report or diagnostics_report(ordered, args.command, code)
        data["exit_code"] = code
        code = max(code, write_report_safely(args.json, data, github))
    return code


def problems_only(
    diagnostics: Sequence[Diagnostic], args: argparse.Namespace
) -> Sequence[Diagnostic]:
    """The diagnostics to print: with `--quiet`, the warnings and errors alone (no notices such
    as `cover-wrap`); the JSON report keeps them all."""
    if not getattr(args, "quiet", False):
        return diagnostics
    return [d for d in diagnostics if d.severity is not Severity.INFO]


def progress(args: argparse.Namespace) -> ProgressView | None:
    """The progress display the options ask for, on standard error (console.py): a live line
    on a terminal, plain lines with `--verbose`, None (nothing) otherwise or with `--quiet`."""
    quiet, verbose = getattr(args, "quiet", False), getattr(args, "verbose", False)
    return progress_view(getattr(args, "color", "auto"), quiet, verbose)


def _for_reader(
    diagnostics: Sequence[Diagnostic], args: argparse.Namespace, github: bool
) -> list[Diagnostic]:
    """Diagnostics name files relative to the project root (or absolutely): printed, they are
    relative to the working directory, or for GitHub annotations to the repository's root;
    the paths their messages name (`Diagnostic.names`) as their locations are."""
    cwd = Path.cwd()
    root = getattr(args, "project_root", None) or cwd
    base = repository_root(cwd, os.environ.get("GITHUB_WORKSPACE")) if github else cwd
    return [d.relocated(lambda path: for_reader(path, root, base)) for d in diagnostics]


def paint(args: argparse.Namespace, stream: TextIO | None = None) -> Paint:
    """Colours for the summary lines, on standard output unless `stream` is given."""
    return Paint.for_stream(getattr(args, "color", "auto"), stream or sys.stdout)

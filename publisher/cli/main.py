"""`publisher`: parse the arguments, run the verb, turn failures into exit codes."""

from __future__ import annotations

import argparse
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from .. import __version__
from ..base.diagnostics import BuildFailed
from ..base.project import ProjectNotFound
from . import build, check, init, listing, new, package, serve, validate
from .common import HelpFormatter, add_color, example, finish
from .report_target import human_lines, refused_report

VERBS = (init, build, check, validate, listing, new, serve, package)


class _Terminated(KeyboardInterrupt):
    """SIGTERM as an exception, so every `finally` (temp files of half-written outputs) runs."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated()


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    refused = refused_report(args)  # before any work: a report path not ours to replace
    if refused:
        args.json = None
        return finish(args, refused)
    previous = _install(signal.SIGTERM, _on_sigterm)
    try:
        with human_lines(args):  # `--json -`: the report alone on standard output
            code: int = args.run(args)
        return code
    except BuildFailed as failure:
        return finish(args, failure.diagnostics)
    except ProjectNotFound as missing:  # no book here: a usage error, saying how to make one
        print(f"publisher: error: {missing}", file=sys.stderr)
        return 2
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="publisher",
        description="Turn a folder of film-review manuscripts into an anthology: "
        "HTML, print and screen PDF, EPUB 3.",
        epilog=example("publisher build", "publisher serve --open")
        + "\n\nrun `publisher COMMAND --help` for a command's options",
        formatter_class=HelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"publisher {__version__}", help="print the version"
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    add_color(parser, default="auto")
    commands = parser.add_subparsers(
        dest="command", required=True, title="commands", metavar="COMMAND"
    )
    for verb in VERBS:
        verb.register(commands)
    for command in commands.choices.values():
        command.formatter_class = HelpFormatter
        add_color(command)
    return parser

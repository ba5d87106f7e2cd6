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
from . import build, check, listing, new, serve, validate
from .common import finish
from .report_target import human_lines, refused_report

VERBS = (build, check, validate, listing, new, serve)


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
    )
    parser.add_argument("--version", action="version", version=f"publisher {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    commands = parser.add_subparsers(dest="command", required=True)
    for verb in VERBS:
        verb.register(commands)
    return parser

"""`publisher serve`: a live preview of the HTML edition."""

from __future__ import annotations

import argparse

from .common import Commands, add_anthology, example, resolve_anthology

DEFAULT_PORT = 8000  # as ..serve.DEFAULT_PORT (not imported: http.server only for this command)


def register(commands: Commands) -> None:
    command = commands.add_parser(
        "serve",
        help="live preview of the HTML edition",
        description="Build the web edition, serve it, and rebuild and reload the page whenever\n"
        "a manuscript, the anthology file or the theme changes. Ctrl-C stops it.",
        epilog=example("publisher serve --open"),
    )
    add_anthology(command)
    command.add_argument(
        "-p",
        "--port",
        type=int,
        help=f"the port to listen on (default: {DEFAULT_PORT}, or the next free one when it is "
        "taken; a port given here must be free)",
    )
    command.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on (the default, 127.0.0.1, is this machine only)",
    )
    command.add_argument("--open", action="store_true", help="open the preview in the web browser")
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..serve import serve  # watchfiles and http.server only for this command

    code: int = serve(
        resolve_anthology(args), host=args.host, port=args.port, open_browser=args.open
    )
    return code

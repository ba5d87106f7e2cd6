"""`publisher serve`: a live preview of the HTML edition."""

from __future__ import annotations

import argparse

from .common import Commands, add_anthology, resolve_anthology


def register(commands: Commands) -> None:
    command = commands.add_parser("serve", help="live preview of the HTML edition")
    add_anthology(command)
    command.add_argument("--port", type=int, default=8000)
    command.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1 (this machine)")
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..serve import serve  # watchfiles and http.server only for this command

    code: int = serve(resolve_anthology(args), host=args.host, port=args.port)
    return code

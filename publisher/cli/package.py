"""`publisher package`: the retailer and library package (publisher/package.py does the work)."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path

from .common import (
    Commands,
    add_allow_remote,
    add_anthology,
    example,
    finish,
    here,
    paint,
    progress,
    resolve_anthology,
)
from .common import reporting as reporting_options


def register(commands: Commands) -> None:
    command = commands.add_parser(
        "package",
        parents=[reporting_options()],
        help="make the retailer package: EPUB, cover JPEG, print PDFs, ONIX, checksums",
        description="Build what a store, a distributor or a library takes in one delivery:\n"
        "the EPUB, the cover as a 1600 px wide JPEG, the print interior and its cover wrap,\n"
        "an ONIX for Books 3.0 record and a SHA-256 manifest, named by ISBN, in\n"
        "<slug>-package/ (or .zip). Missing ISBNs (and prices with --priced) are reported\n"
        "before anything is written.",
        epilog=example("publisher package --zip", "publisher package --epub-only --priced"),
    )
    add_anthology(command)
    command.add_argument(
        "-o",
        "--out",
        type=Path,
        default=None,
        help="output folder, relative to the working directory"
        " (default: the anthology's `output_dir`, else dist/ in the project)",
    )
    command.add_argument("--zip", action="store_true", help="write <slug>-package.zip")
    command.add_argument(
        "--epub-only", action="store_true", help="the EPUB alone: no print PDF nor cover wrap"
    )
    command.add_argument(
        "--priced", action="store_true", help="require a price for each product form ([prices])"
    )
    command.add_argument(
        "--validate",
        action="store_true",
        help="run EPUBCheck, Ace and the PDF checks as build --validate does;"
        " a validator's error stops the package",
    )
    add_allow_remote(command)
    command.add_argument("--clean", action="store_true", help="ignore the build cache")
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..package import PackageRequest, make_package
    from ..report import package_report

    anthology = resolve_anthology(args)
    view = progress(args)
    request = PackageRequest(
        anthology,
        args.out.absolute() if args.out is not None else None,
        zip=args.zip,
        epub_only=args.epub_only,
        priced=args.priced,
        validate=args.validate,
        clean=args.clean,
        progress=view,
        allow_remote=args.allow_remote,
    )
    with view or contextlib.nullcontext():
        result = make_package(request)
    code = finish(args, result.diagnostics, package_report(result, 0))
    if not args.quiet and result.path is not None:
        size = f"{result.bytes / 1_000_000:.1f} MB"
        files = f"{len(result.files)} files"
        print(f"{paint(args)('package:', 'good')} {here(result.path)} ({files}, {size})")
    return code

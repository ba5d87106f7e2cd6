"""The machine-readable build report (`--json FILE`, or `--json -` for standard output)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from . import __version__
from .base.diagnostics import Diagnostic
from .base.files import write_bytes_atomically
from .chunk_tally import ChunkCount
from .package import PackageResult
from .pipeline import BuildResult
from .validation import ValidatorResult


def validator_json(result: ValidatorResult) -> dict[str, object]:
    return {
        "validator": result.validator,
        "target": str(result.target),
        "ok": result.ok,
        "counts": dict(result.counts),
        "diagnostics": [d.to_json() for d in result.diagnostics],
    }


def build_report(result: BuildResult, command: str, exit_code: int) -> dict[str, object]:
    return {
        "publisher": __version__,
        "command": command,
        "exit_code": exit_code,
        "up_to_date": result.up_to_date,
        "outputs": [
            {
                "path": str(output.path),
                "format": output.format,
                "target": output.target,
                "bytes": output.bytes,
                "sha256": output.sha256,
                "pages": output.pages,
                "cached": output.cached,
                "chunks": _chunks(output.chunks),
            }
            for output in result.outputs
        ],
        "diagnostics": [d.to_json() for d in result.diagnostics],
        "validators": [validator_json(v) for v in result.validators],
        "stages": {stage.name: stage.seconds for stage in result.stages},
        "cache": {
            "outputs_reused": sum(output.cached for output in result.outputs),
            "outputs_built": sum(not output.cached for output in result.outputs),
            "fragments_reused": result.fragments_reused,
        },
    }


def _chunks(count: ChunkCount | None) -> dict[str, int] | None:
    """A PDF's chunks laid out and reused in this build (chunk_tally.py); None: not laid out
    in chunks in this build (up to date, laid out whole, or not a PDF)."""
    if count is None:
        return None
    return {"laid_out": count.laid_out, "reused": count.reused}


def diagnostics_report(
    diagnostics: Sequence[Diagnostic],
    command: str,
    exit_code: int,
    validators: Sequence[ValidatorResult] = (),
) -> dict[str, object]:
    return {
        "publisher": __version__,
        "command": command,
        "exit_code": exit_code,
        "diagnostics": [d.to_json() for d in diagnostics],
        "validators": [validator_json(v) for v in validators],
    }


def write_report(target: Path | TextIO, report: dict[str, object]) -> None:
    """`report` as indented JSON (UTF-8, one final newline): onto a file path atomically, or
    into an open text stream (`--json -`: standard output). Raises ForeignOutput when the path
    is not absent or a regular file (`base/files.py`: left as it is), OSError when it cannot
    be written."""
    text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    if isinstance(target, Path):
        write_bytes_atomically(target, text.encode("utf-8"))
    else:
        target.write(text)
        target.flush()


def package_report(result: PackageResult, exit_code: int) -> dict[str, object]:
    """`publisher package --json`: the build's report (its outputs, diagnostics, stages) and
    the package: its path (None when nothing was written), files and total bytes."""
    report = (
        build_report(result.build, "package", exit_code)
        if result.build is not None
        else diagnostics_report(result.diagnostics, "package", exit_code)
    )
    report["diagnostics"] = [d.to_json() for d in result.diagnostics]
    report["package"] = {
        "path": str(result.path) if result.path is not None else None,
        "bytes": result.bytes,
        "files": [{"name": f.name, "bytes": f.bytes, "sha256": f.sha256} for f in result.files],
    }
    return report

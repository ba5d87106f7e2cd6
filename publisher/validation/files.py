"""Run the right validators on each built file, by its kind."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from publisher.diagnostics import Severity

from . import ValidatorResult, diag, make_result
from .epub import run_ace, run_epubcheck
from .glyphs import check_glyphs
from .pdf import check_pdf


def validate_files(paths: Sequence[Path]) -> tuple[ValidatorResult, ...]:
    results: list[ValidatorResult] = []
    for path in paths:
        suffix = path.suffix.lower()
        if not path.is_file():
            problem = diag(
                Severity.ERROR, path, "validate-missing-file", "no such file", "publisher"
            )
            results.append(make_result("publisher", path, [problem]))
        elif suffix == ".epub":
            results.append(run_epubcheck(path))
            with tempfile.TemporaryDirectory(prefix="ace-") as workdir:
                results.append(run_ace(path, Path(workdir)))
        elif suffix == ".pdf":
            results.append(check_pdf(path))
            results.append(check_glyphs(path))
    return tuple(results)

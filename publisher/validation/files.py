"""Run the right validators on each built file, by its kind."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..base.diagnostics import Severity
from ..base.model import Anthology
from .epub import run_ace, run_epubcheck
from .glyphs import check_glyphs
from .pdf import check_pdf
from .runner import ValidatorResult, diag, make_result

if TYPE_CHECKING:
    from .manuscript_words import Section

EDITION_SUFFIXES = frozenset({".pdf", ".epub", ".html"})


def validate_files(
    paths: Sequence[Path], anthology: Anthology | None = None
) -> tuple[ValidatorResult, ...]:
    """EPUBCheck and Ace on EPUBs, qpdf and pdffonts on PDFs; with `anthology`, the text
    fidelity check too on each of its editions (files named after its slug: `{slug}.html`,
    `{slug}.pdf`, `{slug}-print.pdf`, `{slug}.epub`, as the pipeline writes them)."""
    results: list[ValidatorResult] = []
    sections: tuple[Section, ...] | None = None
    for path in paths:
        suffix = path.suffix.lower()
        if not path.is_file():
            problem = diag(
                Severity.ERROR, path, "validate-missing-file", "no such file", "publisher"
            )
            results.append(make_result("publisher", path, [problem]))
            continue
        if suffix == ".epub":
            results.append(run_epubcheck(path))
            with tempfile.TemporaryDirectory(prefix="ace-") as workdir:
                results.append(run_ace(path, Path(workdir)))
        elif suffix == ".pdf":
            results.append(check_pdf(path))
            results.append(check_glyphs(path))
        if anthology is not None and _edition_of(path, anthology):
            # Imported here: a build that does not validate need not load a Markdown parser.
            from .fidelity import check_file
            from .manuscript_words import book_streams

            sections = sections if sections is not None else book_streams(anthology)
            results.append(check_file(sections, path))
    return tuple(results)


def _edition_of(path: Path, anthology: Anthology) -> bool:
    slug = anthology.spec.slug
    return path.suffix.lower() in EDITION_SUFFIXES and path.stem in (slug, f"{slug}-print")

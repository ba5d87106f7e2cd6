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

EDITION_SUFFIXES = frozenset({".pdf", ".epub", ".html", ".htm", ".xhtml"})


def validate_files(
    paths: Sequence[Path], anthology: Anthology | None = None, *, any_name: bool = False
) -> tuple[ValidatorResult, ...]:
    """EPUBCheck and Ace on EPUBs, qpdf and pdffonts on PDFs; with `anthology`, the text
    fidelity check too on each edition (`.pdf`, `.epub`, `.html`): with `any_name`, whatever
    the file is called (files the user named, to compare with the anthology the user named);
    without, only on files named after its slug (`{slug}.html`, `{slug}.pdf`,
    `{slug}-print.pdf`, `{slug}.epub`, as the pipeline writes them). A file left without a
    check gets an INFO diagnostic saying why (`validate-skipped`, `fidelity-skipped`)."""
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
        checked = len(results)
        if suffix == ".epub":
            results.append(run_epubcheck(path))
            with tempfile.TemporaryDirectory(prefix="ace-") as workdir:
                results.append(run_ace(path, Path(workdir)))
        elif suffix == ".pdf":
            results.append(check_pdf(path))
            results.append(check_glyphs(path))
        if anthology is not None and suffix in EDITION_SUFFIXES:
            if any_name or _named_after(path, anthology):
                # Imported here: a build that does not validate need not load a Markdown parser.
                from .fidelity import check_file
                from .manuscript_words import book_streams

                sections = sections if sections is not None else book_streams(anthology)
                results.append(check_file(sections, path))
            else:
                slug = anthology.spec.slug
                why = (f"not checked for text fidelity: not named after the anthology "
                       f"(`{slug}.pdf`, `{slug}-print.pdf`, `{slug}.epub`, `{slug}.html`); "
                       f"give `--anthology` to compare it whatever its name")  # fmt: skip
                skipped = diag(Severity.INFO, path, "fidelity-skipped", why, "publisher")
                results.append(make_result("publisher", path, [skipped]))
        if len(results) == checked:
            why = f"no check for `{suffix or path.name}` files" + (
                " without an anthology" if suffix in EDITION_SUFFIXES else ""
            )
            skipped = diag(Severity.INFO, path, "validate-skipped", why, "publisher")
            results.append(make_result("publisher", path, [skipped]))
    return tuple(results)


def _named_after(path: Path, anthology: Anthology) -> bool:
    slug = anthology.spec.slug
    return path.stem in (slug, f"{slug}-print")

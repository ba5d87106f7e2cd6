"""Run the right validators on each built file, by its kind."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..base.diagnostics import Severity
from ..base.model import Anthology
from ..base.progress import Progress, ProgressCallback
from .epub import run_ace, run_epubcheck
from .glyphs import check_glyphs
from .pdf import check_pdf
from .runner import ValidatorResult, diag, make_result
from .wrap import check_pdfx, check_wrap, declares_pdfx

if TYPE_CHECKING:
    from .manuscript_words import Section

EDITION_SUFFIXES = frozenset({".pdf", ".epub", ".html", ".htm", ".xhtml"})


@dataclass(frozen=True)
class _Job:
    """One validator to run on one file; `name` as the progress messages say it."""

    name: str
    path: Path
    run: Callable[[], ValidatorResult]


def validate_files(
    paths: Sequence[Path],
    anthology: Anthology | None = None,
    *,
    any_name: bool = False,
    progress: ProgressCallback | None = None,
) -> tuple[ValidatorResult, ...]:
    """EPUBCheck and Ace on EPUBs, qpdf and pdffonts on PDFs, and on the cover wrap
    (`{slug}-cover.pdf`) its boxes and PDF/X (wrap.py) instead of the text fidelity check;
    the PDF/X check (`check_pdfx`) on the print PDF of an anthology asking for PDF/X and on
    any other PDF that says it is PDF/X;
    with `anthology`, the text
    fidelity check too on each edition (`.pdf`, `.epub`, `.html`): with `any_name`, whatever
    the file is called (files the user named, to compare with the anthology the user named);
    without, only on files named after its slug (`{slug}.html`, `{slug}.pdf`,
    `{slug}-print.pdf`, `{slug}.epub`, as the pipeline writes them). A file left without a
    check gets an INFO diagnostic saying why (`validate-skipped`, `fidelity-skipped`).

    `progress` (base/progress.py) is told, stage `validate`, as each validator starts
    ("EPUBCheck on book.epub (0/5 validators)") and ends ("EPUBCheck done (1/5 validators)"),
    in the order of the results; the results are the same with or without it."""
    plan: list[_Job | ValidatorResult] = []
    state = _Fidelity(anthology)
    for path in paths:
        plan.extend(_jobs(path, state, any_name))
    total = sum(isinstance(job, _Job) for job in plan)
    results: list[ValidatorResult] = []
    done = 0
    for job in plan:
        if not isinstance(job, _Job):
            results.append(job)
            continue
        if progress is not None:
            progress(
                Progress("validate", f"{job.name} on {job.path.name}", done, total, "validators")
            )
        results.append(job.run())
        done += 1
        if progress is not None:
            progress(Progress("validate", f"{job.name} done", done, total, "validators"))
    return tuple(results)


class _Fidelity:
    """The manuscripts' text, read once, the first time an edition is compared with it."""

    def __init__(self, anthology: Anthology | None) -> None:
        self.anthology = anthology
        self._sections: tuple[Section, ...] | None = None

    def check(self, path: Path) -> ValidatorResult:
        # Imported here: a build that does not validate need not load a Markdown parser.
        from .fidelity import check_file
        from .manuscript_words import book_streams

        assert self.anthology is not None
        if self._sections is None:
            self._sections = book_streams(self.anthology)
        return check_file(self._sections, path)


def _jobs(path: Path, fidelity: _Fidelity, any_name: bool) -> list[_Job | ValidatorResult]:
    """What to run on `path`, in order; a result already known (a missing file, a file left
    unchecked and why) stands in the list as it is."""
    suffix = path.suffix.lower()
    if not path.is_file():
        problem = diag(Severity.ERROR, path, "validate-missing-file", "no such file", "publisher")
        return [make_result("publisher", path, [problem])]
    jobs: list[_Job | ValidatorResult] = []
    if suffix == ".epub":
        jobs.append(_Job("EPUBCheck", path, lambda: run_epubcheck(path)))
        jobs.append(_Job("Ace", path, lambda: _ace(path)))
    elif suffix == ".pdf":
        jobs.append(_Job("qpdf and pdffonts", path, lambda: check_pdf(path)))
        jobs.append(_Job("the glyph check", path, lambda: check_glyphs(path)))
    anthology = fidelity.anthology
    wrap = _is_wrap(path, anthology)
    if wrap:  # no book text to compare: its own print checks instead
        variant = anthology.spec.pdf_variant if anthology is not None else None
        jobs.append(_Job("the cover wrap check", path, lambda: check_wrap(path, variant)))
    elif suffix == ".pdf":
        asked = _pdfx_asked(path, anthology)
        if asked or declares_pdfx(path):  # a file that claims PDF/X is held to it
            jobs.append(_Job("the PDF/X check", path, lambda: check_pdfx(path, asked)))
    if not wrap and anthology is not None and suffix in EDITION_SUFFIXES:
        if any_name or _named_after(path, anthology):
            jobs.append(_Job("the text fidelity check", path, lambda: fidelity.check(path)))
        else:
            slug = anthology.spec.slug
            why = (f"not checked for text fidelity: not named after the anthology "
                   f"(`{slug}.pdf`, `{slug}-print.pdf`, `{slug}.epub`, `{slug}.html`); "
                   f"give `--anthology` to compare it whatever its name")  # fmt: skip
            skipped = diag(Severity.INFO, path, "fidelity-skipped", why, "publisher")
            jobs.append(make_result("publisher", path, [skipped]))
    if not jobs:
        why = f"no check for `{suffix or path.name}` files" + (
            " without an anthology" if suffix in EDITION_SUFFIXES else ""
        )
        skipped = diag(Severity.INFO, path, "validate-skipped", why, "publisher")
        jobs.append(make_result("publisher", path, [skipped]))
    return jobs


def _ace(path: Path) -> ValidatorResult:
    with tempfile.TemporaryDirectory(prefix="ace-") as workdir:
        return run_ace(path, Path(workdir))


def _is_wrap(path: Path, anthology: Anthology | None) -> bool:
    """The cover wrap, as the pipeline names it: `{slug}-cover.pdf` (any `*-cover.pdf`
    without an anthology to name the slug), or as a retailer package does: `<isbn>_cover.pdf`."""
    if anthology is not None:
        return path.name == f"{anthology.spec.slug}-cover.pdf"
    return path.name.lower().endswith(("-cover.pdf", "_cover.pdf"))


def _pdfx_asked(path: Path, anthology: Anthology | None) -> str | None:
    """The anthology's `pdf_variant` when it is PDF/X and `path` is its print PDF
    (`{slug}-print.pdf`), else None. Any other PDF (a package's `<isbn>_interior.pdf`) gets
    the PDF/X check only when it says it is PDF/X (`declares_pdfx`)."""
    asked = anthology.spec.pdf_variant if anthology is not None else None
    if asked and asked.startswith("pdf/x") and path.stem.endswith("-print"):
        return asked
    return None


def _named_after(path: Path, anthology: Anthology) -> bool:
    slug = anthology.spec.slug
    return path.stem in (slug, f"{slug}-print")

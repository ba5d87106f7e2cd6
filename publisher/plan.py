"""What a build makes, before anything is read or written: each output (edition, path, cache
key), where the output folder is, and where the web and EPUB editions' print page numbers come
from (the print PDF of this build, or the pagination the cache kept with a current one).
"""

from __future__ import annotations

import dataclasses
import enum
import os
from dataclasses import KW_ONLY, dataclass
from pathlib import Path

from .base.diagnostics import BuildFailed, Diagnostic, error, warning
from .base.digests import digest, package_digest
from .base.model import AnthologySpec
from .base.progress import ProgressCallback
from .base.project import source_epoch
from .base.rendered import Pagination, Target
from .cache import BuildCache, CachedOutput
from .export.staging import ForeignOutput, check_replaceable


class Format(enum.Enum):
    HTML = "html"
    PDF = "pdf"
    EPUB = "epub"


# Which rendered targets each format needs, and the file each target becomes.
TARGETS: dict[Format, tuple[Target, ...]] = {
    Format.HTML: (Target.WEB,),
    Format.PDF: (Target.SCREEN_PDF, Target.PRINT_PDF),
    Format.EPUB: (Target.EPUB,),
}
# Editions that carry the print PDF's page numbers when the build makes it (the print profile's
# layout is their source: without it they say nothing about print pages).
# The cover wrap's spine is as wide as the print PDF has pages, so it is made after it too.
PAGINATED = frozenset({Target.WEB, Target.EPUB, Target.COVER})
FILE_NAMES: dict[Target, str] = {
    Target.WEB: "{slug}.html",
    Target.SCREEN_PDF: "{slug}.pdf",
    Target.PRINT_PDF: "{slug}-print.pdf",
    Target.EPUB: "{slug}.epub",
    Target.COVER: "{slug}-cover.pdf",
}


@dataclass(frozen=True)
class BuildRequest:
    anthology: Path
    formats: frozenset[Format]
    out_dir: Path | None  # None: the anthology's `output_dir`, else `dist/` in the project root
    _: KW_ONLY
    clean: bool = False  # ignore what the cache holds (and refresh it)
    cache: bool = True  # False: neither read nor write `.publisher-cache/` (library callers, tests)
    validate: bool = False  # run EPUBCheck, Ace and the PDF checks on what was built
    # Told each step as it starts or ends (base/progress.py: stage, words, done/total).
    progress: ProgressCallback | None = None
    allow_remote: frozenset[str] | None = None  # `--allow-remote`: see access.Access
    # `--format cover`: the print-on-demand cover wrap, and the print PDF it is measured from.
    cover: bool = False
    # The print PDF alone, for the page numbers of the other editions (`package --epub-only`).
    print_pdf: bool = False

    def claims(self, spec: AnthologySpec) -> bool:
        """The EPUB is written with the validators' accessibility claim, for them to judge
        (validation/claim.py): `--validate`, and no `[accessibility]` table declared."""
        return self.validate and spec.accessibility is None

    # `--workers`: processes laying out the PDFs in chunks (None: one per core; the bytes are
    # the same for any number).
    workers: int | None = None

    @property
    def printed(self) -> bool:
        """The build lays out the print PDF (`pdf`, or the cover wrap's page count)."""
        return Format.PDF in self.formats or self.cover or self.print_pdf


@dataclass(frozen=True)
class Planned:
    target: Target
    format: Format
    path: Path
    key: str


def output_dir(spec: AnthologySpec, given: Path | None) -> Path:
    """Where a build writes, absolute: `given` (relative to the working directory), else the
    anthology's `output_dir`, else `dist/` in the project root. Absolute, so the cache (in the
    project root, keyed by output path) keeps outputs in different folders apart."""
    chosen = given if given is not None else spec.output_dir or spec.root / "dist"
    return Path(os.path.abspath(chosen))


@dataclass(frozen=True)
class PrintPages:
    """Where this build's web and EPUB editions get print page numbers from."""

    carried: bool  # they carry them: the print PDF is in the build, or `kept`
    kept: Pagination | None  # recorded with a print PDF still current: nothing to lay out
    downgrades: tuple[Diagnostic, ...]  # `edition-unpaginated`: page numbers this build drops


def print_pages(
    spec: AnthologySpec, request: BuildRequest, cache: BuildCache
) -> tuple[list[Planned], PrintPages]:
    """The plan, keyed for what the editions will carry, and where their page numbers come
    from. The print PDF's pagination, recorded in the cache with it, is kept while that PDF
    is current for these inputs (`cache.pagination`), with or without `pdf` in the build.
    When neither the build (no `pdf`) nor the cache gives them, the web and EPUB editions are
    made without page numbers, and each that replaces one the cache knows had them gets the
    warning `edition-unpaginated`, saying how to keep them. Source of the rule: issue 14 (a
    build never silently downgrades an edition)."""
    everything = plan_outputs(spec, dataclasses.replace(request, formats=frozenset(Format)), True)
    full = {item.target: item for item in everything}
    kept = cache.pagination(full[Target.PRINT_PDF].path, full[Target.PRINT_PDF].key)
    carried = request.printed or kept is not None
    plan = plan_outputs(spec, request, carried)
    dropped = [
        item
        for item in plan
        if not carried
        and item.target in PAGINATED
        and str(item.path) in cache.outputs
        and _had_print_pages(cache.outputs[str(item.path)], full[item.target].key)
    ]
    fix = ",".join(f.value for f in Format if f in request.formats or f is Format.PDF)
    print_name = full[Target.PRINT_PDF].path.name
    downgrades = tuple(
        warning(
            item.path,
            0,
            "edition-unpaginated",
            f"this build replaces {item.path.name} by an edition without the print page"
            f" numbers it had (page markers, page-list, the indexes' pages): they come from"
            f" the print PDF's layout, and {print_name} is not current for these sources;"
            f" to keep them, build with pdf too: publisher build --format {fix}",
        )
        for item in dropped
    )
    return plan, PrintPages(carried, kept, downgrades)


def _had_print_pages(made: CachedOutput, paginated_key: str) -> bool:
    """The edition in place carries print page numbers: recorded so, or (a manifest from
    before that was recorded) made with the settings of a paginated build. Recorded, it holds
    whatever else changed since (SOURCE_DATE_EPOCH, `--allow-remote`)."""
    return made.print_pages or made.key == paginated_key


def refuse_foreign(plan: list[Planned]) -> None:
    """An output path that holds a folder or a symlink is not ours: stop before any work."""
    found = []
    for item in plan:
        try:
            check_replaceable(item.path)
        except ForeignOutput as foreign:
            found.append(error(item.path, 0, "output-not-a-file", foreign.advice))
    if found:
        raise BuildFailed(tuple(found))


def plan_outputs(
    spec: AnthologySpec, request: BuildRequest, pages: bool | None = None
) -> list[Planned]:
    """Each output and the key of the settings it depends on (`pages`: the web and EPUB
    editions carry the print page numbers; by default when the build makes the print PDF).
    The files a build reads are not in the key: the cache keeps the list the gate recorded and
    re-checks those (cache.fresh)."""
    if pages is None:
        pages = request.printed
    inputs = digest(
        "inputs-as-read/1",  # manifests from before the recorded inputs never match
        package_digest(),
        source_epoch(),
        # Remote images change what a build may fetch, so they change what it makes.
        "remote:" + ",".join(sorted(request.allow_remote or ())),
        "remote-allowed" if request.allow_remote is not None else "remote-refused",
    )
    plan: list[Planned] = []
    wanted = [(f, t) for f in Format if f in request.formats for t in TARGETS[f]]
    if request.cover:  # a PDF, reported as such; the print PDF once, with `pdf` or without
        wanted += [(Format.PDF, t) for t in (Target.PRINT_PDF, Target.COVER)]
    elif request.print_pdf:
        wanted += [(Format.PDF, Target.PRINT_PDF)]
    for target, format_ in dict((t, f) for f, t in wanted).items():
        path = output_dir(spec, request.out_dir) / FILE_NAMES[target].format(slug=spec.slug)
        # The EPUB and web edition carry the print page numbers when `pages`.
        marks: tuple[str, ...] = ("print-pages",) if pages and target in PAGINATED else ()
        # An EPUB made to carry the validators' claim is never reused by a build that does not
        # validate, nor the reverse (the pipeline also rebuilds it on every validated build).
        if target is Target.EPUB and request.claims(spec):
            marks += ("a11y-claim",)
        plan.append(Planned(target, format_, path, digest(inputs, target.value, path.name, *marks)))
    return plan

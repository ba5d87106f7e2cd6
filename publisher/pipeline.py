"""The build recipe: gather everything, then write. `build()` wires the stages in order.

Length: the recipe and the bookkeeping it needs (plan, cache keys, staging, the print-first
pass) read best in one file; the exporters' dispatch is the next piece to leave it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import time
from collections.abc import Callable, Iterator
from dataclasses import KW_ONLY, dataclass
from pathlib import Path
from typing import NamedTuple

from .assemble import assemble
from .base.access import Access
from .base.book import Pagination, RenderedBook, Target
from .base.diagnostics import BuildFailed, Diagnostic, error, has_errors, warning
from .base.digests import digest, file_sha256, package_digest
from .base.gate import recording
from .base.links import link_table
from .base.model import Anthology, AnthologySpec
from .base.project import project_root, source_epoch, today
from .base.theme import theme_for
from .cache import BuildCache
from .export.staging import ForeignOutput, Staging, check_replaceable, recover
from .load import intro_outline, load_anthology_spec, load_manuscripts
from .render import FragmentStore, render_book, survey
from .validation import ValidatorResult
from .validation.files import validate_files


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
PAGINATED = frozenset({Target.WEB, Target.EPUB})
FILE_NAMES: dict[Target, str] = {
    Target.WEB: "{slug}.html",
    Target.SCREEN_PDF: "{slug}.pdf",
    Target.PRINT_PDF: "{slug}-print.pdf",
    Target.EPUB: "{slug}.epub",
}


@dataclass(frozen=True)
class BuildRequest:
    anthology: Path
    formats: frozenset[Format]
    out_dir: Path
    _: KW_ONLY
    clean: bool = False  # ignore what the cache holds (and refresh it)
    cache: bool = True  # False: neither read nor write `.publisher-cache/` (library callers, tests)
    validate: bool = False  # run EPUBCheck, Ace and the PDF checks on what was built
    progress: Callable[[str], None] | None = None  # told the name of each stage as it starts
    allow_remote: frozenset[str] | None = None  # `--allow-remote`: see fetch.Access


@dataclass(frozen=True)
class Output:
    path: Path
    format: str
    target: str
    bytes: int
    sha256: str
    pages: int | None
    cached: bool  # up to date: not rebuilt


@dataclass(frozen=True)
class StageTime:
    name: str
    seconds: float


@dataclass(frozen=True)
class BuildResult:
    outputs: tuple[Output, ...]
    diagnostics: tuple[Diagnostic, ...]
    validators: tuple[ValidatorResult, ...] = ()
    stages: tuple[StageTime, ...] = ()
    fragments_reused: int = 0

    @property
    def up_to_date(self) -> bool:
        return bool(self.outputs) and all(output.cached for output in self.outputs)


@dataclass(frozen=True)
class _Planned:
    target: Target
    format: Format
    path: Path
    key: str


class _Exported(NamedTuple):
    pages: int | None  # PDFs
    diagnostics: tuple[Diagnostic, ...]
    pagination: Pagination | None = None  # the print PDF's


def load(
    anthology_file: Path, allow_remote: frozenset[str] | None = None
) -> tuple[Anthology, tuple[Diagnostic, ...]]:
    """Load, validate and assemble. Raises BuildFailed with every problem found."""
    root = project_root(anthology_file)
    spec = load_anthology_spec(anthology_file, root)
    spec = dataclasses.replace(spec, allow_remote=allow_remote)
    loaded = load_manuscripts(
        root, spec.reviews_dir, spec.reviews_dir.parent / "front", spec.lang, today(), survey,
        Access.for_spec(spec), theme_for(spec).directories,
    )  # fmt: skip
    if has_errors(loaded.diagnostics):
        # Selection problems are worth reporting too, over whatever did load.
        try:
            assemble(spec, loaded.reviews, loaded.front)
        except BuildFailed as more:
            # Not `no-reviews`: reviews that failed to load are already reported.
            found = tuple(d for d in more.diagnostics if d.code != "no-reviews")
            raise BuildFailed(loaded.diagnostics + found) from None
        raise BuildFailed(loaded.diagnostics)
    anthology = assemble(spec, loaded.reviews, loaded.front)
    # Links need the assembled book: which reviews it holds, every heading's id.
    placed = {part.id for part in anthology.parts}
    intros = tuple(
        (f"part-{part.id}", intro_outline(part.intro, part.line, survey))
        for part in spec.parts
        if part.intro and part.id in placed
    )
    table, found = link_table(anthology, loaded.reviews + loaded.front, intros)
    if has_errors(found):
        raise BuildFailed(loaded.diagnostics + found)
    return dataclasses.replace(anthology, links=table), loaded.diagnostics + found


def render(
    anthology: Anthology,
    target: Target,
    fragments: FragmentStore | None = None,
    pagination: Pagination | None = None,
) -> RenderedBook:
    return render_book(anthology, target, theme_for(anthology.spec), fragments, pagination)


class _Stages:
    """Times each named stage of a build, for the report."""

    def __init__(self, progress: Callable[[str], None] | None = None) -> None:
        self.times: list[StageTime] = []
        self.progress = progress

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        if self.progress is not None:
            self.progress(name)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.times.append(StageTime(name, round(time.perf_counter() - start, 4)))


def build(request: BuildRequest) -> BuildResult:
    """Plan → (skip if up to date) → load → render → export (staged) → commit → record →
    validate. The outputs are replaced all together or not at all (`exporters/staging.py`);
    raises BuildFailed when an output path is not ours to replace or cannot be written."""
    stage = _Stages(request.progress)
    with stage("plan"):
        root = project_root(request.anthology)
        spec = load_anthology_spec(request.anthology, root)
        plan = _plan(spec, request)
        # First: undo what a killed build left half-done, so the cache sees the previous set.
        with _writing(request.out_dir):
            recover(request.out_dir, [item.path.name for item in plan])
        _refuse_foreign(plan)
        cache = BuildCache.open(root, enabled=request.cache and not request.clean)
        stale = [item for item in plan if not cache.fresh(item.path, item.key)]
    if not stale:
        return _unchanged(plan, cache, stage, request)
    with recording() as reads:  # every file the gate opens from here on is an input
        diagnostics, built = _make(request, plan, stale, cache, stage)
    with stage("cache"):  # only now that every output is in place
        inputs = reads.inputs()
        for item in plan:
            if item.path in built:
                found = diagnostics + built[item.path].diagnostics
                cache.record(item.path, item.key, found, inputs)
        if request.cache:
            diagnostics += _saved(cache)
    for exported in built.values():
        diagnostics += tuple(d for d in exported.diagnostics if d not in diagnostics)
    outputs = tuple(
        _output(
            item, built[item.path].pages if item.path in built else None, item.path not in built
        )
        for item in plan
    )
    return _validated(
        BuildResult(outputs, diagnostics, (), (), cache.fragments_read), stage, request
    )


def _make(
    request: BuildRequest,
    plan: list[_Planned],
    stale: list[_Planned],
    cache: BuildCache,
    stage: _Stages,
) -> tuple[tuple[Diagnostic, ...], dict[Path, _Exported]]:
    """Load, render and export the stale outputs (and the print PDF when its pages are needed)
    into a staging folder, then commit them all together."""
    with stage("load"):
        anthology, diagnostics = load(request.anthology, request.allow_remote)
    paginated = Format.PDF in request.formats
    if paginated and any(item.target in PAGINATED for item in stale):
        # The print PDF's layout gives the page numbers: make it even when it is up to date.
        stale = [item for item in plan if item in stale or item.target is Target.PRINT_PDF]
    # The print PDF first; then the editions that carry its pages, marked from its layout.
    first = [item for item in stale if not (paginated and item.target in PAGINATED)]
    later = [item for item in stale if item not in first]
    built: dict[Path, _Exported] = {}
    with _writing(request.out_dir), Staging(request.out_dir) as staging:
        staged = {item.path: staging.place(item.path) for item in stale}
        with stage("render"):
            books = {
                item.target: render(anthology, item.target, cache.for_output(item.path))
                for item in first
            }
        built.update(_export_each(first, books, staged, stage))
        if later:
            pagination = next((e.pagination for e in built.values() if e.pagination), None)
            with stage("render-paginated"):
                books = {
                    item.target: render(
                        anthology, item.target, cache.for_output(item.path), pagination
                    )
                    for item in later
                }
            built.update(_export_each(later, books, staged, stage))
        with stage("commit"):
            staging.commit()
    return diagnostics, built


def _refuse_foreign(plan: list[_Planned]) -> None:
    """An output path that holds a folder or a symlink is not ours: stop before any work."""
    found = []
    for item in plan:
        try:
            check_replaceable(item.path)
        except ForeignOutput as foreign:
            found.append(error(item.path, 0, "output-not-a-file", foreign.advice))
    if found:
        raise BuildFailed(tuple(found))


@contextlib.contextmanager
def _writing(out_dir: Path) -> Iterator[None]:
    """An output that cannot be staged or committed (full disk, read-only folder, a folder
    swapped in) is a build error naming the path, not a traceback."""
    try:
        yield
    except ForeignOutput as foreign:
        raise BuildFailed((error(foreign.path, 0, "output-not-a-file", foreign.advice),)) from None
    except OSError as exc:
        where = exc.filename or out_dir
        reason = exc.strerror or str(exc)
        message = f"cannot write the outputs: {reason}; the previous files are left as they were"
        raise BuildFailed((error(where, 0, "output-unwritable", message),)) from None


def _saved(cache: BuildCache) -> tuple[Diagnostic, ...]:
    """Save the cache; a cache that cannot be written costs a warning, never the build."""
    try:
        cache.save()
    except OSError as exc:
        where = exc.filename or cache.directory
        reason = exc.strerror or str(exc)
        message = f"the build cache was not saved ({reason}): the next build redoes this work"
        return (warning(where, 0, "cache-unwritable", message),)
    return ()


def _plan(spec: AnthologySpec, request: BuildRequest) -> list[_Planned]:
    """Each output and the key of the settings it depends on. The files a build reads are not
    in the key: the cache keeps the list the gate recorded and re-checks those (cache.fresh)."""
    inputs = digest(
        "inputs-as-read/1",  # manifests from before the recorded inputs never match
        package_digest(),
        source_epoch(),
        # Remote images change what a build may fetch, so they change what it makes.
        "remote:" + ",".join(sorted(request.allow_remote or ())),
        "remote-allowed" if request.allow_remote is not None else "remote-refused",
    )
    plan = []
    for format_ in Format:
        if format_ not in request.formats:
            continue
        for target in TARGETS[format_]:
            path = request.out_dir / FILE_NAMES[target].format(slug=spec.slug)
            # With the print PDF in the build, the EPUB and web edition carry its page numbers.
            pages = (
                ("print-pages",) if Format.PDF in request.formats and target in PAGINATED else ()
            )
            plan.append(
                _Planned(target, format_, path, digest(inputs, target.value, path.name, *pages))
            )
    return plan


def _export_each(
    items: list[_Planned],
    books: dict[Target, RenderedBook],
    staged: dict[Path, Path],
    stage: _Stages,
) -> dict[Path, _Exported]:
    """Export each item to its staged path (`staged[item.path]`)."""
    built = {}
    for item in items:
        with stage(f"export-{item.target.value}"):
            built[item.path] = _export(books[item.target], staged[item.path])
    return built


def _export(book: RenderedBook, path: Path) -> _Exported:
    """Write one output; return its page count (PDFs), what the exporter reported and, for the
    print PDF, its pagination."""
    if book.target is Target.WEB:
        from .export.html import export_html

        export_html(book, path)
        return _Exported(None, ())
    if book.target is Target.EPUB:
        from .export.epub import export_epub
        from .export.epub_package import page_targets

        export_epub(book, path, page_targets(book))
        return _Exported(None, ())
    from .export.pdf import export_pdf  # WeasyPrint is slow to import: only when needed

    pdf = export_pdf(book, path)
    return _Exported(pdf.pages, pdf.diagnostics, pdf.pagination)


def _output(item: _Planned, pages: int | None, cached: bool) -> Output:
    if cached:
        pages = None
    return Output(
        item.path,
        item.format.value,
        item.target.value,
        item.path.stat().st_size,
        file_sha256(item.path),
        pages,
        cached,
    )


def _unchanged(
    plan: list[_Planned], cache: BuildCache, stage: _Stages, request: BuildRequest
) -> BuildResult:
    diagnostics: tuple[Diagnostic, ...] = ()
    for item in plan:
        diagnostics += tuple(
            d for d in cache.outputs[str(item.path)].diagnostics if d not in diagnostics
        )
    outputs = tuple(_output(item, None, True) for item in plan)
    return _validated(BuildResult(outputs, diagnostics), stage, request)


def _validated(result: BuildResult, stage: _Stages, request: BuildRequest) -> BuildResult:
    validators: tuple[ValidatorResult, ...] = ()
    if request.validate:
        with stage("validate"):
            # The text fidelity check reads the manuscripts again: what the book must print.
            anthology, _ = load(request.anthology, request.allow_remote)
            validators = validate_files([output.path for output in result.outputs], anthology)
    found = tuple(d for v in validators for d in v.diagnostics)
    return dataclasses.replace(
        result,
        diagnostics=result.diagnostics + found,
        validators=validators,
        stages=tuple(stage.times),
    )

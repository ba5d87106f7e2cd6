"""The build recipe: gather everything, then write. `build()` wires the stages in order."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import enum
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import KW_ONLY, dataclass
from pathlib import Path
from typing import NamedTuple

from .assemble import assemble
from .book import RenderedBook, Target
from .cache import BuildCache, digest, file_sha256, package_digest, tree_digest
from .config import load_anthology_spec
from .diagnostics import BuildFailed, Diagnostic, has_errors
from .fetch import Access
from .loader import load_manuscripts
from .model import Anthology, AnthologySpec
from .pagination import Pagination
from .render import FragmentStore, Theme, render_book
from .validation import ValidatorResult
from .validation.files import validate_files

BUILTIN_STYLES = Path(__file__).resolve().parent.parent / "styles"


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


def project_root(anthology_file: Path) -> Path:
    """`<root>/manuscripts/anthology.toml` → `<root>`; elsewhere, the file's own folder."""
    folder = anthology_file.resolve().parent
    return folder.parent if folder.name == "manuscripts" else folder


def today() -> dt.date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.date.today()


def load(
    anthology_file: Path, allow_remote: frozenset[str] | None = None
) -> tuple[Anthology, tuple[Diagnostic, ...]]:
    """Load, validate and assemble. Raises BuildFailed with every problem found."""
    root = project_root(anthology_file)
    spec = load_anthology_spec(anthology_file, root)
    spec = dataclasses.replace(spec, allow_remote=allow_remote)
    loaded = load_manuscripts(
        root, spec.reviews_dir, spec.reviews_dir.parent / "front", spec.lang, today(),
        Access.for_spec(spec), theme_for(spec).directories,
    )  # fmt: skip
    if has_errors(loaded.diagnostics):
        # Selection problems are worth reporting too, over whatever did load.
        try:
            assemble(spec, loaded.reviews, loaded.front)
        except BuildFailed as more:
            raise BuildFailed(loaded.diagnostics + more.diagnostics) from None
        raise BuildFailed(loaded.diagnostics)
    return assemble(spec, loaded.reviews, loaded.front), loaded.diagnostics


def theme_for(spec: AnthologySpec) -> Theme:
    project_styles = spec.root / "styles"
    styles = project_styles if (project_styles / spec.theme).is_dir() else BUILTIN_STYLES
    return Theme.locate(styles, spec.theme, spec.root / spec.path.parent / "style-overrides")


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
    """Plan → (skip if up to date) → load → render → export → record → validate."""
    stage = _Stages(request.progress)
    with stage("plan"):
        root = project_root(request.anthology)
        spec = load_anthology_spec(request.anthology, root)
        plan = _plan(spec, request)
        cache = BuildCache.open(root, enabled=request.cache and not request.clean)
        stale = [item for item in plan if not cache.fresh(item.path, item.key)]
    if not stale:
        return _unchanged(plan, cache, stage, request)
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
    with stage("render"):
        books = {item.target: render(anthology, item.target, cache) for item in first}
    built.update(_export_each(first, books, stage))
    if later:
        pagination = next((e.pagination for e in built.values() if e.pagination), None)
        with stage("render-paginated"):
            books = {
                item.target: render(anthology, item.target, cache, pagination) for item in later
            }
        built.update(_export_each(later, books, stage))
    with stage("cache"):
        for item in stale:
            cache.record(item.path, item.key, diagnostics + built[item.path].diagnostics)
        if request.cache:
            cache.save()
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


def _plan(spec: AnthologySpec, request: BuildRequest) -> list[_Planned]:
    theme = theme_for(spec)
    inputs = digest(
        package_digest(),
        tree_digest(
            [
                spec.root / spec.path,
                spec.reviews_dir,
                spec.reviews_dir.parent / "front",
                *list(theme.directories),
            ],
            spec.root,
        ),
        os.environ.get("SOURCE_DATE_EPOCH", ""),
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
    items: list[_Planned], books: dict[Target, RenderedBook], stage: _Stages
) -> dict[Path, _Exported]:
    built = {}
    for item in items:
        with stage(f"export-{item.target.value}"):
            built[item.path] = _export(books[item.target], item.path)
    return built


def _export(book: RenderedBook, path: Path) -> _Exported:
    """Write one output; return its page count (PDFs), what the exporter reported and, for the
    print PDF, its pagination."""
    if book.target is Target.WEB:
        from .exporters.html import export_html

        export_html(book, path)
        return _Exported(None, ())
    if book.target is Target.EPUB:
        from .exporters.epub import export_epub
        from .exporters.epub_package import page_targets

        export_epub(book, path, page_targets(book))
        return _Exported(None, ())
    from .exporters.pdf import export_pdf  # WeasyPrint is slow to import: only when needed

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

"""The build recipe: gather everything, then write. `build()` wires the stages in order.

What a build makes (outputs, paths, cache keys, where print page numbers come from) is planned
in `plan.py`; this module runs it. The editions are rendered and exported in passes
(`passes.py`); `render` and `book_cover` live in `rendering.py`, the stage timer in
`timing.py`, and all three are importable from here.

Length: the recipe, the library's entry points (`read_spec`, `load`, `load_book`,
`fetch_remote`, `build`) and result types, and the bookkeeping of running it (which passes,
staging and cache errors, the validators) read best in one file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from .assemble import assemble, empty_parts, stub_warning
from .base.access import Access, Refused
from .base.diagnostics import BuildFailed, Diagnostic, Severity, error, has_errors, warning
from .base.digests import file_sha256
from .base.gate import recording
from .base.links import link_table
from .base.locale import labels_fallback
from .base.model import Anthology, AnthologySpec
from .base.progress import Progress
from .base.project import project_root, today
from .base.rendered import Exported, Target
from .base.theme import theme_for
from .cache import BuildCache
from .chunk_tally import ChunkCount, ChunkTally
from .claim import Claiming, plan_claim, settle
from .export import Chunking
from .export.pool import forked_early
from .export.staging import ForeignOutput, Staging, recover
from .load import (
    bleed_warnings,
    cover_problems,
    extra_css_problems,
    intro_outline,
    load_anthology_spec,
    load_manuscripts,
    profile_problems,
    remote_references,
)
from .output_folder import check_apart_from_inputs, check_output_folder
from .passes import Exporter, foreseen_pagination, render_and_export
from .plan import (  # BuildRequest and Format: the library's API, with build()
    PAGINATED,
    BuildRequest,
    Format,
    Planned,
    output_dir,
    plan_outputs,
    print_pages,
    refuse_foreign,
)
from .render import survey
from .rendering import book_cover as book_cover  # the library's, with render
from .rendering import render
from .timing import StageTime as StageTime  # a result type, with BuildResult
from .timing import StageTimer
from .validation import ValidatorResult

__all__ = ["BuildRequest", "BuildResult", "Format", "Output", "build", "load", "render"]


@dataclass(frozen=True)
class Output:
    path: Path
    format: str
    target: str
    bytes: int
    sha256: str
    pages: int | None
    cached: bool  # up to date: not rebuilt
    chunks: ChunkCount | None = None  # a PDF laid out in chunks in this build (chunk_tally.py)


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


def read_spec(anthology_file: Path) -> AnthologySpec:
    """The anthology file, parsed and validated (once per build). Raises BuildFailed."""
    return load_anthology_spec(anthology_file, project_root(anthology_file))


def load(
    anthology_file: Path, allow_remote: frozenset[str] | None = None
) -> tuple[Anthology, tuple[Diagnostic, ...]]:
    """Read, validate and assemble. Raises BuildFailed with every problem found."""
    spec = read_spec(anthology_file)
    return load_book(spec, Access.for_spec(spec, allow_remote))


def fetch_remote(spec: AnthologySpec, access: Access) -> Access:
    """The phase `fetch remote resources when allowed`, before loading: the only place that
    downloads (and writes `.publisher-cache/remote/`). Without `--allow-remote` it fetches
    nothing. Otherwise every http(s) image of the manuscripts and part introductions and every
    stylesheet `url()` (load/references.py) goes through the remote leg (base/remote.py: its
    host, size and redirect rules); the result is `access` with `fetched`, a read-only map URL →
    cached file or the refusal, which load, render and export only read. A refusal is reported
    by loading, at the manuscript's or stylesheet's path:line, with the same message."""
    if access.fetched is not None:
        return access
    fetched: dict[str, Path | Refused] = {}
    if access.allow_remote is not None:
        from .base import remote  # urllib and sockets only when asked for

        folders = (spec.reviews_dir, _front_dir(spec))
        intros = [part.intro for part in spec.parts if part.intro]
        styles = theme_for(spec).directories
        extra = [sheet.path for sheet in spec.extra_css]
        for url in remote_references(folders, intros, styles, access, extra):
            try:
                fetched[url] = remote.download(
                    url, access.allow_remote, access.remote_cache, access.limits
                )
            except Refused as refused:
                fetched[url] = refused
    return dataclasses.replace(access, fetched=MappingProxyType(fetched))


def _front_dir(spec: AnthologySpec) -> Path:
    return spec.reviews_dir.parent / "front"


def load_book(
    spec: AnthologySpec, access: Access | None = None, cache: BuildCache | None = None
) -> tuple[Anthology, tuple[Diagnostic, ...]]:
    """Load the manuscripts, assemble the book and resolve its links. Raises BuildFailed.
    `access`: the gate the build opened (`--allow-remote`), after `fetch_remote` (run here
    when it has not been); by default no network. `cache`: the build's, whose stored Markdown
    readings of unchanged bodies are reused (survey_cache.py). Writes nothing."""
    access = fetch_remote(spec, access or Access.for_spec(spec))
    surveys = cache.surveys if cache is not None else None
    reading = surveys.reading(survey) if surveys is not None else survey
    # A film may be from up to the year after the build's day or the anthology's date, the
    # later: a SOURCE_DATE_EPOCH of 0 (a common reproducible-build setting) must not make
    # every recent film an error.
    latest = max(today(), spec.date)
    loaded = load_manuscripts(
        spec.root, spec.reviews_dir, _front_dir(spec), spec.lang, latest,
        reading, access, theme_for(spec).directories,
    )  # fmt: skip
    # The anthology's `extra_css` is checked like the theme's stylesheets, at its own line.
    extra_css = tuple(extra_css_problems(spec.extra_css, str(spec.path), access))
    extra_css += tuple(cover_problems(spec, access))  # `cover_image`, at its line
    extra_css += tuple(profile_problems(spec, access))  # `[print] output_profile`
    extra_css += tuple(bleed_warnings(spec))  # `[print] bleed` that looks like inches
    loaded = dataclasses.replace(loaded, diagnostics=extra_css + loaded.diagnostics)
    if has_errors(loaded.diagnostics):
        # Selection problems are worth reporting too, over whatever did load.
        try:
            assemble(spec, loaded.reviews, loaded.front)
        except BuildFailed as more:
            # Not `no-reviews`, nor a `select.slugs` entry naming no review (it may name one
            # that failed to load): reviews that failed to load are already reported.
            unsure = ("no-reviews", "select-slug-missing")
            found = tuple(d for d in more.diagnostics if d.code not in unsure)
            raise BuildFailed(loaded.diagnostics + found) from None
        raise BuildFailed(loaded.diagnostics)
    anthology = assemble(spec, loaded.reviews, loaded.front)
    # Links need the assembled book: which reviews it holds, every heading's id.
    placed = {part.id for part in anthology.parts}
    intros = tuple(
        (f"part-{part.id}", intro_outline(part.intro, part.line, reading))
        for part in spec.parts
        if part.intro and part.id in placed
    )
    table, found = link_table(anthology, loaded.reviews + loaded.front, intros)
    if not anthology.reviews:  # a stub: say so rather than "ok"
        found = (*found, stub_warning(spec))
    if has_errors(found):
        raise BuildFailed(loaded.diagnostics + found)
    if anthology.reviews:  # a part left out of the book for want of reviews: say which
        found = (*found, *empty_parts(spec, placed))
    found = (*found, *labels_fallback(spec))  # words printed in English: name them
    return dataclasses.replace(anthology, links=table), loaded.diagnostics + found


def build(request: BuildRequest) -> BuildResult:
    """The recipe, one named phase at a time:

    1. plan: parse the anthology file (once), check the output folder (`output_folder.py`),
       name each output and its cache key, undo what a killed build left, find where the print
       page numbers come from (`_print_pages`), and keep only the outputs not up to date;
    2. load: read and check the manuscripts, assemble the book, resolve its links;
    3. render and export, into a staging folder: the print PDF first when the web and EPUB
       editions carry its page numbers ("render", "export-print"), then those editions,
       marked from its layout ("render-paginated"); every other edition in the first pass;
    4. commit: the outputs replace the old ones all together or not at all (export/staging.py);
    5. cache: record what each output read;
    6. validate, when asked.

    Raises BuildFailed when an output path is not ours to replace or cannot be written."""
    timed = StageTimer(request.progress)
    # Every file the gate opens from here on is an input, the anthology file first.
    with recording() as reads:
        with timed("plan", "planning the build"):
            spec = read_spec(request.anthology)
            out_dir = output_dir(spec, request.out_dir)
            request = dataclasses.replace(request, out_dir=out_dir)
            check_output_folder(spec, out_dir)
            # The command line's network permission: an option of this build, not of the book.
            access = Access.for_spec(spec, request.allow_remote)
            plan = plan_outputs(spec, request)
            # Undo what a killed build left half-done, so the cache sees the previous set.
            with _writing(out_dir):
                recover(out_dir, [item.path.name for item in plan])
            refuse_foreign(plan)
            cache = BuildCache.open(
                spec.root, enabled=request.cache and not request.clean, records=request.cache
            )
            plan, pages = print_pages(spec, request, cache)
            claiming = plan_claim(spec, request, plan)  # claim.py: always a new EPUB to judge
            stale = [
                item
                for item in plan
                if not cache.fresh(item.path, item.key) or item.path == claiming.epub
            ]
        if not stale:
            return _validated(_unchanged(plan, cache), timed, request, spec, access, None)
        fetching = "fetching remote images" if access.allow_remote is not None else None
        with timed("fetch remote resources when allowed", fetching):
            access = fetch_remote(spec, access)
        passes = _passes(plan, stale, pages.carried, pages.kept is not None)
        chunking = _chunking(request, cache)
        tally = ChunkTally(timed.tell)
        with _layout_workers(passes, chunking, access):
            with timed("load", "reading the manuscripts"):
                anthology, diagnostics = load_book(spec, access, cache)
                check_apart_from_inputs(out_dir, reads.inputs(), spec.root)
            with _writing(out_dir), Staging(out_dir) as staging:
                exporter = Exporter(
                    staging, cache, timed, access, pages.kept, claiming, chunking, tally,
                    foreseen_pagination(plan, cache, pages.kept),
                )  # fmt: skip
                built = render_and_export(anthology, passes, exporter)
                _refuse_errors(diagnostics, built)
                with timed("commit", "putting the new editions in place"):
                    staging.commit()
    with timed("cache"):  # only now that every output is in place
        inputs = reads.inputs()
        for item in plan:
            if item.path in built:
                found = diagnostics + built[item.path].diagnostics
                carries = pages.carried and item.target in PAGINATED  # the print page numbers
                pagination = built[item.path].pagination
                made = built[item.path].pages
                cache.record(item.path, item.key, found, inputs, pagination, carries, made)
        if request.cache:
            diagnostics += _saved(cache)
    for exported in built.values():
        diagnostics += tuple(d for d in exported.diagnostics if d not in diagnostics)
    diagnostics += pages.downgrades  # not cached: said once, as the paginated files go
    outputs = tuple(
        _output(
            item,
            built[item.path].pages if item.path in built else cache.pages(item.path),
            item.path not in built,
            tally.count(item.target),
        )
        for item in plan
    )
    result = BuildResult(outputs, diagnostics, (), (), cache.fragments_read)
    return _validated(result, timed, request, spec, access, anthology, claiming)


def _layout_workers(
    passes: tuple[list[Planned], list[Planned]], chunking: Chunking, access: Access
) -> contextlib.AbstractContextManager[None]:
    """The PDF layout workers, forked before the book is loaded when a PDF is to be made, so
    that they do not start with the book in their resident set (export/pool.py
    `forked_early`; issue 17: peak RSS)."""
    if any(item.target.paged for item in passes[0] + passes[1]):
        return forked_early(chunking.workers, access)
    return contextlib.nullcontext()


def _refuse_errors(diagnostics: tuple[Diagnostic, ...], built: dict[Path, Exported]) -> None:
    """Raise BuildFailed (with every diagnostic found) when an export found an error (e.g.
    `back-cover-overflow`): like an error while loading, it stops the build before the
    commit, so no output of it is written (the staging is all or nothing) or cached."""
    found = list(diagnostics)
    for exported in built.values():
        # An export's notices (`cover-wrap`) describe what it wrote: with an error, nothing is.
        found += [
            d for d in exported.diagnostics if d not in found and d.severity is not Severity.INFO
        ]
    if has_errors(found):
        raise BuildFailed(found)


def _passes(
    plan: list[Planned], stale: list[Planned], paginated: bool, kept: bool
) -> tuple[list[Planned], list[Planned]]:
    """(first, paginated): what to make before the print PDF's pages are known, and the
    editions that carry them (`paginated`: they do in this build). Unless the cache `kept`
    the pagination of a current print PDF, the print PDF is made (in the first pass) whenever
    a paginated edition is, even when it is itself up to date: its layout gives the numbers."""
    if paginated and not kept and any(item.target in PAGINATED for item in stale):
        stale = [item for item in plan if item in stale or item.target is Target.PRINT_PDF]
    first = [item for item in stale if not (paginated and item.target in PAGINATED)]
    return first, [item for item in stale if item not in first]


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
    except ForeignOutput as foreign:
        message = f"the build cache was not saved ({foreign}): the next build redoes this work"
        return (warning(foreign.path, 0, "cache-unwritable", message),)
    except OSError as exc:
        where = exc.filename or cache.directory
        reason = exc.strerror or str(exc)
        message = f"the build cache was not saved ({reason}): the next build redoes this work"
        return (warning(where, 0, "cache-unwritable", message),)
    return ()


def _chunking(request: BuildRequest, cache: BuildCache) -> Chunking:
    """`--workers` (default: one per core), and the cache's chunk folder when it is used."""
    workers = request.workers or os.cpu_count() or 1
    store = cache.directory / "chunks" if request.cache else None
    return Chunking(workers, store, not request.clean)


def _output(
    item: Planned, pages: int | None, cached: bool, chunks: ChunkCount | None = None
) -> Output:
    if cached:
        chunks = None  # none laid out in this build; the page count is the cache's
    return Output(
        item.path,
        item.format.value,
        item.target.value,
        item.path.stat().st_size,
        file_sha256(item.path),
        pages,
        cached,
        chunks,
    )


def _as_written(output: Output) -> Output:
    """`output` with the size and sha256 of its file as it is now."""
    if not output.path.is_file():
        return output
    size, sha256 = output.path.stat().st_size, file_sha256(output.path)
    return dataclasses.replace(output, bytes=size, sha256=sha256)


def _unchanged(plan: list[Planned], cache: BuildCache) -> BuildResult:
    """Every output up to date: what the cache recorded, replayed."""
    diagnostics: tuple[Diagnostic, ...] = ()
    for item in plan:
        diagnostics += tuple(
            d for d in cache.outputs[str(item.path)].diagnostics if d not in diagnostics
        )
    outputs = tuple(_output(item, cache.pages(item.path), True) for item in plan)
    return BuildResult(outputs, diagnostics)


def _validated(
    result: BuildResult,
    timed: StageTimer,
    request: BuildRequest,
    spec: AnthologySpec,
    access: Access,
    anthology: Anthology | None,
    claiming: Claiming | None = None,
) -> BuildResult:
    """`anthology`: the book this build loaded (None when nothing was rebuilt: then the text
    fidelity check loads the manuscripts itself, to know what the book must print).
    `claiming`: the EPUB's accessibility claim, kept or withdrawn on the validators' word."""
    validators: tuple[ValidatorResult, ...] = ()
    if request.validate:
        from .validation.files import validate_files  # pikepdf, fontTools: only when asked

        with timed("validate"):
            if anthology is None:
                timed.tell(Progress("validate", "reading the manuscripts"))
                anthology, _ = load_book(spec, access)
            paths = [output.path for output in result.outputs]
            validators = validate_files(paths, anthology, progress=request.progress)
    found = tuple(d for v in validators for d in v.diagnostics)
    outputs = result.outputs
    if claiming is not None and request.validate:
        with _writing(claiming.epub or Path()):
            found += settle(claiming, validators)
        # The EPUB as it now is: with its claim, or rewritten without it.
        outputs = tuple(_as_written(output) for output in outputs)
    return dataclasses.replace(
        result,
        outputs=outputs,
        diagnostics=result.diagnostics + found,
        validators=validators,
        stages=tuple(timed.times),
    )

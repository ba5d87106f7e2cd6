"""The editions made in passes: the first pass, then those that carry the print PDF's page
numbers, made on a foreseen pagination while the chunks are laid out or once the print PDF is
merged. `pipeline.build()` plans the passes and hands them here with an `Exporter`.

Length: `render_and_export`'s closures (make, foresee, forget, paginated) share one build's
state, and what each pass renders, hands over and lets go of (issue 17: peak RSS) is read
best beside them.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .base.access import Access
from .base.diagnostics import BuildFailed
from .base.model import Anthology
from .base.progress import Progress
from .base.rendered import Exported, Pagination, RenderedBook, Target
from .base.text import counted
from .cache import BuildCache
from .chunk_tally import ChunkTally, Tell
from .claim import Claiming
from .export import (
    Chunking,
    Handed,
    write,
    write_chunked,
    write_claimed,
    write_editions,
    write_wrap,
)
from .export.handed import ScreenPart, screen_part
from .export.heap import give_back_memory
from .export.staging import Staging
from .plan import Planned
from .render import cover_text
from .rendering import book_cover, render
from .timing import StageTimer

# Each edition as the progress messages name it.
LABELS: dict[Target, str] = {
    Target.WEB: "web edition",
    Target.SCREEN_PDF: "screen PDF",
    Target.PRINT_PDF: "print PDF",
    Target.EPUB: "EPUB",
    Target.COVER: "cover wrap",
}


@dataclass(frozen=True)
class Exporter:
    """What every edition one build exports shares: the `staging` it is written into, the
    `cache` of rendered fragments, the stage timer, the gate (`access`), the print PDF's
    pagination `kept` by the cache (None: made in this build, or not needed), the EPUB's
    accessibility claim (`claiming`, claim.py) and how PDFs are laid out in chunks
    (`chunking`; None: whole)."""

    staging: Staging
    cache: BuildCache
    timed: StageTimer
    access: Access
    kept: Pagination | None = None
    claiming: Claiming = dataclasses.field(default_factory=Claiming)
    chunking: Chunking | None = None
    chunks: ChunkTally | None = None  # what the chunk layouts told (chunk_tally.py)
    foreseen: Pagination | None = None  # the last build's print pagination (`foreseen_pagination`)


def foreseen_pagination(
    plan: list[Planned], cache: BuildCache, kept: Pagination | None
) -> Pagination | None:
    """The print pagination the cache recorded with the print PDF, which this build lays out
    again (`kept` is None): after an edit it most often comes out the same, so the paginated
    editions are made on it while the PDF is laid out (`render_and_export`)."""
    printed = next((item for item in plan if item.target is Target.PRINT_PDF), None)
    if kept is not None or printed is None:
        return None
    return cache.foreseen(printed.path)


def render_and_export(
    anthology: Anthology, passes: tuple[list[Planned], list[Planned]], exporter: Exporter
) -> dict[Path, Exported]:
    """Render and export each pass into `exporter.staging`; the second pass carries the print
    PDF's pagination, made in the first (or `exporter.kept` by the cache). With a pagination
    `exporter.foreseen`, the second pass is made on it while the PDFs' chunks are laid out,
    if a worker would wait (an edit), and kept when the print PDF's pagination is the same."""
    staging, cache, timed = exporter.staging, exporter.cache, exporter.timed
    access, kept = exporter.access, exporter.kept
    claiming, chunking = exporter.claiming, exporter.chunking
    first, later = passes
    staged = {item.path: staging.place(item.path) for item in first + later}
    # One cover for the screen PDF, the web edition, the EPUB and the wrap (none in print).
    covered = any(item.target is not Target.PRINT_PDF for item in first + later)
    cover = book_cover(anthology.spec, access) if covered else None
    tally = exporter.chunks or ChunkTally(timed.tell)
    count = _Count(len(first) + len(later), len(anthology.reviews), tally)
    books: dict[Target, RenderedBook] = {}
    parts: list[ScreenPart] = []  # the screen book's, when both PDFs come from one layout
    with timed("render"):
        for item in first:
            count.rendering(timed, "render", item.target)
            # Only written (True): the web page made as UTF-8, the EPUB's documents bodiless.
            book = render(
                anthology, item.target, cache.for_output(item.path), None, access, cover, True
            )
            if item.target is Target.SCREEN_PDF and _one_layout(first, chunking):
                # What the chunks need of its page, taken now: the page let go of before the
                # print book is rendered (issue 17: the build process's peak RSS).
                book, part = screen_part(book)
                parts.append(part)
            books[item.target] = book
            del book

    def again(item: Planned) -> RenderedBook:  # a handed-over book, rendered anew (Handed)
        return render(anthology, item.target, cache.for_output(item.path), None, access, cover)

    built: dict[Path, Exported] = {}
    pending = [later] if later else []
    # The wrap is not rendered from the book: drawn from its spec (export/wrap.py).
    rendered = [item for item in later if item.target is not Target.COVER]
    foreseen = exporter.foreseen if rendered else None
    ahead: dict[Path, Exported] = {}  # `rendered`, made on `foreseen`, not yet counted done
    reads: list[int] = []  # the cache's fragments the render of `ahead` read

    def make(pagination: Pagination | None) -> dict[Path, Exported]:
        """`rendered`, each rendered on `pagination`, written to the staging folder and let go
        before the next is rendered (issue 17: the build process's peak RSS)."""
        made: dict[Path, Exported] = {}
        for item in rendered:
            with timed("render-paginated"):
                count.rendering(timed, "render-paginated", item.target)
                books[item.target] = render(
                    anthology, item.target, cache.for_output(item.path), pagination, access,
                    cover, True,
                )  # fmt: skip
            made.update(_export_each([item], books, staged, timed, count, claiming, chunking))
            books.pop(item.target, None)
            give_back_memory()
        return made

    def foresee() -> None:
        """The layout pool's `idle` (an edit: one chunk laid out, this process waiting; issue
        17, the edit's tail): `rendered` made on the `foreseen` pagination, counted done only
        once `paginated` finds the print PDF's the same (`_Count.hold`). One that cannot be
        rendered or written is left to `paginated`, which says why."""
        if not pending or foreseen is None:
            return
        before = cache.fragments_read
        with count.hold():
            try:
                ahead.update(make(foreseen))
            except (BuildFailed, OSError):
                ahead.clear()
        reads.append(cache.fragments_read - before)
        if not ahead:
            forget()

    def forget() -> None:
        """What `foresee` read and used, not counted twice when `rendered` is made anew."""
        cache.fragments_read -= sum(reads)
        count.drop()
        for item in rendered:
            cache.used.pop(str(item.path), None)

    def paginated(pagination: Pagination | None) -> None:
        """The editions that carry the print PDF's page numbers (`later`), made once, as soon
        as they are known: while the PDFs are merged (export_editions' `meanwhile`: issue 17,
        the build's one-core tail), else after the first pass; those made on the `foreseen`
        pagination are kept when it is this one, else made again (their staged files
        replaced)."""
        if not pending:
            return
        items = pending.pop()
        if ahead and pagination == foreseen:
            built.update(ahead)
            count.release(timed)
        else:
            if ahead:
                forget()
            built.update(make(pagination))
        pages = len(pagination.pages) if pagination else 0
        for item in items:
            if item.target is Target.COVER:
                count.exporting(timed, item.target)
                with timed(f"export-{item.target.value}"):
                    built[item.path] = write_wrap(
                        anthology.spec, pages, staged[item.path], cover,
                        cover_text(anthology.spec),
                    )  # fmt: skip
                count.exported_one(timed, item.target, built[item.path].pages)

    screen = parts[0] if parts else None
    pdfs = _export_pdfs(
        first, books, staged, timed, count, chunking, again, paginated, foresee, screen
    )  # fmt: skip
    built.update(pdfs)
    built.update(_export_each(first, books, staged, timed, count, claiming, chunking, set(pdfs)))
    del pdfs
    for item in first:  # exported: not held while the paginated editions are rendered
        books.pop(item.target, None)
    paginated(next((e.pagination for e in built.values() if e.pagination), kept))
    return built


@dataclass
class _Count:
    """How many editions are done (exported) so far, for the progress events: every event
    counts editions done, so the count never goes back (rendering one is not doing it);
    `chunks` hears of the chunks of the PDFs laid out in chunks. Editions exported while
    `hold` is on are counted (and said) done only at `release`: made on a foreseen pagination,
    they may be made again."""

    editions: int
    reviews: int
    chunks: ChunkTally
    exported: int = 0
    holding: bool = False
    held: list[tuple[Target, int | None]] = dataclasses.field(default_factory=list)

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        self.holding = True
        try:
            yield
        finally:
            self.holding = False

    def release(self, timed: StageTimer) -> None:
        """The editions held, counted done now; forgotten by `drop`."""
        for target, pages in self.held:
            self.exported_one(timed, target, pages)
        self.held.clear()

    def drop(self) -> None:
        self.held.clear()

    def rendering(self, timed: StageTimer, stage: str, target: Target) -> None:
        what = f"rendering {counted(self.reviews, 'review')} for the {LABELS[target]}"
        timed.tell(Progress(stage, what, self.exported, self.editions, "editions"))

    def exporting(self, timed: StageTimer, target: Target) -> None:
        verb = "laying out" if target.paged else "writing"
        what = f"{verb} the {LABELS[target]}"
        timed.tell(
            Progress(f"export-{target.value}", what, self.exported, self.editions, "editions")
        )

    def exported_one(self, timed: StageTimer, target: Target, pages: int | None) -> None:
        if self.holding:
            self.held.append((target, pages))
            return
        self.exported += 1
        what = f"{LABELS[target]} done" + (f": {counted(pages, 'page')}" if pages else "")
        timed.tell(
            Progress(f"export-{target.value}", what, self.exported, self.editions, "editions")
        )

    def teller(self, *targets: Target) -> Tell:
        """Progress events for each chunk of one layout serving `targets`, said once each:
        `laid out chunk body-003 of the print and screen PDFs`, `reused chunk …` (from the
        cache), stage `export-<first target>`, unit `chunks` (chunk_tally.py)."""
        labels = [LABELS[target] for target in targets]
        if len(labels) > 1:
            labels = [" and ".join(label.removesuffix(" PDF") for label in labels) + " PDFs"]
        return self.chunks.teller(f"export-{targets[0].value}", labels[0], *targets)


def _export_each(
    items: list[Planned],
    books: dict[Target, RenderedBook],
    staged: dict[Path, Path],
    timed: StageTimer,
    count: _Count,
    claiming: Claiming,
    chunking: Chunking | None = None,
    done: set[Path] | frozenset[Path] = frozenset(),
) -> dict[Path, Exported]:
    """Export each item but those at `done` (the PDFs of one layout: `_export_pdfs`) to its
    staged path (`staged[item.path]`); the EPUB with `claiming`'s claim, when there is one,
    its bytes without the claim kept in `claiming.unclaimed`."""
    built: dict[Path, Exported] = {}
    for item in items:
        if item.path in done:
            continue
        count.exporting(timed, item.target)
        with timed(f"export-{item.target.value}"):
            book, path = books[item.target], staged[item.path]
            if item.path == claiming.epub and claiming.claim is not None:
                built[item.path], claiming.unclaimed[item.path] = write_claimed(
                    book, path, claiming.claim
                )
            elif chunking is not None and book.target.paged:
                tell = count.teller(item.target)
                exported = write_chunked(book, path, chunking, tell)
                built[item.path] = dataclasses.replace(exported, data=b"")
            else:
                built[item.path] = _written(book, path)
        count.exported_one(timed, item.target, built[item.path].pages)
    return built


def _export_pdfs(
    items: list[Planned],
    books: dict[Target, RenderedBook],
    staged: dict[Path, Path],
    timed: StageTimer,
    count: _Count,
    chunking: Chunking | None,
    again: Callable[[Planned], RenderedBook] | None = None,
    meanwhile: Callable[[Pagination | None], None] | None = None,
    idle: Callable[[], None] | None = None,
    screen: ScreenPart | None = None,
) -> dict[Path, Exported]:
    """The print and the screen PDF from one layout (export/chunked.py `export_editions`),
    when both are to be made in chunks; else nothing (each is exported on its own). Their books
    are taken out of `books` and handed over (export.Handed: let go of once the chunk jobs
    exist, issue 17: peak RSS); `again(item)` renders one anew if the layout must be redone;
    `meanwhile(pagination)` runs while the PDFs are merged (export/editions.py), `idle()`
    once while their chunks are laid out, if a worker would wait (export/chunked.py)."""
    pdfs = {item.target: item for item in items if item.target.paged}
    if chunking is None or not _one_layout(items, chunking) or again is None:
        return {}
    printed, shown = pdfs[Target.PRINT_PDF], pdfs[Target.SCREEN_PDF]
    for item in (printed, shown):
        count.exporting(timed, item.target)
    handed = Handed(
        [books.pop(Target.PRINT_PDF), books.pop(Target.SCREEN_PDF)],
        lambda: (again(printed), again(shown)),
        screen,
    )
    with timed(f"export-{Target.PRINT_PDF.value}"):
        exported = write_editions(
            handed,
            (staged[printed.path], staged[shown.path]),
            chunking,
            count.teller(Target.PRINT_PDF, Target.SCREEN_PDF),
            count.teller(Target.SCREEN_PDF),
            count.teller(Target.PRINT_PDF),
            meanwhile,
            idle,
        )
    built = {}
    for item, made in zip((printed, shown), exported, strict=True):
        built[item.path] = dataclasses.replace(made, data=b"")
        count.exported_one(timed, item.target, made.pages)
    return built


def _one_layout(items: list[Planned], chunking: Chunking | None) -> bool:
    """Whether the print and the screen PDF of `items` come from one layout of chunks."""
    paged = {item.target for item in items if item.target.paged}
    return chunking is not None and len(paged) == 2


def _written(book: RenderedBook, path: Path) -> Exported:
    """Write one output; keep what the exporter reported (not the bytes: they are on disk)."""
    return dataclasses.replace(write(book, path), data=b"")

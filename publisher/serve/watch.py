"""Rebuild the web edition in memory whenever a manuscript or a theme file changes."""

from __future__ import annotations

import hashlib
import sys
import threading
import time
from collections.abc import Collection, Iterable
from pathlib import Path

import watchfiles

from ..base.access import Access
from ..base.cover import CoverArt
from ..base.diagnostics import BuildFailed, Diagnostic, Severity, error
from ..base.model import Anthology
from ..base.project import BUILTIN_STYLES, CACHE_DIR, for_reader, project_root, shown
from ..base.rendered import Target
from ..pipeline import book_cover, load, render
from .state import BuildState, Snapshot

# Changes to these only need a new render: the loaded manuscripts are still valid.
RENDER_ONLY = frozenset({".css", ".j2", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"})
# Short debounce: a save is usually one event, and the budget from save to screen is one second.
DEBOUNCE_MS = 300
STEP_MS = 30


class MemoryFragments:
    """Rendered Markdown kept between rebuilds: a save re-converts only the edited review.

    Only the fragments the last good render used are kept (`forget_unused`), so memory stays
    flat however many versions of a review are saved."""

    def __init__(self) -> None:
        self.store: dict[str, str] = {}
        self._used: dict[str, str] = {}

    def fragment(self, key: str) -> str | None:
        html = self.store.get(key)
        if html is not None:
            self._used[key] = html
        return html

    def keep_fragment(self, key: str, html: str) -> None:
        self.store[key] = self._used[key] = html

    def forget_unused(self) -> None:
        """After a good render: drop every fragment it did not use."""
        self.store, self._used = self._used, {}


class Builder:
    """Keeps the last loaded anthology so a theme-only change skips `load()`."""

    def __init__(self, anthology_file: Path, state: BuildState) -> None:
        self.anthology_file = anthology_file
        self.root = project_root(anthology_file)
        self.state = state
        self._anthology: Anthology | None = None
        self._cover: CoverArt | None = None  # the web edition's head, made with each load
        self._warnings: tuple[Diagnostic, ...] = ()
        self._bodies: dict[str, str] = {}
        self._fragments = MemoryFragments()

    def build(self, touched: Collection[Path] = ()) -> Snapshot:
        started = time.perf_counter()
        previous = self.state.current
        try:
            if self._anthology is None or self._cover is None or _needs_load(touched):
                self._anthology, self._warnings = load(self.anthology_file)
                # Made once per load, not per keystroke: drawing it takes a third of a second.
                spec = self._anthology.spec
                self._cover = book_cover(spec, Access.for_spec(spec))
            book = render(self._anthology, Target.WEB, self._fragments, cover=self._cover)
            self._fragments.forget_unused()
        except BuildFailed as failure:
            return self._failed(previous, failure.diagnostics)
        except Exception as exc:  # a broken template override must not stop the preview
            where = self._shown(getattr(exc, "filename", None) or self.anthology_file)
            line = getattr(exc, "lineno", 0) or 0
            return self._failed(
                previous, (error(where, line, "build-error", f"{type(exc).__name__}: {exc}"),)
            )

        bodies = {document.id: document.body for document in book.documents}
        changed = tuple(
            doc_id
            for doc_id, body in bodies.items()
            if self._bodies and self._bodies.get(doc_id) != body
        )
        self._bodies = bodies
        snapshot = self.state.publish(
            Snapshot(
                page=book.page,
                etag=hashlib.sha256(book.page.encode("utf-8")).hexdigest()[:16],
                document_ids=tuple(bodies),
                changed=changed,
                warnings=self._warnings,
                anthology=self._anthology,
                good_builds=previous.good_builds + 1,
            )
        )
        elapsed = time.perf_counter() - started
        if previous.errors:
            print("fixed: the preview builds again", file=sys.stdout, flush=True)
        if previous.version:
            page_changed = snapshot.etag != previous.etag
            what = ", ".join(changed) or ("stylesheet or head" if page_changed else "no change")
            print(f"rebuilt in {elapsed:.2f} s: {what}", file=sys.stdout, flush=True)
        return snapshot

    def _failed(self, previous: Snapshot, diagnostics: Iterable[Diagnostic]) -> Snapshot:
        ordered = sorted(diagnostics)
        errors = tuple(d for d in ordered if d.severity is Severity.ERROR)
        if not errors:  # BuildFailed always carries an error; guard the overlay anyway
            errors = (error(self._shown(self.anthology_file), 0, "build-error", "build failed"),)
        self._anthology = None  # reload everything next time
        for diagnostic in ordered:  # the terminal names files from where the user stands
            here = diagnostic.relocated(lambda path: for_reader(path, self.root, Path.cwd()))
            print(here.format(), file=sys.stderr)
        print(
            "publisher: the preview shows the last good build until this is fixed", file=sys.stderr
        )
        sys.stderr.flush()
        return self.state.publish(
            Snapshot(
                page=previous.page,
                etag=previous.etag,
                document_ids=previous.document_ids,
                errors=errors,
                warnings=tuple(d for d in ordered if d.severity is not Severity.ERROR),
                anthology=previous.anthology,
                good_builds=previous.good_builds,
            )
        )

    def _shown(self, path: str | Path) -> str:
        return shown(Path(path), self.root)

    def watched(self) -> tuple[Path, ...]:
        """The anthology's folder (manuscripts, `style-overrides/`), the theme folders, and the
        review pool and the `extra_css` files' folders when they live elsewhere."""
        candidates = [self.anthology_file.resolve().parent, self.root / "styles", BUILTIN_STYLES]
        if self._anthology is not None:
            candidates.append(self._anthology.spec.reviews_dir)
            candidates += [sheet.path.parent for sheet in self._anthology.spec.extra_css]
        folders: list[Path] = []
        for folder in (path.resolve() for path in candidates if path.is_dir()):
            if not any(folder.is_relative_to(kept) for kept in folders):
                folders = [kept for kept in folders if not kept.is_relative_to(folder)]
                folders.append(folder)
        return tuple(folders)


def _needs_load(touched: Collection[Path]) -> bool:
    return not touched or any(path.suffix.lower() not in RENDER_ONLY for path in touched)


class _Filter(watchfiles.DefaultFilter):
    ignore_dirs = (*watchfiles.DefaultFilter.ignore_dirs, CACHE_DIR)


def watch_and_rebuild(builder: Builder, stop: threading.Event) -> None:
    """Block, rebuilding after each batch of changes, until `stop` is set (or Ctrl-C)."""
    for changes in watchfiles.watch(
        *builder.watched(),
        watch_filter=_Filter(),
        debounce=DEBOUNCE_MS,
        step=STEP_MS,
        stop_event=stop,
        rust_timeout=500,
    ):
        builder.build({Path(path) for _, path in changes})

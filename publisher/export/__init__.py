"""Stage 4, exporting: a `RenderedBook` → the bytes of one edition, and the only writer of books.

One interface for every edition: `EXPORTERS[target](book)` returns an `Exported` (the file's
bytes, plus the page count, diagnostics and print pagination where the edition has them);
`write(book, path)` exports and writes atomically. `serve` takes the bytes and writes nothing.
Each engine is imported only when its edition is asked for (WeasyPrint is slow to import).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..base.cover import CoverArt, CoverText
from ..base.files import write_bytes_atomically
from ..base.model import AnthologySpec, Certification
from ..base.rendered import Exported, Pagination, RenderedBook, Target
from .handed import Handed as Handed

Exporter = Callable[[RenderedBook], Exported]


def _html(book: RenderedBook) -> Exported:
    from .html import export_html

    return export_html(book)


def _epub(book: RenderedBook) -> Exported:
    from .epub import export_epub

    return export_epub(book)


def _pdf(book: RenderedBook) -> Exported:
    from .pdf import export_pdf

    return export_pdf(book)


EXPORTERS: dict[Target, Exporter] = {
    Target.WEB: _html,
    Target.SCREEN_PDF: _pdf,
    Target.PRINT_PDF: _pdf,
    Target.EPUB: _epub,
}


def write_wrap(
    spec: AnthologySpec,
    pages: int,
    path: Path,
    cover: CoverArt | None = None,
    text: CoverText | None = None,
) -> Exported:
    """Write the cover wrap for a print PDF of `pages` pages (export/wrap.py), its front
    `cover` (by default the one `cover_art.py` makes), its words `text` (by default as the
    anthology file has them), atomically."""
    from .wrap import export_cover_wrap

    exported = export_cover_wrap(spec, pages, cover, text)
    write_bytes_atomically(path, exported.data)
    return dataclasses.replace(exported, data=b"")


def write_claimed(book: RenderedBook, path: Path, claim: Certification) -> tuple[Exported, bytes]:
    """Write the EPUB carrying `claim` (a validated build's accessibility claim) atomically;
    return it (without its bytes) and the same EPUB's bytes without the claim, for when the
    validators do not pass the claimed file."""
    from .epub import export_epub

    claimed = export_epub(book, claim)
    write_bytes_atomically(path, claimed.data)
    return dataclasses.replace(claimed, data=b""), export_epub(book).data


@dataclass(frozen=True)
class Chunking:
    """How a build lays out its PDFs (export/chunked.py): `workers` processes; the chunks kept
    in `store` (a folder; None: none kept), reused unless `reuse` is False (`--clean`)."""

    workers: int
    store: Path | None = None
    reuse: bool = True


def write_chunked(
    book: RenderedBook, path: Path, chunking: Chunking, tell: Callable[[str, bool], None]
) -> Exported:
    """Write a PDF edition laid out in chunks atomically; `tell(chunk, laid_out)` hears of each
    chunk laid out (True) or reused from the store (False)."""
    from .chunked import export_chunked
    from .chunkstore import ChunkStore

    store = ChunkStore(chunking.store, chunking.reuse) if chunking.store is not None else None
    exported = export_chunked(book, chunking.workers, store, tell)
    write_bytes_atomically(path, exported.data)
    return exported


def write_editions(
    handed: Handed,
    paths: tuple[Path, Path],
    chunking: Chunking,
    tell: Callable[[str, bool], None],
    tell_screen: Callable[[str, bool], None],
    tell_print: Callable[[str, bool], None] | None = None,
    meanwhile: Callable[[Pagination | None], None] | None = None,
    idle: Callable[[], None] | None = None,
) -> tuple[Exported, Exported]:
    """Write the print and the screen PDF (`handed`'s books, to `paths`, in that order) from one
    layout of the print book's chunks (export/editions.py `export_editions`, which lets go of
    the books once their chunk jobs are made), atomically; `tell` hears of the chunks of that
    layout laid out or reused, `tell_screen` of the screen PDF's own (its cover; all its chunks
    when it needs a layout of its own), `tell_print` of the print PDF's then. Each PDF is
    written as it is merged, by the process that merges it (the screen PDF's: another one,
    export/editions.py `_aside`); `meanwhile(pagination)` is called with the print PDF's
    pagination while the screen PDF is merged (export_editions), `idle()` once while the
    chunks are laid out if a worker would wait (chunked.py `lay_out`); both are returned without
    their bytes (`data` b"": they are on disk)."""
    from .chunkstore import ChunkStore
    from .editions import export_editions

    store = ChunkStore(chunking.store, chunking.reuse) if chunking.store is not None else None
    exported = export_editions(
        handed, chunking.workers, store, tell, tell_screen, tell_print, meanwhile, idle, paths
    )
    for path, made in zip(paths, exported, strict=True):
        if made.data:  # laid out apart or whole: not written yet
            write_bytes_atomically(path, made.data)
    return dataclasses.replace(exported[0], data=b""), dataclasses.replace(exported[1], data=b"")


def export(book: RenderedBook) -> Exported:
    """The edition `book.target` as bytes. Raises BuildFailed as its exporter does."""
    return EXPORTERS[book.target](book)


def write(book: RenderedBook, path: Path) -> Exported:
    """Export and write `path` atomically (the old file stays if anything fails)."""
    exported = export(book)
    write_bytes_atomically(path, exported.data)
    return exported

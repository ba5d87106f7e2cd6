"""EPUB 3 through EbookLib. The only module that imports EbookLib."""

from __future__ import annotations

from pathlib import Path

from ..book import RenderedBook


def export_epub(book: RenderedBook, target: Path) -> Path:
    raise NotImplementedError("EPUB export is not written yet")

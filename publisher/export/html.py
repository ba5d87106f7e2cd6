"""The single-file HTML edition: images are already inlined by the renderer."""

from __future__ import annotations

from pathlib import Path

from ..base.book import RenderedBook
from ..base.files import write_bytes_atomically


def export_html(book: RenderedBook, target: Path) -> Path:
    return write_bytes_atomically(target, book.page.encode("utf-8"))

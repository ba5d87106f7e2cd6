"""The single-file HTML edition: images are already inlined by the renderer."""

from __future__ import annotations

from ..base.rendered import Exported, RenderedBook


def export_html(book: RenderedBook) -> Exported:
    """The page's bytes: `book.encoded`, when the renderer made it so, else `book.page`'s."""
    return Exported(book.encoded or book.page.encode("utf-8"))

"""The single-file HTML edition: images are already inlined by the renderer."""

from __future__ import annotations

from ..base.rendered import Exported, RenderedBook


def export_html(book: RenderedBook) -> Exported:
    return Exported(book.page.encode("utf-8"))

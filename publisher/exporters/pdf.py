"""PDF through WeasyPrint. The only module that imports WeasyPrint."""

from __future__ import annotations

from pathlib import Path

import weasyprint

from ..book import RenderedBook, Target
from .files import write_atomically


def export_pdf(book: RenderedBook, target: Path) -> Path:
    spec = book.anthology.spec
    document = weasyprint.HTML(string=book.page, base_url=str(spec.root)).render()
    options: dict[str, object] = {"uncompressed_pdf": False, "custom_metadata": True}
    if book.target is Target.SCREEN_PDF:
        options["pdf_variant"] = "pdf/ua-1"
    elif spec.pdf_variant:
        options["pdf_variant"] = spec.pdf_variant

    def produce(temp: Path) -> None:
        document.write_pdf(temp, **options)

    return write_atomically(target, produce)

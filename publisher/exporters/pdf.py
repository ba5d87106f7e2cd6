"""PDF through WeasyPrint. The only module that imports WeasyPrint.

Two profiles from one HTML source: `screen` (tagged PDF/UA-1, links, outline) and `print`
(bleed, crop marks, optional PDF/A or PDF/X). Dates and the file identifier are derived from
the book and `SOURCE_DATE_EPOCH`, so two builds of the same sources are byte-identical.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import uuid
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import weasyprint
import weasyprint.pdf.metadata

from ..book import RenderedBook, Target
from ..diagnostics import Diagnostic
from ..fonts import check_fonts
from .files import write_atomically


@dataclass(frozen=True)
class PdfExport:
    path: Path
    diagnostics: tuple[Diagnostic, ...]
    pages: int


def export_pdf(book: RenderedBook, target: Path) -> PdfExport:
    spec = book.anthology.spec
    where = spec.path.relative_to(spec.root) if spec.path.is_relative_to(spec.root) else spec.path
    diagnostics = check_fonts(book.stylesheet, where)
    document = weasyprint.HTML(string=book.page, base_url=str(spec.root)).render()

    stamp = source_date()
    if stamp is not None:
        # WeasyPrint writes CreationDate/ModDate (and the XMP dates) from these fields.
        document.metadata.created = document.metadata.modified = stamp
    elif document.metadata.modified is None:
        document.metadata.modified = _w3c(dt.datetime.now(dt.UTC))

    variant = "pdf/ua-1" if book.target is Target.SCREEN_PDF else spec.pdf_variant
    options: dict[str, object] = {
        "uncompressed_pdf": False,
        # The first half of /ID names the book (stable across editions), per ISO 32000 §14.4;
        # pydyf derives the second half from the content, so it changes only when the PDF does.
        "pdf_identifier": _book_id(book).encode("ascii"),
    }
    if variant:
        options["pdf_variant"] = variant

    def produce(temp: Path) -> None:
        with _stable_xmp_ids(book):
            document.write_pdf(temp, **options)

    return PdfExport(write_atomically(target, produce), diagnostics, len(document.pages))


def source_date() -> str | None:
    """`SOURCE_DATE_EPOCH` as a W3C date-time (what WeasyPrint's metadata expects), if set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch.isdigit():
        return None
    return _w3c(dt.datetime.fromtimestamp(int(epoch), dt.UTC))


def _w3c(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _book_id(book: RenderedBook) -> str:
    spec = book.anthology.spec
    key = f"{spec.slug}|{spec.isbn_print or spec.isbn_epub or ''}|{book.target.value}"
    return hashlib.md5(key.encode("utf-8")).hexdigest()


def _stable_xmp_ids(book: RenderedBook) -> AbstractContextManager[object]:
    """PDF/X-4 XMP gets a random xmpMM:DocumentID from uuid4 (a TODO in WeasyPrint 70):
    replace it, for this write only, with a UUID derived from the book."""
    if not hasattr(weasyprint.pdf.metadata, "uuid4"):
        return nullcontext()
    derived = uuid.uuid5(uuid.NAMESPACE_URL, f"urn:publisher:{_book_id(book)}")
    return mock.patch.object(weasyprint.pdf.metadata, "uuid4", lambda: derived)

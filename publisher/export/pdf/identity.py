"""Dates and identifiers of the PDFs: the same sources give the same bytes.

The build's moment comes from `SOURCE_DATE_EPOCH` when set (base/project.py); the first half of
the file identifier /ID names the book and its profile (ISO 32000 §14.4); PDF/X-4's XMP
DocumentID is derived from it instead of WeasyPrint's uuid4.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from contextlib import AbstractContextManager, nullcontext
from unittest import mock

from ...base.project import source_date
from ...base.rendered import RenderedBook


def w3c_source_date() -> str | None:
    """`SOURCE_DATE_EPOCH` as a W3C date-time (what WeasyPrint's metadata expects), if set."""
    moment = source_date()
    return None if moment is None else w3c(moment)


def w3c(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def book_id(book: RenderedBook) -> str:
    """The first half of the PDF's /ID: 32 hex digits naming the book and its profile."""
    return _book_id(book)


def _book_id(book: RenderedBook) -> str:
    spec = book.anthology.spec
    key = f"{spec.slug}|{spec.isbn_print or spec.isbn_epub or ''}|{book.target.value}"
    return hashlib.md5(key.encode("utf-8")).hexdigest()


def stable_xmp_ids(book: RenderedBook | str) -> AbstractContextManager[object]:
    """PDF/X-4 XMP gets a random xmpMM:DocumentID from uuid4 (a TODO in WeasyPrint 70):
    replace it, for this write only, with a UUID derived from the book (or its id)."""
    import weasyprint.pdf.metadata  # here: the build process uses this module without it

    if not hasattr(weasyprint.pdf.metadata, "uuid4"):
        return nullcontext()
    book_id = book if isinstance(book, str) else _book_id(book)
    derived = uuid.uuid5(uuid.NAMESPACE_URL, f"urn:publisher:{book_id}")
    return mock.patch.object(weasyprint.pdf.metadata, "uuid4", lambda: derived)

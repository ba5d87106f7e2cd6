"""How many pages a PDF has, read by pikepdf (the validators' PDF reader): the retailer
package's ONIX extent is the print PDF's own count, not what the build believed it wrote."""

from __future__ import annotations

from pathlib import Path

import pikepdf


def pdf_pages(pdf: Path) -> int:
    """The number of pages of the PDF at `pdf`. Raises OSError when it cannot be read,
    pikepdf.PdfError when it is not a PDF."""
    with pikepdf.open(pdf) as document:
        return len(document.pages)

"""The cover wrap's page laid out (export/wrap.py builds its HTML): its one-page PDF, the lines
that overflow a panel, and the widths of the spine's texts."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from typing import Any, NamedTuple
from unittest import mock

import weasyprint
import weasyprint.formatting_structure.boxes
import weasyprint.pdf.metadata

from ...base.access import Access
from ...base.diagnostics import BuildFailed
from ...base.model import AnthologySpec
from ..output_intent import pdfx_for_spec
from .boxes import every_box
from .face_fonts import fonts_keyed_by_file
from .fetcher import ProjectFetcher, Refusal
from .identity import w3c_source_date


class Overflow(NamedTuple):
    """What the layout put below a box's content area: whole lines, and the words on them."""

    lines: int
    words: int


def export_wrap(spec: AnthologySpec, page: str, measured: str) -> tuple[bytes, Overflow]:
    """The cover wrap's one-page PDF from its HTML (export/wrap.py), fonts embedded; its
    `@page` bleed gives the MediaBox/BleedBox and the TrimBox. `measured`: the id of a box
    whose laid-out lines must end inside its content area; the Overflow counts those that do
    not (0 lines: it fits). Raises BuildFailed when the page names a resource the gate refuses
    (it names none but `data:` URIs)."""
    fetcher = ProjectFetcher(Access.for_spec(spec))
    try:
        document = weasyprint.HTML(
            string=page, base_url=str(spec.root), url_fetcher=fetcher
        ).render()
    except Refusal as refusal:
        raise BuildFailed([refusal.refused.diagnostic(spec.path)]) from None
    document.metadata.keywords = list(spec.subjects)  # whole, as export_pdf's
    stamp = w3c_source_date()
    if stamp is not None:
        document.metadata.created = document.metadata.modified = stamp
    key = f"{spec.slug}|{spec.isbn_print or ''}|cover"
    options: dict[str, object] = {
        "uncompressed_pdf": False,
        "pdf_identifier": hashlib.md5(key.encode("utf-8")).hexdigest().encode("ascii"),
    }
    if spec.pdf_variant:
        options["pdf_variant"] = spec.pdf_variant
    # PDF/X-4's XMP DocumentID from the wrap's key, not uuid4 (as `stable_xmp_ids`)
    derived = uuid.uuid5(uuid.NAMESPACE_URL, f"urn:publisher:{options['pdf_identifier']!r}")
    stable = mock.patch.object(weasyprint.pdf.metadata, "uuid4", lambda: derived)
    with fonts_keyed_by_file(), stable:
        data: bytes = document.write_pdf(**options)
    data = pdfx_for_spec(data, spec, spec.pdf_variant)  # PDF/X: the output intent WeasyPrint omits
    return data, _overflow(document.pages[0]._page_box, measured)


def widths(spec: AnthologySpec, page: str, ids: Sequence[str]) -> list[float]:
    """The laid-out widths, in millimetres, of the boxes of `ids` on the first page of the
    HTML `page` (0 for an id not found): export/wrap.py measures the spine's text on one line
    (absolutely positioned, `white-space: nowrap`: as wide as its text)."""
    fetcher = ProjectFetcher(Access.for_spec(spec))  # the page names no file: none is read
    document = weasyprint.HTML(string=page, base_url=str(spec.root), url_fetcher=fetcher).render()
    found = {
        box.element.get("id"): box.width * 25.4 / 96  # CSS px → mm
        for box in every_box(document.pages[0]._page_box)
        if box.element is not None and box.element.get("id") in ids and box.width is not None
    }
    return [found.get(name, 0.0) for name in ids]


def _overflow(page: Any, element_id: str) -> Overflow:
    """The innermost line boxes inside the box of `element_id` (on the laid-out page `page`)
    whose bottom is below that box's content area, and the words they hold; Overflow(0, 0)
    without that box. The box's lines must all be laid out (WeasyPrint drops those of a block
    that run past the page's end: export/wrap.py puts them in an inline-block, laid out whole)."""
    line_box = weasyprint.formatting_structure.boxes.LineBox
    text_box = weasyprint.formatting_structure.boxes.TextBox
    for box in every_box(page):
        if box.element is not None and box.element.get("id") == element_id:
            bottom = box.content_box_y() + box.height + 0.5  # CSS px; half a px of rounding
            lines = [
                line
                for line in every_box(box)
                if isinstance(line, line_box)
                and line.position_y + line.height > bottom
                and not any(isinstance(inner, line_box) for inner in list(every_box(line))[1:])
            ]
            words = sum(
                len(text.text.split())
                for line in lines
                for text in every_box(line)
                if isinstance(text, text_box)
            )
            return Overflow(len(lines), words)
    return Overflow(0, 0)

"""A whole book's PDF, laid out in one render: the screen or the print profile."""

from __future__ import annotations

import datetime as dt

import weasyprint

from ...base.access import Access
from ...base.diagnostics import BuildFailed
from ...base.locale import Locale
from ...base.model import AnthologySpec
from ...base.rendered import Exported, RenderedBook, Target
from ..output_intent import pdfx_for_spec
from .carried import links_kept
from .face_fonts import fonts_keyed_by_file
from .fetcher import ProjectFetcher, Refusal
from .identity import book_id, stable_xmp_ids, w3c, w3c_source_date
from .pagination import documents, folio, paginate
from .patches import list_numbers_kept, notes_stay_with_calls
from .pseudo_styles import pseudo_styles_on_demand
from .verdicts import book_diagnostics


def export_pdf(book: RenderedBook) -> Exported:
    """The PDF's bytes, page count, font diagnostics and (print) pagination. Raises
    BuildFailed when a resource the book names is refused."""
    spec = book.anthology.spec
    where = spec.path  # already the shown path (relative to the project)
    diagnostics = book_diagnostics(book)
    # The gate the book was rendered through: the build's `--allow-remote`, not the spec's.
    fetcher = ProjectFetcher(book.access or Access.for_spec(spec))
    try:
        with notes_stay_with_calls(), pseudo_styles_on_demand(), list_numbers_kept():
            document = weasyprint.HTML(
                string=book.page, base_url=str(spec.root), url_fetcher=fetcher
            ).render()
    except Refusal as refusal:
        raise BuildFailed([refusal.refused.diagnostic(where)]) from None

    # The subjects whole: WeasyPrint splits `<meta name="keywords">` at commas and drops repeats,
    # which would cut "Guerra Civil española, 1936-1939, en el cine" into three keywords.
    document.metadata.keywords = list(spec.subjects)
    # WeasyPrint writes CreationDate/ModDate (and the XMP dates) from these fields: both the
    # build's moment, never the book's `date` (which may be in the future, after ModDate).
    stamp = w3c_source_date() or w3c(dt.datetime.now(dt.UTC))
    document.metadata.created = document.metadata.modified = stamp

    variant = "pdf/ua-1" if book.target is Target.SCREEN_PDF else spec.pdf_variant
    options: dict[str, object] = {
        "uncompressed_pdf": False,
        # The first half of /ID names the book (stable across editions), per ISO 32000 §14.4;
        # pydyf derives the second half from the content, so it changes only when the PDF does.
        "pdf_identifier": book_id(book).encode("ascii"),
    }
    if variant:
        options["pdf_variant"] = variant

    annotated = book.target is Target.SCREEN_PDF  # carried.py: no link in the print PDF
    with stable_xmp_ids(book), fonts_keyed_by_file(), links_kept((), annotated):
        try:
            data: bytes = document.write_pdf(**options)
        except Refusal as refusal:  # attachments are fetched while writing
            raise BuildFailed([refusal.refused.diagnostic(where)]) from None
    data = pdfx_for_spec(data, spec, variant)  # PDF/X: the output intent WeasyPrint omits
    if book.target is Target.SCREEN_PDF:
        data = _labelled(data, document, spec)

    # Read from the layout just written: the print book is never laid out twice.
    pagination = paginate(document) if book.target is Target.PRINT_PDF else None
    return Exported(data, len(document.pages), diagnostics, pagination)


def _labelled(data: bytes, document: weasyprint.Document, spec: AnthologySpec) -> bytes:
    """The screen PDF with page labels (export/pagelabels.py): its pages before the first that
    holds a document are the cover's; the others are labelled with their folios."""
    from ..pagelabels import labelled, page_labels

    pages = document.pages
    flows = [page._page_box.children[0] for page in pages]
    cover = next((index for index, flow in enumerate(flows) if any(documents(flow))), 0)
    folios = [folio(page._page_box) or str(number) for number, page in enumerate(pages[cover:], 1)]
    return labelled(data, page_labels(cover, Locale.for_spec(spec).word("cover"), folios))

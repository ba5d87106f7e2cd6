"""PDF through WeasyPrint. The only module that imports WeasyPrint.

Two profiles from one HTML source: `screen` (tagged PDF/UA-1, links, outline) and `print`
(bleed, crop marks, optional PDF/A or PDF/X). Dates and the file identifier are derived from
the book and `SOURCE_DATE_EPOCH`, so two builds of the same sources are byte-identical.
`export_wrap` lays out the cover wrap's page (export/wrap.py builds it).

Length: WeasyPrint's only importer holds every workaround of its layout and its PDF writer.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import inspect
import mimetypes
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, NamedTuple
from unittest import mock

import weasyprint
import weasyprint.css
import weasyprint.formatting_structure.boxes
import weasyprint.html
import weasyprint.layout.block
import weasyprint.pdf.fonts
import weasyprint.pdf.metadata
import weasyprint.pdf.stream
import weasyprint.text.fonts
import weasyprint.urls
from weasyprint.text.ffi import harfbuzz

from ..base.access import Access, Refused
from ..base.diagnostics import BuildFailed
from ..base.fonts import check_book, check_fonts
from ..base.model import AnthologySpec
from ..base.project import source_date
from ..base.rendered import Exported, PageStart, Pagination, RenderedBook, Target, letters
from .output_intent import pdfx_for_spec


def export_pdf(book: RenderedBook) -> Exported:
    """The PDF's bytes, page count, font diagnostics and (print) pagination. Raises
    BuildFailed when a resource the book names is refused."""
    spec = book.anthology.spec
    where = spec.path  # already the shown path (relative to the project)
    diagnostics = check_fonts(book.stylesheet, where) + check_book(book)
    # The gate the book was rendered through: the build's `--allow-remote`, not the spec's.
    fetcher = _ProjectFetcher(book.access or Access.for_spec(spec))
    try:
        with notes_stay_with_calls(), _list_numbers_kept():
            document = weasyprint.HTML(
                string=book.page, base_url=str(spec.root), url_fetcher=fetcher
            ).render()
    except _Refusal as refusal:
        raise BuildFailed([refusal.refused.diagnostic(where)]) from None

    # The subjects whole: WeasyPrint splits `<meta name="keywords">` at commas and drops repeats,
    # which would cut "Guerra Civil española, 1936-1939, en el cine" into three keywords.
    document.metadata.keywords = list(spec.subjects)
    # WeasyPrint writes CreationDate/ModDate (and the XMP dates) from these fields: both the
    # build's moment, never the book's `date` (which may be in the future, after ModDate).
    stamp = w3c_source_date() or _w3c(dt.datetime.now(dt.UTC))
    document.metadata.created = document.metadata.modified = stamp

    variant = "pdf/ua-1" if book.target is Target.SCREEN_PDF else spec.pdf_variant
    options: dict[str, object] = {
        "uncompressed_pdf": False,
        # The first half of /ID names the book (stable across editions), per ISO 32000 §14.4;
        # pydyf derives the second half from the content, so it changes only when the PDF does.
        "pdf_identifier": _book_id(book).encode("ascii"),
    }
    if variant:
        options["pdf_variant"] = variant

    with _stable_xmp_ids(book), _fonts_keyed_by_file():
        try:
            data: bytes = document.write_pdf(**options)
        except _Refusal as refusal:  # attachments are fetched while writing
            raise BuildFailed([refusal.refused.diagnostic(where)]) from None
    data = pdfx_for_spec(data, spec, variant)  # PDF/X: the output intent WeasyPrint omits

    # Read from the layout just written: the print book is never laid out twice.
    pagination = paginate(document) if book.target is Target.PRINT_PDF else None
    return Exported(data, len(document.pages), diagnostics, pagination)


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
    fetcher = _ProjectFetcher(Access.for_spec(spec))
    try:
        document = weasyprint.HTML(
            string=page, base_url=str(spec.root), url_fetcher=fetcher
        ).render()
    except _Refusal as refusal:
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
    # PDF/X-4's XMP DocumentID from the wrap's key, not uuid4 (as `_stable_xmp_ids`)
    derived = uuid.uuid5(uuid.NAMESPACE_URL, f"urn:publisher:{options['pdf_identifier']!r}")
    stable = mock.patch.object(weasyprint.pdf.metadata, "uuid4", lambda: derived)
    with _fonts_keyed_by_file(), stable:
        data: bytes = document.write_pdf(**options)
    data = pdfx_for_spec(data, spec, spec.pdf_variant)  # PDF/X: the output intent WeasyPrint omits
    return data, _overflow(document.pages[0]._page_box, measured)


def widths(spec: AnthologySpec, page: str, ids: Sequence[str]) -> list[float]:
    """The laid-out widths, in millimetres, of the boxes of `ids` on the first page of the
    HTML `page` (0 for an id not found): export/wrap.py measures the spine's text on one line
    (absolutely positioned, `white-space: nowrap`: as wide as its text)."""
    fetcher = _ProjectFetcher(Access.for_spec(spec))  # the page names no file: none is read
    document = weasyprint.HTML(string=page, base_url=str(spec.root), url_fetcher=fetcher).render()
    found = {
        box.element.get("id"): box.width * 25.4 / 96  # CSS px → mm
        for box in _boxes(document.pages[0]._page_box)
        if box.element is not None and box.element.get("id") in ids and box.width is not None
    }
    return [found.get(name, 0.0) for name in ids]


def _boxes(box: Any) -> Iterator[Any]:
    """`box` and every box inside it, absolutely positioned ones too (`descendants()` stops at
    their placeholders; a placeholder hands attribute reads to its box)."""
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def _overflow(page: Any, element_id: str) -> Overflow:
    """The innermost line boxes inside the box of `element_id` (on the laid-out page `page`)
    whose bottom is below that box's content area, and the words they hold; Overflow(0, 0)
    without that box. The box's lines must all be laid out (WeasyPrint drops those of a block
    that run past the page's end: export/wrap.py puts them in an inline-block, laid out whole)."""
    line_box = weasyprint.formatting_structure.boxes.LineBox
    text_box = weasyprint.formatting_structure.boxes.TextBox
    for box in _boxes(page):
        if box.element is not None and box.element.get("id") == element_id:
            bottom = box.content_box_y() + box.height + 0.5  # CSS px; half a px of rounding
            lines = [
                line
                for line in _boxes(box)
                if isinstance(line, line_box)
                and line.position_y + line.height > bottom
                and not any(isinstance(inner, line_box) for inner in list(_boxes(line))[1:])
            ]
            words = sum(
                len(text.text.split())
                for line in lines
                for text in _boxes(line)
                if isinstance(text, text_box)
            )
            return Overflow(len(lines), words)
    return Overflow(0, 0)


def w3c_source_date() -> str | None:
    """`SOURCE_DATE_EPOCH` as a W3C date-time (what WeasyPrint's metadata expects), if set."""
    moment = source_date()
    return None if moment is None else _w3c(moment)


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


# WeasyPrint 70, layout/block.py `_linebox_layout`: when a paragraph's second line (with the
# default `orphans: 2`) overflows the page, it moves the page's LAST footnote to the next page to
# make room, whether or not that note's call is in this paragraph (added for
# Kozea/WeasyPrint#2432 by PR #2437). If the paragraph is then pushed to the next page anyway
# (widows, `break-after: avoid`), the note is not brought back: it leaves its call's page
# although it fits there (a call in a `##` heading met it first). CSS GCPM 3 (#footnote-policy)
# and our promise keep a note on its call's page whenever it fits, so we switch that report
# off and let the paragraph break as it did before #2437 (the page may end a line short).
ORPHAN_REPORT = "report = not context.in_column and can_break_now and not could_break_before"


@functools.cache
def linebox_layout_keeping_notes() -> Callable[..., Any] | None:
    """WeasyPrint's own `_linebox_layout` without the orphan-driven footnote report, or None
    if this WeasyPrint no longer has that statement (tests/test_notes.py then fails)."""
    module = weasyprint.layout.block
    source = inspect.getsource(module._linebox_layout)
    if source.count(ORPHAN_REPORT) != 1:
        return None
    namespace = dict(vars(module))
    code = compile(source.replace(ORPHAN_REPORT, "report = False"), module.__file__, "exec")
    exec(code, namespace)  # defined in a copy of the module's globals; the module is untouched
    function: Callable[..., Any] = namespace["_linebox_layout"]
    return function


_LAYOUT_LOCK = threading.Lock()  # the replacement is module-wide: one render at a time


@contextmanager
def notes_stay_with_calls() -> Iterator[None]:
    """Lay out with `linebox_layout_keeping_notes` for the duration of one render.

    Renders wait for each other (the preview server may ask for a PDF from two threads), so one
    render's exit never takes the replacement away from another still laying out.
    """
    function = linebox_layout_keeping_notes()
    with _LAYOUT_LOCK:
        if function is None:
            yield
            return
        with mock.patch.object(weasyprint.layout.block, "_linebox_layout", function):
            yield


def _list_numbers_kept() -> AbstractContextManager[object]:
    """For this render only, number `<ol start>` and `<li value>` as HTML says.

    WeasyPrint 70 maps these attributes to list-item counters only among its presentational
    hints, which also size images from `width`/`height` and more; the book leaves hints off, so
    a paragraph opening with a year ("1975. Fue…", an `<ol start="1975">` in Markdown) printed
    "1.". This adds the two mappings alone, with the declarations of WeasyPrint's own hints
    (the UA stylesheet of CSS Lists 3, §8.1, at the hints' specificity).
    """
    original = weasyprint.css.find_style_attributes

    def with_list_numbers(
        tree: Any, presentational_hints: bool = False, base_url: str | None = None
    ) -> Iterator[Any]:
        yield from original(tree, presentational_hints, base_url)
        if presentational_hints:
            return  # WeasyPrint's own hints already include these
        for element in tree.iter():
            if element.tag not in ("ol", "li"):
                continue
            attribute = "start" if element.tag == "ol" else "value"
            number = weasyprint.html.parse_integer(element.get(attribute))
            if number is None:
                continue
            increment = "list-item -1" if element.tag == "ol" else "none"
            for declaration in (
                f"counter-reset:list-item {number}",
                f"counter-increment:{increment}",
            ):
                # tinycss2 as WeasyPrint imports it: the parser its cascade expects
                parsed = weasyprint.css.tinycss2.parse_one_declaration(declaration)
                yield (0, 0, 0), element, (parsed,), base_url

    return mock.patch.object(weasyprint.css, "find_style_attributes", with_list_numbers)


def _fonts_keyed_by_file() -> AbstractContextManager[object]:
    """For this write only, key each embedded font by its face as well as its description.

    WeasyPrint 70 keys the fonts of a PDF by their Pango description (family, style, weight;
    `get_pango_font_key`), so two font files with one description become one PDF font: the
    glyph ids shaped with either are drawn from the program of the first (the fault behind
    "TODO: Find why we can have multiple fonts for one font file" in `build_fonts_dictionary`,
    and behind Kozea/WeasyPrint#1951). Debian's fonts-ebgaramond installs two optical sizes
    under the family "EB Garamond", 08 and 12, with identical descriptions: fontconfig picks
    08 for the text and Pango falls back to 12 for what 08 lacks (• ◦ → ™ №), whose glyph
    ids then drew 08's glyphs ("•", gid 1578 of the 12, drew `A.ordn` of the 08, a small
    superscript A). Keyed by face, each file is its own PDF font with its own program.
    """
    return mock.patch.multiple(
        weasyprint.pdf.stream, get_pango_font_key=_face_font_key, Font=_FaceFont
    )


def _face_font_key(pango_font: Any) -> tuple[Any, Any, float]:
    """WeasyPrint's key widened with the face: its index in its collection, glyph count and
    file length (cheap: this runs once per text run)."""
    key, description, font_size = weasyprint.text.fonts.get_pango_font_key(pango_font)
    face = weasyprint.text.fonts.get_pango_font_hb_face(pango_font)
    blob = harfbuzz.hb_face_reference_blob(face)
    try:
        length = harfbuzz.hb_blob_get_length(blob)
    finally:
        harfbuzz.hb_blob_destroy(blob)
    face_key = (harfbuzz.hb_face_get_index(face), harfbuzz.hb_face_get_glyph_count(face), length)
    return (key, face_key), description, font_size


class _FaceFont(weasyprint.pdf.fonts.Font):  # type: ignore[misc]
    """WeasyPrint's font whose `hash` (PDF resource name, subset tag and embedding group) also
    covers its face's bytes: six letters A-Z like WeasyPrint's own, stable across builds."""

    def __init__(self, pango_font: Any, description: Any, font_size: float) -> None:
        super().__init__(pango_font, description, font_size)
        described: str = getattr(self, "hash")  # noqa: B009 (untyped upstream attribute)
        name: bytes = getattr(self, "name")  # noqa: B009
        digest = hashlib.md5(usedforsecurity=False)
        digest.update(described.encode("ascii"))
        digest.update(self.index.to_bytes(4, "big"))
        digest.update(self.file_content)
        tag = "".join(chr(65 + byte % 26) for byte in digest.digest()[:6])
        self.hash = tag
        self.name = b"/" + tag.encode("ascii") + name[name.index(b"+") :]


class _Refusal(weasyprint.urls.FatalURLFetchingError):  # type: ignore[misc]
    """Fatal by design: WeasyPrint only logs ordinary fetch errors and goes on."""

    def __init__(self, refused: Refused) -> None:
        super().__init__(refused.message)
        self.refused = refused


class _ProjectFetcher(weasyprint.urls.URLFetcher):  # type: ignore[misc]
    """WeasyPrint's fetcher subclassed as its security docs advise: every URL the page, its CSS,
    fonts and SVG name, and every redirect (which re-enters `fetch` since WeasyPrint 68), goes
    through access.Access. `data:` URIs are decoded by WeasyPrint itself."""

    def __init__(self, access: Access) -> None:
        super().__init__(allowed_protocols=("data", "file", "http", "https"), allow_redirects=False)
        self.access = access

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url[:5].lower() == "data:":
            return super().fetch(url, headers)
        try:
            data = self.access.read_url(url)
        except Refused as refused:
            raise _Refusal(refused) from None
        kind = mimetypes.guess_type(url.split("?")[0])[0] or "application/octet-stream"
        return weasyprint.urls.URLFetcherResponse(url, data, {"Content-Type": kind})


# -- pagination: where each printed page begins in the text -------------------------------------

# Generated content: not in the source, so not in the other editions either.
GENERATED = ("::before", "::after", "::marker", "::footnote-call", "::footnote-marker")


def paginate(document: weasyprint.Document) -> Pagination:
    """The first body text on each page (margin boxes and the footnote area are not the flow),
    located by its element and the letters of that element's own text on earlier pages."""
    pages: list[PageStart] = []
    openings: dict[str, str] = {}
    counted: dict[Any, int] = {}  # element → letters of its own text laid out so far
    headers: set[int] = set()
    root = document.pages[0]._page_box.children[0].element if document.pages else None
    parents = {child: parent for parent in root.iter() for child in parent} if root else {}
    for number, page in enumerate(document.pages, 1):
        page_box = page._page_box
        flow = page_box.children[0]
        label = _folio(page_box) or str(number)
        first: tuple[Any, int] | None = None
        for box in _flow_text(flow, headers):
            if first is None:
                first = (box.element, counted.get(box.element, 0))
            counted[box.element] = counted.get(box.element, 0) + letters(box.text)
        for document_id in _documents(flow):
            openings.setdefault(document_id, label)
        pages.append(_page_start(label, first, parents))
    return Pagination(tuple(pages), tuple(openings.items()))


def _flow_text(box: Any, headers: set[int]) -> Iterator[Any]:
    """Text boxes of source text, in document order."""
    if (box.element_tag or "").endswith(GENERATED):
        return
    if getattr(box, "is_header", False) or getattr(box, "is_footer", False):
        # A table header or footer repeats on every page the table spans: text only once.
        if id(box.element) in headers:
            return
        headers.add(id(box.element))
    if isinstance(box, weasyprint.formatting_structure.boxes.TextBox):
        if box.text.strip():
            yield box
        return
    for child in getattr(box, "children", ()):
        yield from _flow_text(child, headers)


def _documents(flow: Any) -> Iterator[str]:
    """Ids of the book's documents (the children of <body>) with a box on this page."""
    for body in flow.children:
        for child in getattr(body, "children", ()):
            if child.element is not None and child.element.get("id"):
                yield str(child.element.get("id"))


def _folio(page_box: Any) -> str | None:
    for margin in page_box.children[1:]:
        if str(getattr(margin, "at_keyword", "")).startswith("@bottom"):
            text = "".join(box.text for box in _flow_text(margin, set())).strip()
            if text:
                return text
    return None


def _page_start(label: str, first: tuple[Any, int] | None, parents: dict[Any, Any]) -> PageStart:
    if first is None:
        return PageStart(label)
    element, offset = first
    path: list[int] = []
    while element in parents and parents[element].tag != "body":
        parent = parents[element]
        path.append([c for c in parent if isinstance(c.tag, str)].index(element))
        element = parent
    if element not in parents:  # not inside a document (cannot happen with our templates)
        return PageStart(label)
    return PageStart(label, element.get("id"), tuple(reversed(path)), offset)

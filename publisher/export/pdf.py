"""PDF through WeasyPrint. The only module that imports WeasyPrint.

Two profiles from one HTML source: `screen` (tagged PDF/UA-1, links, outline) and `print`
(bleed, crop marks, optional PDF/A or PDF/X). Dates and the file identifier are derived from
the book and `SOURCE_DATE_EPOCH`, so two builds of the same sources are byte-identical.
`export_wrap` lays out the cover wrap's page (export/wrap.py builds it). `lay_out_chunk` and
`finish_chunk` lay out one chunk of a book on its own (export/chunked.py plans and merges them);
`finish_chunk` also writes a print chunk's layout as the screen PDF's chunk when the job asks
(`_screen_write`, export/editions.py: one layout for both PDFs).

Length: WeasyPrint's only importer holds every workaround of its layout and its PDF writer,
and the hooks a chunked layout needs (page counter, named strings and targets from elsewhere),
and the restyling of a laid-out chunk for its second write (screen after print).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import inspect
import mimetypes
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any, NamedTuple
from unittest import mock

import weasyprint
import weasyprint.anchors
import weasyprint.css
import weasyprint.css.properties
import weasyprint.css.targets
import weasyprint.css.tokens
import weasyprint.document
import weasyprint.formatting_structure.boxes
import weasyprint.html
import weasyprint.layout
import weasyprint.layout.background
import weasyprint.layout.block
import weasyprint.layout.page
import weasyprint.matrix
import weasyprint.pdf
import weasyprint.pdf.fonts
import weasyprint.pdf.metadata
import weasyprint.pdf.stream
import weasyprint.text.fonts
import weasyprint.text.line_break
import weasyprint.urls
from weasyprint.text.ffi import harfbuzz

from ..base.access import Access, Refused
from ..base.diagnostics import BuildFailed, Diagnostic
from ..base.fonts import check_book, check_fonts
from ..base.gate import recording
from ..base.locale import Locale
from ..base.model import AnthologySpec
from ..base.project import source_date
from ..base.rendered import Exported, PageStart, Pagination, RenderedBook, Target, letters
from .chunkdata import Bookmark, ChunkJob, ChunkPdf, ChunkUnsafe, LayoutsDiffer, Pairs, Shape
from .output_intent import pdfx_for_spec


def book_diagnostics(book: RenderedBook) -> tuple[Diagnostic, ...]:
    """What the fonts the book's stylesheet names, and its text, need said (base/fonts.py)."""
    where = book.anthology.spec.path  # already the shown path (relative to the project)
    return tuple(check_fonts(book.stylesheet, where) + check_book(book))


def export_pdf(book: RenderedBook) -> Exported:
    """The PDF's bytes, page count, font diagnostics and (print) pagination. Raises
    BuildFailed when a resource the book names is refused."""
    spec = book.anthology.spec
    where = spec.path  # already the shown path (relative to the project)
    diagnostics = book_diagnostics(book)
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
    if book.target is Target.SCREEN_PDF:
        data = _labelled(data, document, spec)

    # Read from the layout just written: the print book is never laid out twice.
    pagination = paginate(document) if book.target is Target.PRINT_PDF else None
    return Exported(data, len(document.pages), diagnostics, pagination)


def _labelled(data: bytes, document: weasyprint.Document, spec: AnthologySpec) -> bytes:
    """The screen PDF with page labels (export/pagelabels.py): its pages before the first that
    holds a document are the cover's; the others are labelled with their folios."""
    from .pagelabels import labelled, page_labels

    pages = document.pages
    flows = [page._page_box.children[0] for page in pages]
    cover = next((index for index, flow in enumerate(flows) if any(_documents(flow))), 0)
    folios = [_folio(page._page_box) or str(number) for number, page in enumerate(pages[cover:], 1)]
    return labelled(data, page_labels(cover, Locale.for_spec(spec).word("cover"), folios))


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


def book_id(book: RenderedBook) -> str:
    """The first half of the PDF's /ID: 32 hex digits naming the book and its profile."""
    return _book_id(book)


def _book_id(book: RenderedBook) -> str:
    spec = book.anthology.spec
    key = f"{spec.slug}|{spec.isbn_print or spec.isbn_epub or ''}|{book.target.value}"
    return hashlib.md5(key.encode("utf-8")).hexdigest()


def _stable_xmp_ids(book: RenderedBook | str) -> AbstractContextManager[object]:
    """PDF/X-4 XMP gets a random xmpMM:DocumentID from uuid4 (a TODO in WeasyPrint 70):
    replace it, for this write only, with a UUID derived from the book (or its id)."""
    if not hasattr(weasyprint.pdf.metadata, "uuid4"):
        return nullcontext()
    book_id = book if isinstance(book, str) else _book_id(book)
    derived = uuid.uuid5(uuid.NAMESPACE_URL, f"urn:publisher:{book_id}")
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


def paginate(document: weasyprint.Document, number_from: int = 1) -> Pagination:
    """The first body text on each page (margin boxes and the footnote area are not the flow),
    located by its element and the letters of that element's own text on earlier pages.
    `number_from`: the first page's number (a page without a folio is labelled by its own)."""
    pages: list[PageStart] = []
    openings: dict[str, str] = {}
    counted: dict[Any, int] = {}  # element → letters of its own text laid out so far
    headers: set[int] = set()
    root = document.pages[0]._page_box.children[0].element if document.pages else None
    parents = {child: parent for parent in root.iter() for child in parent} if root else {}
    for number, page in enumerate(document.pages, number_from):
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


# -- chunks: part of a book laid out on its own (export/chunked.py plans them and merges) --------

_SCALE = 0.75  # CSS px → PDF pt, as WeasyPrint writes at zoom 1


class LaidChunk:
    """A chunk laid out in this process and kept until `finish_chunk` writes it: the document,
    WeasyPrint's layout context (page states, named strings) and what the layout used."""

    def __init__(self, job: ChunkJob, document: Any, context: Any, seeds_used: dict[str, str]):
        self.job, self.document, self.context = job, document, context
        self.seeds_used = seeds_used

    @property
    def pages(self) -> list[Any]:
        pages: list[Any] = self.document.pages
        return pages[:-1] if self.job.sentinel else pages


def lay_out_chunk(job: ChunkJob, access: Access) -> tuple[LaidChunk, Shape]:
    """Lay out one chunk (its page counter from `job.start`, `job.seeds` carried in, the
    external anchors' page numbers printed by `target-counter()`). Raises BuildFailed when
    the gate refuses a resource, ChunkUnsafe when the chunk is not laid out as it would be in
    the whole book (it does not open on a recto; its page counter is reset inside it)."""
    used: dict[str, int] = {}
    local: list[str] = []
    seeds_used: dict[str, str] = {}
    first = f"@page :first {{ counter-reset: page {job.start} }}" if job.start != 1 else ""
    sheets = [weasyprint.CSS(string=first)] if first else None
    kept: list[Any] = []
    fetcher = _ProjectFetcher(access)
    try:
        with (
            recording() as reads,
            notes_stay_with_calls(),
            _list_numbers_kept(),
            _targets_from(dict(job.externals), used, local),
            _context_kept(kept),
            _strings_from(dict(job.seeds), seeds_used),
        ):
            document = weasyprint.HTML(
                string=job.html, base_url=job.base_url, url_fetcher=fetcher
            ).render(stylesheets=sheets)
    except _Refusal as refusal:
        raise BuildFailed([refusal.refused.diagnostic(job.name)]) from None
    laid = LaidChunk(job, document, kept[0], seeds_used)
    _check_chunk(laid)
    anchors: dict[str, int] = {}
    for index, page in enumerate(laid.pages):
        for name in page.anchors:
            anchors.setdefault(name, index)
    strings: dict[str, str] = {}
    for name, by_page in laid.context.string_set.items():
        assigned = [number for number in by_page if by_page[number]]
        if assigned and min(assigned) <= len(laid.pages):
            strings[name] = by_page[max(n for n in assigned if n <= len(laid.pages))][-1]
    shape = Shape(
        len(laid.pages),
        tuple(sorted(anchors.items())),
        tuple(sorted(strings.items())),
        tuple(sorted(used.items())),
        bool(local),
        reads.inputs(),
    )
    return laid, shape


def finish_chunk(laid: LaidChunk, shape: Shape, start: int, seeds: dict[str, str]) -> ChunkPdf:
    """Write a laid-out chunk as PDF from page number `start` with the named strings `seeds`
    carried in: when either differs from what it was laid out with, only the margin boxes
    (folios, running heads) are made again, as WeasyPrint makes them after paginating."""
    if start != laid.job.start or seeds != dict(laid.job.seeds):
        laid.seeds_used.clear()
        with _strings_from(seeds, laid.seeds_used):
            _remake_margins(laid, start - laid.job.start)
    job = laid.job
    document = laid.document.copy(laid.pages)
    document.metadata.keywords = list(job.keywords)
    if job.stamp is not None:
        document.metadata.created = document.metadata.modified = job.stamp
    options: dict[str, object] = {
        "uncompressed_pdf": False,
        "pdf_identifier": job.book_id.encode("ascii"),
    }
    if job.variant:
        options["pdf_variant"] = job.variant
    try:
        with _stable_xmp_ids(job.book_id), _fonts_keyed_by_file(), _links_kept(job.externals):
            data: bytes = document.write_pdf(**options)
    except _Refusal as refusal:
        raise BuildFailed([refusal.refused.diagnostic(job.name)]) from None
    bookmarks = tuple(
        Bookmark(index, level, label, x * _SCALE, (page.height - y) * _SCALE, state == "closed")
        for index, page in enumerate(document.pages)
        for level, label, (x, y), state in page.bookmarks
    )
    pagination = paginate(document, start) if job.paginate else None
    screen = _screen_write(laid) if job.screen is not None else b""
    return ChunkPdf(
        shape, start, tuple(sorted(laid.seeds_used.items())), data, bookmarks, pagination, screen
    )


# -- one layout, two PDFs: the print chunk's layout written again as the screen PDF's ----------

# Properties WeasyPrint reads only when it draws (draw/, pdf/; `Page.bleed` is read from the
# page box when the Page is made, and set again here): two cascades that differ in these alone
# lay out the same boxes. `text-decoration-line` also makes the text's Pango layout fetch the
# font's metrics, which only place the line drawn.
DRAW_ONLY = frozenset(
    {
        "color",
        "text_decoration_line",
        "text_decoration_color",
        "text_decoration_style",
        "text_decoration_thickness",
        "marks",
        "bleed_top",
        "bleed_right",
        "bleed_bottom",
        "bleed_left",
    }
)
_SIDES = ("top", "right", "bottom", "left")
PAGE_ONLY = frozenset({"marks", *(f"bleed_{side}" for side in _SIDES)})  # the page box's own


def _screen_write(laid: LaidChunk) -> bytes:
    """The laid-out chunk written as the screen PDF's chunk (after its print write).

    The screen page's cascade is made (not laid out) and compared with the print page's: page
    types by their cascaded values; elements by the computed values of the properties that the
    rules found in one page's stylesheets and not in the other's declare (rules that match no
    element of the chunk, such as the screen page's cover, left out), not measured when those
    are all DRAW_ONLY. Where the two differ only in DRAW_ONLY properties, the boxes take the
    screen values of those (link colours and underlines, no bleed, no crop marks) and the pages
    are written tagged, as `job.screen` says. Raises LayoutsDiffer when they differ in any
    other property (the screen PDF must then be laid out on its own), BuildFailed as
    finish_chunk does."""
    job, screen = laid.job, laid.job.screen
    assert screen is not None
    printed = laid.context.style_for
    root = laid.pages[0]._page_box.children[0].element if laid.pages else None
    fetcher = laid.document.url_fetcher
    html = weasyprint.HTML(
        string=_head_only(screen.html), base_url=job.base_url, url_fetcher=fetcher
    )
    declared = _declared_differences(root, html.etree_element) if root is not None else ()
    if declared:  # the elements' styles may differ: the whole screen page's cascade
        html = weasyprint.HTML(string=screen.html, base_url=job.base_url, url_fetcher=fetcher)
    first = f"@page :first {{ counter-reset: page {job.start} }}" if job.start != 1 else ""
    sheets = [weasyprint.CSS(string=first)] if first else None
    try:
        with _list_numbers_kept():
            styles = weasyprint.css.get_all_computed_styles(
                html, sheets, font_config=laid.document.font_config,
                target_collector=weasyprint.css.targets.TargetCollector(),
            )  # fmt: skip
    except _Refusal as refusal:
        raise BuildFailed([refusal.refused.diagnostic(job.name)]) from None
    elements: dict[Any, Any] = {}
    if declared:
        trees = (root.iter(), html.etree_element.iter()) if root is not None else ()
        elements = dict(zip(*trees, strict=False))
        alike = len(elements) == sum(1 for _ in html.etree_element.iter())
        if not alike or any(one.tag != other.tag for one, other in elements.items()):
            raise LayoutsDiffer(f"{job.name}: the screen page's elements are not the print's")
    for page_type in {key[0] for key in printed._cascaded_styles if isinstance(key[0], tuple)}:
        weasyprint.layout.page.set_page_type_computed_styles(page_type, html, styles)
    styles.initial_page_sizes.update(printed.initial_page_sizes)  # `vh` as the layout had it
    differing = _page_differences(printed._cascaded_styles, styles._cascaded_styles)
    if set(declared) <= DRAW_ONLY:  # only these may differ: restyle with them, unmeasured
        differing |= set(declared)
    else:
        computed = printed._computed_styles, styles._computed_styles
        differing |= _computed_differences(*computed, elements, declared)
    if differing - DRAW_ONLY:
        names = ", ".join(sorted(name.replace("_", "-") for name in differing - DRAW_ONLY))
        raise LayoutsDiffer(f"{job.name}: the screen and print pages differ in {names}")
    for page in laid.pages if differing else ():
        page_box = page._page_box
        _restyle(page_box, styles(page_box.page_type), differing)
        for child in page_box.children if differing - PAGE_ONLY else ():
            area = _area(child)  # a margin box or the footnote area: their at-rule's style
            for box in _boxes(child):
                if box.element is not None and box.element in elements:
                    tag = box.element_tag or ""
                    pseudo = tag.split("::", 1)[1] if "::" in tag else None
                    _restyle(box, styles(elements[box.element], pseudo), differing)
                elif area is not None:
                    _restyle(box, styles(page_box.page_type, area), differing)
        page.bleed = {side: page_box.style[f"bleed_{side}"].value for side in _SIDES}
    document = laid.document.copy(laid.pages)
    document.metadata.keywords = list(job.keywords)
    if job.stamp is not None:
        document.metadata.created = document.metadata.modified = job.stamp
    options: dict[str, object] = {
        "uncompressed_pdf": False,
        "pdf_identifier": screen.book_id.encode("ascii"),
        "pdf_variant": screen.variant,
    }
    try:
        with _stable_xmp_ids(screen.book_id), _fonts_keyed_by_file(), _links_kept(job.externals):
            data: bytes = document.write_pdf(**options)
    except _Refusal as refusal:
        raise BuildFailed([refusal.refused.diagnostic(job.name)]) from None
    return data


def _head_only(page: str) -> str:
    """The page's head and an empty body: its stylesheets, and no element to style."""
    body = page.index("<body", page.rindex("</head>"))
    return page[:body] + "<body></body></html>"


def _area(box: Any) -> str | None:
    """The page context a box of the page belongs to: `@top-center`…, `@footnote`, or None."""
    if isinstance(box, _MarginBox):
        return str(box.at_keyword)
    if isinstance(box, weasyprint.formatting_structure.boxes.FootnoteAreaBox):
        return "@footnote"
    return None


def _restyle(box: Any, restyled: Any, names: set[str]) -> None:
    """Give `box` the values of `names` that the other cascade's style `restyled` has."""
    if restyled is None:
        return
    for name in names:
        if box.style[name] != restyled[name]:
            box.style[name] = restyled[name]
    if (
        getattr(box, "pango_layout", None) is not None
        and box.style["text_decoration_line"] != "none"
    ):
        _decoration_metrics(box)


def _decoration_metrics(box: Any) -> None:
    """The font metrics WeasyPrint 70's text layout (`text/line_break.py`, `Layout.setup`)
    fetches only for text laid out with a decoration, and draws an underline or line-through
    from: taken, for text that takes a decoration after its layout, from a layout WeasyPrint
    sets up for the box's restyled text (its own code fetches them)."""
    layout = box.pango_layout
    if getattr(layout, "underline_thickness", None) is not None:
        return
    fresh = weasyprint.text.line_break.Layout(box.style)
    for name in METRICS:
        setattr(layout, name, getattr(fresh, name))


METRICS = (
    "ascent",
    "underline_position",
    "strikethrough_position",
    "underline_thickness",
    "strikethrough_thickness",
)


def _page_differences(printed: dict[Any, Any], screen: dict[Any, Any]) -> set[str]:
    """The properties whose cascaded value differs between the two cascades on some page type
    or page-margin box (the cascaded values WeasyPrint keeps after computing styles)."""
    differing: set[str] = set()
    for key in printed.keys() | screen.keys():
        if not isinstance(key[0], tuple):
            continue  # an element (none kept, but say so)
        one, other = printed.get(key, {}), screen.get(key, {})
        for name in one.keys() | other.keys():
            if name not in one or name not in other or not _same(one[name][0], other[name][0]):
                differing.add(name)
    return differing


def _declared_differences(printed: Any, screen: Any) -> tuple[str, ...]:
    """The properties that the rules found in one page's stylesheets and not in the other's
    declare (shorthands as every longhand they may set; all properties when a differing rule
    sets a custom property or is an at-rule other than @page and @media): only these can
    differ between the two cascades' computed styles."""
    every = tuple(weasyprint.css.properties.INITIAL_VALUES)
    counted = [Counter(_rules(_style_text(root), ())) for root in (printed, screen)]
    names: set[str] = set()
    wrapper: Any = None
    for rule in (counted[0] - counted[1]) + (counted[1] - counted[0]):
        if rule[1].startswith("@page"):
            continue  # page properties: compared by `_page_differences`
        if not rule[1].startswith("@") and not {n.replace("-", "_") for n in rule[-1]} <= DRAW_ONLY:
            wrapper = wrapper or weasyprint.css.cssselect2.ElementWrapper.from_html_root(printed)
            if not _matches(rule[1], wrapper):
                continue  # the screen page's cover: no element of this chunk
        for name in rule[-1]:
            if name.startswith("--") or name.startswith("@"):
                return every
            underscored = name.replace("-", "_")
            longhands = [underscored] if underscored in every else _longhands(underscored, every)
            if not longhands:
                return every
            names.update(longhands)
            if underscored == "font":
                names.add("line_height")
    return tuple(sorted(names))


def _matches(selectors: str, wrapper: Any) -> bool:
    """Whether any element under `wrapper` (cssselect2's) matches the selector list; True when
    the selectors cannot be compiled (then the rule counts)."""
    cssselect2 = weasyprint.css.cssselect2
    try:
        compiled = cssselect2.compile_selector_list(selectors)
    except cssselect2.SelectorError:
        return True
    return any(
        selector.test(element) for element in wrapper.iter_subtree() for selector in compiled
    )


def _longhands(shorthand: str, every: tuple[str, ...]) -> list[str]:
    return [key for key in every if key.startswith(shorthand + "_")]


def _style_text(root: Any) -> str:
    return "\n".join(element.text or "" for element in root.iter() if element.tag in STYLE_TAGS)


STYLE_TAGS = ("style", "{http://www.w3.org/1999/xhtml}style")


def _rules(css: str, context: tuple[str, ...]) -> Iterator[tuple[Any, ...]]:
    """Each rule of `css` as (its @media context, prelude (`@page…` for a page rule),
    declarations, names they declare); an at-rule of another kind as one rule declaring
    `@<name>`."""
    tinycss2 = weasyprint.css.tinycss2
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type == "error":
            continue
        prelude = tinycss2.serialize(rule.prelude).strip()
        if rule.type == "at-rule" and rule.lower_at_keyword == "media" and rule.content:
            yield from _rules(tinycss2.serialize(rule.content), (*context, prelude))
            continue
        content = tinycss2.serialize(rule.content or []).strip()
        keyword = "@" + rule.lower_at_keyword if rule.type == "at-rule" else ""
        if keyword not in ("", "@page"):
            yield (context, keyword, prelude, content, (keyword,))
            continue
        declarations = tinycss2.parse_blocks_contents(rule.content or [], True, True)
        names = [item.lower_name for item in declarations if item.type == "declaration"]
        for nested in declarations:  # @page's margin boxes
            if nested.type == "at-rule":
                inner = tinycss2.parse_blocks_contents(nested.content or [], True, True)
                names += [item.lower_name for item in inner if item.type == "declaration"]
        yield (
            context,
            f"{keyword}{prelude}" if keyword == "@page" else prelude,
            content,
            tuple(names),
        )


def _computed_differences(
    printed: dict[Any, Any],
    screen: dict[Any, Any],
    elements: dict[Any, Any],
    names: tuple[str, ...],
) -> set[str]:
    """The properties among `names` whose computed value differs between the two cascades on
    some element or pseudo-element (WeasyPrint keeps the cascaded values of pages only).
    Elements that share a computed style in both cascades are compared once."""
    differing: set[str] = set()
    seen: set[tuple[int, int]] = set()
    reverse = {other: one for one, other in elements.items()}
    for element, _ in screen.keys() - {(elements.get(k[0]), k[1]) for k in printed}:
        if element in reverse:
            differing.add("content")  # a pseudo-element only the screen page has
    for (element, pseudo), style in printed.items():
        if element not in elements:
            continue  # a page type, compared by its cascaded values
        other = screen.get((elements[element], pseudo))
        if other is None or style is None:
            differing.update(() if other is style else ("display",))
            continue
        if (id(style), id(other)) in seen:
            continue
        seen.add((id(style), id(other)))
        for name in names:
            if name not in differing and not _same(style[name], other[name]):
                differing.add(name)
    return differing


def _same(one: Any, other: Any) -> bool:
    """Two cascaded values alike: equal, or the same CSS text where they hold parsed tokens
    (tinycss2's nodes, and WeasyPrint's values pending a `var()`, compare by identity)."""
    return bool(one == other or _canonical(one) == _canonical(other))


def _canonical(value: Any) -> Any:
    if isinstance(value, weasyprint.css.tokens.Pending):
        return ("pending", value.name, _canonical(value.tokens))
    if isinstance(value, list | tuple):
        return tuple(_canonical(item) for item in value)
    if hasattr(value, "serialize"):
        return (type(value).__name__, value.serialize())
    return value


def bookmark_tree(bookmarks: list[tuple[int, Bookmark]]) -> list[Any]:
    """The outline of bookmarks from several chunks (page index in the merged book, entry),
    nested by WeasyPrint's own rule (`make_page_bookmark_tree`): a list of subtrees
    `(label, (page, x, y), children, state)` as `Document.make_bookmark_tree` gives."""
    root: list[Any] = []
    skipped: list[int] = []
    last_by_depth: list[Any] = [root]
    previous = 0
    for page, mark in bookmarks:
        entry = (mark.level, mark.label, (mark.x, mark.y), "closed" if mark.closed else "open")
        holder = _BookmarkPage([entry])
        previous = weasyprint.anchors.make_page_bookmark_tree(
            holder, skipped, last_by_depth, previous, page, weasyprint.matrix.Matrix()
        )
    return root


@dataclass(frozen=True)
class _BookmarkPage:
    bookmarks: list[tuple[int, str, tuple[float, float], str]]


def _check_chunk(laid: LaidChunk) -> None:
    """The chunk's page numbers run on from its first page, and (but for the book's first
    chunk) its first document breaks to a recto, as each does in the whole book."""
    for index in range(0 if laid.job.cover else len(laid.pages)):
        counters = laid.context.page_maker[index + 1][3][1]
        if counters.get("page", [None])[-1] != laid.job.start + index:
            raise ChunkUnsafe(f"{laid.job.name}: the page counter is set inside the chunk")
    if not laid.job.recto or not laid.pages:
        return
    html_box = laid.pages[0]._page_box.children[0]
    body = next((box for box in html_box.children if box.element_tag == "body"), None)
    opening = next((box for box in getattr(body, "children", ()) if box.element is not None), None)
    if opening is None or opening.style["break_before"] not in ("right", "recto"):
        raise ChunkUnsafe(f"{laid.job.name}: the chunk does not open on a recto")


def _remake_margins(laid: LaidChunk, offset: int) -> None:
    """Make each page's margin boxes again with the page counter moved by `offset`: the last
    step of WeasyPrint's `layout_document`, on the pages it paginated."""
    context = laid.context
    for index, page in enumerate(laid.pages):
        box = page._page_box
        context.current_page = index + 1
        state = copy.deepcopy(context.page_maker[index + 1][3])
        counters = state[1]
        if "page" in counters:
            counters["page"] = [value + offset for value in counters["page"]]
        kept = [child for child in box.children if not isinstance(child, _MarginBox)]
        box.children = tuple(kept) + tuple(
            weasyprint.layout.page.make_margin_boxes(context, box, state)
        )
        weasyprint.layout.background.layout_backgrounds(box, context.get_image_from_uri)


_MarginBox = weasyprint.formatting_structure.boxes.MarginBox


@contextmanager
def _context_kept(kept: list[Any]) -> Iterator[None]:
    """Keep WeasyPrint's layout context of this render (its page states and named strings)."""
    document_class = weasyprint.document.Document
    original = document_class._build_layout_context

    def keeping(*args: Any) -> Any:
        context = original(*args)
        kept.append(context)
        return context

    with mock.patch.object(document_class, "_build_layout_context", staticmethod(keeping)):
        yield


def _targets_from(
    externals: dict[str, int], used: dict[str, int], local: list[str]
) -> AbstractContextManager[object]:
    """`target-counter()` of an anchor in another chunk prints its known page number (noted
    in `used`); one of an anchor in this chunk is noted in `local`."""
    collector = weasyprint.css.targets.TargetCollector
    original = collector.lookup_target

    def lookup(self: Any, anchor_token: Any, source_box: Any, css_token: Any, parse: Any) -> Any:
        name = _anchor_name(anchor_token, source_box)
        if name in externals and name not in self.target_lookup_items:
            used[name] = externals[name]
            item = weasyprint.css.targets.TargetLookupItem("up-to-date")
            item.target_box = _ExternalTarget({"page": [externals[name]]})
            return item
        if name is not None:
            local.append(name)
        return original(self, anchor_token, source_box, css_token, parse)

    return mock.patch.object(collector, "lookup_target", lookup)


@dataclass
class _ExternalTarget:
    cached_counter_values: dict[str, list[int]]


def _anchor_name(anchor_token: Any, source_box: Any) -> str | None:
    if anchor_token[0] == "attr()":
        attribute, kind, fallback = anchor_token[1]
        value = source_box.element.get(attribute, fallback)
        if kind == "url":
            anchor_token = ("url", weasyprint.urls.get_url_tuple(value, source_box.style.base_url))
        else:
            anchor_token = ("string", value)
    name: str | None = weasyprint.css.targets.anchor_name_from_token(anchor_token)
    return name


def _strings_from(seeds: dict[str, str], used: dict[str, str]) -> AbstractContextManager[object]:
    """`string()` of a named string not yet set in this chunk gives its value from the chunks
    before (`seeds`), as it would in the whole book; each value so given is noted in `used`."""
    context_class = weasyprint.layout.LayoutContext
    original = context_class.get_string_or_element_for

    def lookup(self: Any, store: Any, page: Any, name: str, keyword: str) -> Any:
        found = original(self, store, page, name, keyword)
        if store is not self.string_set or name not in seeds or keyword == "all-once":
            return found
        if any(number <= self.current_page and store[name][number] for number in store[name]):
            return found
        used[name] = seeds[name]
        return (seeds[name],)

    return mock.patch.object(context_class, "get_string_or_element_for", lookup)


def _links_kept(externals: Pairs) -> AbstractContextManager[object]:
    """Keep the links to anchors in other chunks (WeasyPrint drops links to anchors it has
    not laid out): they name their destination, which the merged book holds."""
    elsewhere = {name for name, _ in externals}

    def resolve(pages: Any) -> Iterator[Any]:
        # WeasyPrint's `resolve_links`, keeping the links to `elsewhere` too.
        anchors: set[str] = set()
        paged: list[list[tuple[str, float, float]]] = []
        for page in pages:
            paged.append([])
            for name, (x, y, _, _) in page.anchors.items():
                if name not in anchors:
                    paged[-1].append((name, x, y))
                    anchors.add(name)
        for page, page_anchors in zip(pages, paged, strict=True):
            links = [
                link
                for link in page.links
                if link[0] != "internal" or link[1] in anchors or link[1] in elsewhere
            ]
            yield links, page_anchors

    return mock.patch.object(weasyprint.pdf, "resolve_links", resolve)

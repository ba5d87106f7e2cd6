"""What goes into the EPUB package, worked out from the rendered book. No EbookLib here.

The stages mirror Sphinx's EPUB builder: `build_metadata`, `build_manifest`, `build_spine`,
`build_navigation`. Each returns small immutable values that `epub.py` hands to EbookLib.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import uuid
from typing import NamedTuple

from ..base.access import Access
from ..base.cover import CoverArt
from ..base.locale import Locale
from ..base.model import AnthologySpec, Certification
from ..base.names import file_name
from ..base.outline import Entry
from ..base.project import source_date
from ..base.rendered import EPUB_PATHS, Kind, RenderedBook
from .cover import cover_xhtml
from .cover_art import cover_art

XHTML_TYPE = "application/xhtml+xml"
STYLESHEET = EPUB_PATHS.stylesheet
COVER_PAGE = EPUB_PATHS.cover_page
# Manifest ids get a prefix: review slugs may start with a digit, XML ids may not.
DOC_ID = "doc-{}"


class Person(NamedTuple):
    name: str
    id: str
    roles: tuple[str, ...]  # MARC relator codes
    file_as: str  # as the indexes file the name (`Garrido, Lucía`): the OPF's `file-as`


class Metadata(NamedTuple):
    identifier: str
    title: str
    subtitle: str | None
    language: str
    creators: tuple[Person, ...]  # editors (edt), plus aut if they also wrote reviews
    contributors: tuple[Person, ...]  # the other critics (aut)
    date: str
    modified: dt.datetime
    publisher: str
    rights: str
    description: str
    subjects: tuple[str, ...]
    source: str | None  # the print edition the page-list follows
    accessibility: tuple[tuple[str, str], ...]  # (property, value), in OPF order
    # Conformance is claimed only as the anthology's `[accessibility]` table declares it, or as
    # a build that runs EPUBCheck and Ace on this very EPUB (`build --validate`) makes it.
    certification: Certification | None


class ManifestItem(NamedTuple):
    id: str
    href: str  # relative to the package document
    media_type: str
    data: bytes
    properties: tuple[str, ...] = ()


class SpineItem(NamedTuple):
    idref: str
    linear: bool


class Navigation(NamedTuple):
    document: bytes  # nav.xhtml as the renderer wrote it
    toc: tuple[Entry, ...]  # the same outline, for the EPUB 2 NCX


# -- metadata ----------------------------------------------------------------------------------


def modified_time(spec: AnthologySpec) -> dt.datetime:
    """`dcterms:modified` and the zip entries' time (naive, UTC): SOURCE_DATE_EPOCH when set,
    else the anthology's `date` (the same bytes from build to build) unless that is after the
    build's moment: a book announced ahead was not modified in the future, so the clock."""
    moment = source_date()
    if moment is not None:
        return moment.replace(tzinfo=None)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    return min(dt.datetime.combine(spec.date, dt.time()), now)


def book_identifier(spec: AnthologySpec) -> str:
    if spec.isbn_epub:
        return f"urn:isbn:{spec.isbn_epub}"
    # uuid5 of slug and title: the same book keeps its identifier from build to build.
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'publisher:{spec.slug}:{spec.title}')}"


def _people(book: RenderedBook) -> tuple[tuple[Person, ...], tuple[Person, ...]]:
    spec = book.anthology.spec
    critics = [c.name for c in book.anthology.back.contributors]
    filed = {c.name: c.heading for c in book.anthology.back.contributors}
    overrides = dict(spec.file_as)
    for name in spec.editors:
        filed.setdefault(name, file_name(name, overrides.get(name)).heading)
    creators = tuple(
        Person(name, f"editor-{n}", ("edt", "aut") if name in critics else ("edt",), filed[name])
        for n, name in enumerate(spec.editors, 1)
    )
    others = [name for name in critics if name not in spec.editors]
    contributors = tuple(
        Person(name, f"critic-{n}", ("aut",), filed[name]) for n, name in enumerate(others, 1)
    )
    return creators, contributors


def page_source(spec: AnthologySpec) -> str:
    """The print edition the page-list follows: its ISBN, else its title."""
    if spec.isbn_print:
        return f"urn:isbn:{spec.isbn_print}"
    return f"{spec.title} ({Locale.for_spec(spec).word('print_edition')})"


def accessibility(
    book: RenderedBook, has_page_list: bool, has_images: bool
) -> tuple[tuple[str, str], ...]:
    """Schema.org accessibility metadata derived from what the book actually contains. No
    conformance claim: that is the `[accessibility]` table's, or a validated build's
    (`Metadata.certification`)."""
    # The generated cover does not count as visual content: it repeats the title page.
    kinds = {doc.kind for doc in book.documents}
    modes = ["textual"] + (["visual"] if has_images else [])
    features = ["tableOfContents", "readingOrder", "structuralNavigation"]
    if kinds & {Kind.FILM_INDEX, Kind.DIRECTOR_INDEX}:
        features.append("index")
    if has_images:
        features.append("alternativeText")
    if has_page_list:
        features += ["pageNavigation", "printPageNumbers"]
    spec = book.anthology.spec
    words = Locale.for_spec(spec).words
    source = page_source(spec)
    isbn = f"ISBN {spec.isbn_print}" if spec.isbn_print else spec.title
    sentences = (
        words["a11y_summary"],
        words["a11y_images"] if has_images else "",
        words["a11y_pages"].format(source=isbn) if has_page_list else "",
    )
    summary = " ".join(sentence for sentence in sentences if sentence)
    return (
        *(("schema:accessMode", mode) for mode in modes),
        ("schema:accessModeSufficient", "textual"),
        *(("schema:accessibilityFeature", feature) for feature in features),
        ("schema:accessibilityHazard", "none"),
        ("schema:accessibilitySummary", summary),
        # Unprefixed: EPUB 3.3 moved it to the default vocabulary (w3c/epub-specs#2668);
        # EPUBCheck rejects `a11y:pageBreakSource`, Ace looks for this one.
        *((("pageBreakSource", source),) if has_page_list else ()),
    )


def build_metadata(book: RenderedBook, claim: Certification | None = None) -> Metadata:
    """The page-list (and what it lets the metadata claim) is the outline's (`book.outline`).
    `claim`: the conformance claim of a validated build (validation/claim.py), written only
    when the anthology declares none: a declared `[accessibility]` table always wins."""
    spec = book.anthology.spec
    creators, contributors = _people(book)
    page_list = book.outline.pages
    source = page_source(spec) if page_list else None
    return Metadata(
        identifier=book_identifier(spec),
        title=spec.title,
        subtitle=spec.subtitle,
        language=spec.lang,
        creators=creators,
        contributors=contributors,
        date=spec.date.isoformat(),
        modified=modified_time(spec),
        publisher=spec.publisher,
        rights=spec.rights,
        description=spec.description,
        subjects=spec.subjects,
        source=source,
        accessibility=accessibility(book, bool(page_list), bool(book.images)),
        certification=spec.accessibility or claim,
    )


# -- manifest and spine ------------------------------------------------------------------------


def build_manifest(book: RenderedBook) -> tuple[ManifestItem, ...]:
    """Everything but the nav and NCX (EbookLib adds those): cover, CSS, documents, images."""
    spec = book.anthology.spec
    items = [
        ManifestItem(
            "cover",
            COVER_PAGE,
            XHTML_TYPE,
            cover_xhtml(spec, cover_href(book_cover(book)), STYLESHEET),
        ),
        ManifestItem("css", STYLESHEET, "text/css", book.stylesheet.encode("utf-8")),
    ]
    items += [
        ManifestItem(
            DOC_ID.format(doc_id), EPUB_PATHS.document(doc_id), XHTML_TYPE, text.encode("utf-8")
        )
        for doc_id, text in book.xhtml
    ]
    items += [
        ManifestItem(
            f"image-{n}",
            image.href,
            image.media_type or mimetypes.guess_type(image.href)[0] or "application/octet-stream",
            image.data,
        )
        for n, image in enumerate(book.images, 1)
    ]
    return tuple(items)


def book_cover(book: RenderedBook) -> CoverArt:
    """The cover the pipeline rendered the book with; for a book rendered without one, the same
    cover made here (`cover_art.py`). Raises BuildFailed as `cover_art` does."""
    spec = book.anthology.spec
    return book.cover or cover_art(spec, book.access or Access.for_spec(spec))


def cover_href(cover: CoverArt) -> str:
    """Where the cover image sits in the EPUB: `images/cover.png` (generated, or a PNG
    `cover_image`) or `images/cover.jpg` (a JPEG `cover_image`)."""
    return EPUB_PATHS.image("cover" + cover.extension)


def build_cover(book: RenderedBook) -> ManifestItem:
    """The cover image, `cover-image` in the manifest: `book_cover(book)`'s bytes."""
    cover = book_cover(book)
    return ManifestItem(
        "cover-image", cover_href(cover), cover.media_type, cover.data, ("cover-image",)
    )


def build_spine(book: RenderedBook) -> tuple[SpineItem, ...]:
    """Book order. The cover page is outside the linear reading order; the landmarks reach it."""
    return (
        SpineItem("cover", linear=False),
        *(SpineItem(DOC_ID.format(doc_id), linear=True) for doc_id, _ in book.xhtml),
    )


# -- navigation --------------------------------------------------------------------------------


def build_navigation(book: RenderedBook) -> Navigation:
    """The nav document the renderer wrote from the outline, and the outline's tree for the NCX:
    one source for both (`base/outline.py`), nothing parsed back."""
    return Navigation(book.nav.encode("utf-8"), book.outline.entries)

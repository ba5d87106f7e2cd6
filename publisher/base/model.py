"""Typed domain objects passed between the pipeline stages. All frozen: stages never mutate.

Length: the one vocabulary of the domain (anthology file, manuscripts, parts, back matter).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .limits import Limits


@dataclass(frozen=True)
class Film:
    title: str
    year: int
    directors: tuple[str, ...]
    country: str | None  # optional: not every review names it
    runtime_min: int | None = None
    original_title: str | None = None
    cast: tuple[str, ...] = ()
    sort_as: str | None = None  # `film.sort_as`: the title's order in the indexes (base/collation)
    # `film.file_as`: (name as written, filed form) for the film's people (base/names.py).
    file_as: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class LinkUse:
    """A link in a body as Markdown parsed it: `href` unescaped, at `line`:`col` of the file."""

    href: str
    line: int
    col: int


@dataclass(frozen=True)
class Outline:
    """What a body offers and asks of the rest of the book: headings, links (in order)."""

    headings: tuple[str, ...] = ()  # each body heading's plain text, in document order
    links: tuple[LinkUse, ...] = ()  # every link but footnote calls, in document order


@dataclass(frozen=True)
class Manuscript:
    """One review as loaded from `manuscripts/reviews/<slug>.md`."""

    slug: str
    path: Path  # relative to the project root, as shown in messages
    title: str
    film: Film
    author: str | None
    date: dt.date
    lang: str
    tags: tuple[str, ...]
    body: str  # Markdown
    body_line: int  # line of the file where `body` starts, for diagnostics
    section: str | None = None
    summary: str | None = None
    rating: float | None = None
    section_line: int = 1
    outline: Outline = Outline()


@dataclass(frozen=True)
class FrontPiece:
    """Prologue, editorial note and the like from `manuscripts/front/`."""

    slug: str
    path: Path
    title: str
    author: str | None
    lang: str
    body: str
    body_line: int
    outline: Outline = Outline()


class OrderKey(enum.Enum):
    FILM_YEAR = "year"
    FILM_TITLE = "title"
    EXPLICIT = "explicit"


@dataclass(frozen=True)
class Selection:
    """Which manuscripts a part takes: any listed tag, a film-year range, or explicit slugs."""

    tags: tuple[str, ...] = ()
    years: tuple[int, int] | None = None
    slugs: tuple[str, ...] = ()
    slugs_at: tuple[tuple[int, int], ...] = field(default=(), compare=False)  # (line, col)s

    def matches(self, manuscript: Manuscript) -> bool:
        if manuscript.slug in self.slugs:
            return True
        if self.tags and not set(self.tags) & set(manuscript.tags):
            return False
        if self.years is not None:
            low, high = self.years
            if not low <= manuscript.film.year <= high:
                return False
        return bool(self.tags) or self.years is not None


@dataclass(frozen=True)
class PartSpec:
    id: str
    title: str
    intro: str | None
    select: Selection
    order: OrderKey
    line: int  # line of the part's table in the anthology file


@dataclass(frozen=True)
class TrimSize:
    width_mm: float
    height_mm: float


# Paper thickness per page, from KDP's "Set trim size, bleed, and margins" help page (paperback
# spine width: white paper 0.002252 in per page, cream 0.0025 in per page), in millimetres.
PAPERS: dict[str, float] = {"white": 0.002252 * 25.4, "cream": 0.0025 * 25.4}


@dataclass(frozen=True)
class Paper:
    """`[print] paper`: a stock of PAPERS by name, or `custom` with its own thickness."""

    name: str  # "white", "cream" or "custom"
    mm_per_page: float


WHITE_PAPER = Paper("white", PAPERS["white"])


@dataclass(frozen=True)
class ExtraStylesheet:
    """One entry of the anthology's `extra_css`: `path` (the anthology file's folder joined with
    `written`, as the user wrote it) and `line`, the anthology file's line of `extra_css`."""

    path: Path
    written: str
    line: int


@dataclass(frozen=True)
class Certification:
    """The anthology's `[accessibility]` table: who vouches for the EPUB's accessibility. Only
    then does the EPUB claim conformance (EPUB Accessibility 1.1 §5.1-5.2: `dcterms:conformsTo`,
    `a11y:certifiedBy`, `a11y:certifierCredential`, `a11y:certifierReport`)."""

    certified_by: str  # the person or organisation that checked the book
    conforms_to: str  # e.g. "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
    credential: str | None = None  # e.g. a certification programme's badge
    report: str | None = None  # an http(s) URL of the evaluation report


@dataclass(frozen=True)
class Price:
    """One price of a product form (`[prices]`): `amount` in `currency` (ISO 4217, upper case),
    with no more decimals than the currency has (EUR 2, JPY 0). What a reader pays: see
    export/onix.py for the ONIX price type and tax."""

    currency: str
    amount: Decimal


@dataclass(frozen=True)
class Trade:
    """What a retailer package needs beyond the book (`[sales]`, `[prices]`; load/trade.py).

    `territories`: `("WORLD",)` or ISO 3166-1 alpha-2 country codes where the book may be sold.
    `epub_prices`, `print_prices`: () when not given (the ONIX record then says unpriced).
    `lines`: where each table or key is written in the anthology file, as
    (`"prices.epub"`-style dotted key, line); a key not written is not there."""

    territories: tuple[str, ...] = ("WORLD",)
    epub_prices: tuple[Price, ...] = ()
    print_prices: tuple[Price, ...] = ()
    lines: tuple[tuple[str, int], ...] = ()

    def line(self, *keys: str) -> int:
        """The line of the first of `keys` that is written (0: none is)."""
        written = dict(self.lines)
        return next((written[key] for key in keys if key in written), 0)


@dataclass(frozen=True)
class AnthologySpec:
    """The anthology file (`manuscripts/anthology.toml`) after validation."""

    path: Path
    root: Path  # project root: everything read must be inside it
    slug: str
    title: str
    subtitle: str | None
    editors: tuple[str, ...]
    publisher: str
    lang: str
    date: dt.date
    rights: str
    description: str
    subjects: tuple[str, ...]
    isbn_print: str | None
    isbn_epub: str | None
    edition: str
    theme: str
    reviews_dir: Path
    front: tuple[str, ...]
    parts: tuple[PartSpec, ...]
    trim: TrimSize
    pdf_variant: str | None = None
    paper: Paper = WHITE_PAPER  # `[print] paper`: the cover wrap's spine (export/wrap.py)
    pdf_variant_at: tuple[int, int] = (1, 0)  # where `[print] pdf_variant` is set
    bleed_mm: float = 3.0  # `[print] bleed`, mm: the interior's top, foot, outer edge; 0: none
    bleed_at: tuple[int, int] = (1, 0)  # where `[print] bleed` is set (line, column)
    crop_marks: bool = True  # `[print] marks`: crop marks around the print interior's pages
    # `[print] output_profile`: the printer's ICC output profile for PDF/X (None: ghostscript's
    # CMYK SWOP, base/icc.py), as written and where it is written (line, column).
    output_profile: Path | None = None
    output_profile_written: str = ""
    output_profile_at: tuple[int, int] = (1, 0)
    include_all: bool = True  # every review in the pool must be placed (off for subset books)
    stub: bool = False  # `stub = true`: a book may have no review yet (else `no-reviews`)
    limits: Limits = field(default_factory=Limits)  # `[limits]`: caps on untrusted input
    extra_css: tuple[ExtraStylesheet, ...] = ()  # `extra_css`: added after the theme's sheets
    front_at: tuple[tuple[int, int], ...] = ()  # (line, column) of each `front` entry
    reviews_at: tuple[int, int] = (1, 0)  # where `reviews` is set (line 1: not set)
    # `output_dir`, absolute (relative to the anthology file's folder as written); None: not set,
    # the outputs go to `dist/` in the project root.
    output_dir: Path | None = None
    # `[file_as]`: (name as written, filed form) for any person the book indexes (base/names.py).
    file_as: tuple[tuple[str, str], ...] = ()
    # `[labels]`: the book's own words, overriding the language's catalogue (base/locale.py).
    labels: tuple[tuple[str, str], ...] = ()
    lang_at: tuple[int, int] = (1, 0)  # where `lang` is set (line 1: not set)
    # `cover_image`: the anthology file's folder joined with what is written (None: not set, the
    # generated typographic cover), as written, and where it is written (line, column).
    cover_image: Path | None = None
    cover_image_written: str = ""
    cover_image_at: tuple[int, int] = (1, 0)
    # `[accessibility]`: who certifies the EPUB; None: no conformance is claimed.
    accessibility: Certification | None = None
    # `[sales]` and `[prices]`: rights and prices for the retailer package (ONIX).
    trade: Trade = Trade()
    # Where `description` is written, and the `[identifiers]` table (None: not written): the
    # cover wrap's `back-cover-overflow` and `barcode-missing` point there (export/wrap.py).
    description_at: tuple[int, int] = (1, 0)
    identifiers_at: tuple[int, int] | None = None
    # `[print] spine`: the spine text's direction, top to bottom (ISO 6357, KDP) or
    # `bottom-to-top` (the continental European tradition).
    spine: str = "top-to-bottom"
    # `isbn_print` as written (hyphens kept), for the barcode's human-readable line ("": not set).
    isbn_print_written: str = ""
    slug_at: tuple[str, int, int] = ("title", 1, 0)  # `slug` (else `title`), line, column
    output_dir_at: tuple[int, int] = (1, 0)  # where `output_dir` is written ((1, 0): not set)


@dataclass(frozen=True)
class Review:
    """A manuscript placed in the book: its number and part are known."""

    number: int
    manuscript: Manuscript
    part_id: str

    @property
    def slug(self) -> str:
        return self.manuscript.slug

    @property
    def critic(self) -> str | None:
        return self.manuscript.author


@dataclass(frozen=True)
class Part:
    number: int
    id: str
    title: str
    intro: str | None
    reviews: tuple[Review, ...]


@dataclass(frozen=True)
class IndexEntry:
    """A heading in a back-matter index and the reviews it points to, in book order."""

    heading: str  # as printed: a title, or a name in its filed form (`García Berlanga, Luis`)
    sort_key: tuple[bytes, ...]  # ICU sort keys, compared as they are (base/collation.py)
    reviews: tuple[Review, ...]


@dataclass(frozen=True)
class Contributor:
    name: str  # as written (`Lucía Garrido`)
    reviews: tuple[Review, ...]
    heading: str  # as the contributors' list prints and sorts it (`Garrido, Lucía`)


@dataclass(frozen=True)
class FilmEntry:
    """A film in the filmography, once, with every review of it in book order."""

    film: Film
    reviews: tuple[Review, ...]


@dataclass(frozen=True)
class BackMatter:
    film_index: tuple[IndexEntry, ...]
    director_index: tuple[IndexEntry, ...]
    filmography: tuple[FilmEntry, ...]  # one per film, by year, then title in index order
    contributors: tuple[Contributor, ...]


@dataclass(frozen=True)
class Destination:
    """Where an internal link lands: a document of the book, at an element id or its start."""

    document: str
    fragment: str | None = None


@dataclass(frozen=True)
class LinkTable:
    """The book's internal links, built once from the assembled anthology (`links.py`).

    `heading_ids`: document id → the ids of its body headings, in document order.
    `destinations`: (document id, href as parsed) → where it lands; None: unlink it (keep the
    text). External (`https:`…) links are not in it: they are kept as written.
    """

    heading_ids: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    destinations: Mapping[tuple[str, str], Destination | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Anthology:
    spec: AnthologySpec
    front: tuple[FrontPiece, ...]
    parts: tuple[Part, ...]
    back: BackMatter
    links: LinkTable = field(default_factory=LinkTable)

    @property
    def reviews(self) -> tuple[Review, ...]:
        return tuple(review for part in self.parts for review in part.reviews)

"""The print-on-demand cover wrap: back cover, spine and front cover on one page, with bleed.

Geometry (millimetres), after KDP's paperback cover rules ("Create a paperback cover",
kdp.amazon.com help G201953020), which the other large services share:

* trim box: `2 × trim width + spine` by `trim height`; the bleed (`[print] bleed`, 3 mm by
  default, BLEED; as the interior's `@page { bleed }` in
  styles/base/templates/paged-profile.css.j2) on every side, so the
  media box is `2 × trim width + spine + 2 × bleed` by `trim height + 2 × bleed`;
* spine: the print PDF's page count × the paper's thickness per page (`base.model.PAPERS`);
* spine text only on a spine of at least SPINE_TEXT_MIN (0.25 in, KDP's minimum for spine
  text), kept SPINE_CLEAR (0.0625 in) from each fold, reading top to bottom (ISO 6357's
  direction, and KDP's) or, with `[print] spine = "bottom-to-top"`, bottom to top (the
  continental European tradition); fitted to the spine's length by export/spine.py (a smaller
  font, then fewer pieces, and the warning `spine-text-shortened`);
* EAN-13 of the print ISBN in a white box at the lower right of the back cover, SAFE (0.25 in)
  inside the trim, where printers place (and KDP reserves) the barcode; without `isbn_print`
  no barcode, and the warning `barcode-missing`; above the bars, the human-readable
  `ISBN 978-…` line (`isbn_label`), as the Bookland EAN convention has it;
* the back cover's text (title, description) from BACK_MARGIN inside the trim down to
  TEXT_GAP above the barcode box (BACK_MARGIN above the trim without one): what the layout
  puts below that is the error `back-cover-overflow` at `description`'s line;
* front cover: the book's cover (`base/cover.CoverArt`: the `cover_image` or the generated
  one), scaled to fill the front panel and its bleed and cropped (CSS `object-fit: cover`);
  the generated one drawn again for PRINT_PPI on the panel; a `cover_image` that prints
  under PRINT_PPI is the warning `cover-low-resolution` at its line.

This module builds the page as HTML (lxml) with the barcode as SVG vectors (python-barcode, the
only importer of `barcode`); `export/pdf/wrap_layout.py` lays it out with WeasyPrint.

Length: one page's geometry, its HTML and the checks of what it prints belong together; the
spine's fitting is apart (export/spine.py), the pixel rules in base/cover_size.py.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass, replace

import barcode
from barcode.writer import SVGWriter
from lxml import etree
from lxml.builder import E

from ..base.access import Access
from ..base.cover import CoverArt, CoverText
from ..base.cover_size import COVER_MIN, COVER_RATIO, PRINT_PPI, print_pixels, store_and_print
from ..base.diagnostics import Diagnostic, Severity, error, warning
from ..base.model import AnthologySpec, Paper
from ..base.rendered import Exported
from ..base.text import counted
from .cover import SIZE, cover_png, image_size
from .cover_art import cover_art
from .spine import FONT_MAX, SEPARATOR, SpineText, fit_spine, shortened

BLEED = 3.0
COVER_BLEED = 3.175  # a cover's bleed when the interior has none: 0.125 in (KDP, IngramSpark)
# The fewest pages a paperback may have: KDP's 24 ("Print Options", kdp.amazon.com/help/topic/
# G201834180: 24 to 828 pages, black ink on white paper); IngramSpark's help gives 18 pages for
# every print title, whatever the binding. The stricter one is warned of, naming both.
PRINT_MIN_PAGES = 24
INGRAM_MIN_PAGES = 18
SPINE_TEXT_MIN = 6.35  # 0.25 in
SPINE_CLEAR = 1.5875  # 0.0625 in from each fold
SAFE = 6.35  # text and barcode this far inside the trim
BACK_MARGIN = 12.7  # the back cover's text from the trim (0.5 in)
BOX_PADDING = 2.0  # white around the barcode (its quiet zones are inside the drawing)
TEXT_GAP = 4.0  # between the back cover's text and the barcode box
LABEL = 4.0  # the human-readable `ISBN …` line above the bars
BACK_TEXT = "back-cover-text"  # the id of the back cover's text panel, measured after layout


@dataclass(frozen=True)
class WrapSize:
    """The wrap's measures in millimetres, from the trim, the page count and the paper."""

    trim_width: float
    trim_height: float
    pages: int
    paper: Paper
    bleed: float = BLEED

    @property
    def spine(self) -> float:
        return self.pages * self.paper.mm_per_page

    @property
    def width(self) -> float:
        """The media box's width: both covers, the spine and the bleed on either side."""
        return 2 * self.trim_width + self.spine + 2 * self.bleed

    @property
    def height(self) -> float:
        return self.trim_height + 2 * self.bleed

    @property
    def spine_text(self) -> bool:
        return self.spine >= SPINE_TEXT_MIN

    @property
    def spine_line(self) -> float:
        """The spine's text line: its width less SPINE_CLEAR from each fold."""
        return self.spine - 2 * SPINE_CLEAR

    @property
    def spine_length(self) -> float:
        """How long the spine's text may run: the trim height less SAFE at each end."""
        return self.trim_height - 2 * SAFE

    def front_inches(self) -> tuple[float, float]:
        """The front panel with its bleed (outer edge, top, bottom), in inches."""
        return (self.trim_width + self.bleed) / 25.4, self.height / 25.4

    def front_pixels(self) -> tuple[int, int]:
        """(width, height) in pixels an image needs to fill the front and its bleed at
        PRINT_PPI; the width also keeps the generated cover's 1:1.6 (cover.SIZE) tall enough."""
        inches = self.front_inches()
        width, height = (math.ceil(side * PRINT_PPI) for side in inches)
        return max(width, math.ceil(height * SIZE[0] / SIZE[1])), height

    def summary(self) -> str:
        """The report line: `cover: 318.2 × 216 mm, spine 9.2 mm (74 pages, white paper)`."""
        paper = (
            f"{self.paper.name} paper"
            if self.paper.name != "custom"
            else f"paper {self.paper.mm_per_page:g} mm per page"
        )
        return (
            f"cover: {_figure(self.width)} × {_figure(self.height)} mm,"
            f" spine {_figure(self.spine)} mm ({self.pages} pages, {paper})"
        )


def _figure(millimetres: float) -> str:
    """One decimal, none when it is 0: `318.2`, `216`."""
    return f"{millimetres:.1f}".removesuffix(".0")


def export_cover_wrap(
    spec: AnthologySpec, pages: int, cover: CoverArt | None = None, text: CoverText | None = None
) -> Exported:
    """The wrap's PDF for a print PDF of `pages` pages, its front `cover` (by default
    `cover_art`'s: the `cover_image`, else the generated cover), its words `text` (by default
    `CoverText.plain`: the pipeline hands the typeset ones), with its size as a notice
    (`cover-wrap`, the report line), `barcode-missing` and `back-cover-overflow`."""
    from .pdf import export_wrap  # WeasyPrint, imported only when a wrap is made

    size = wrap_size(spec, pages)
    front = cover or cover_art(spec, Access.for_spec(spec))
    if front.generated:  # drawn again with enough pixels for print
        front = replace(front, data=cover_png(spec, size.front_pixels()[0]))
    words = text or CoverText.plain(spec)
    spine = None
    if size.spine_text:  # fitted to its length (export/spine.py)
        spine = fit_spine(spec, words, size.spine_length, size.spine_line)
    data, overflow = export_wrap(spec, wrap_html(spec, size, front, words, spine), BACK_TEXT)
    found = [Diagnostic(str(spec.path), 0, 0, Severity.INFO, "cover-wrap", size.summary())]
    if spine is not None:
        found += shortened(spec, spine, size.spine_length)
    found += barcode_missing(spec) + low_resolution(spec, size, front)
    found += print_too_short(spec, pages)
    if overflow.lines:
        line, col = spec.description_at
        message = (
            f"the description is {counted(overflow.lines, 'line')}"
            f" ({counted(overflow.words, 'word')}) too long for the back cover of the"
            f" {_figure(size.trim_width)} × {_figure(size.trim_height)} mm wrap:"
            " shorten it, or the printed text runs "
            + ("under the barcode" if spec.isbn_print else "off the back cover")
        )
        found.append(error(spec.path, line, "back-cover-overflow", message, col))
    return Exported(data, 1, tuple(found))


def low_resolution(spec: AnthologySpec, size: WrapSize, cover: CoverArt) -> list[Diagnostic]:
    """The warning `cover-low-resolution` at `cover_image`'s line when the image, scaled to
    fill the front panel and its bleed, prints under PRINT_PPI: its ppi is the smaller of
    (width px ÷ panel width in inches) and (height px ÷ panel height in inches)."""
    if cover.generated:
        return []
    width, height = image_size(cover.data)
    inches = size.front_inches()
    ppi = min(width / inches[0], height / inches[1])
    if ppi >= PRINT_PPI:
        return []
    needed = store_and_print(print_pixels(size.trim_width, size.trim_height, size.bleed))
    line, col = spec.cover_image_at
    message = (
        f"`cover_image` ({width}×{height} px) prints at {ppi:.0f} ppi on the wrap's front"
        f" ({_figure(size.trim_width + size.bleed)} × {_figure(size.height)} mm with the bleed):"
        f" printers ask for {PRINT_PPI} ppi and stores for 1:{COVER_RATIO}, at least"
        f" {COVER_MIN[0]}×{COVER_MIN[1]} px: an image of at least {needed[0]}×{needed[1]} px"
        " meets both"
    )
    return [warning(spec.path, line, "cover-low-resolution", message, col)]


def barcode_missing(spec: AnthologySpec) -> list[Diagnostic]:
    """The warning `barcode-missing` when the anthology has no `isbn_print`: at the
    `[identifiers]` table's line, else at line 0 naming the table to add."""
    if spec.isbn_print:
        return []
    where = "`[identifiers]`" if spec.identifiers_at else "an `[identifiers]` table"
    line, col = spec.identifiers_at or (0, 0)
    message = (
        "the cover wrap has no barcode: printers need the print ISBN as an EAN-13 on the back"
        f" cover; add `isbn_print` to {where}"
    )
    return [warning(spec.path, line, "barcode-missing", message, col)]


def isbn_label(spec: AnthologySpec) -> str:
    """The barcode's human-readable line, printed above the bars as the Bookland EAN
    convention has it: `ISBN 978-0-306-40615-7`, hyphenated as `isbn_print` is written (the
    ranges are the ISBN agencies', not ours to guess), else its 13 digits."""
    return f"ISBN {spec.isbn_print_written or spec.isbn_print}"


def print_too_short(spec: AnthologySpec, pages: int) -> list[Diagnostic]:
    """The warning `print-too-short` when the print PDF has fewer than PRINT_MIN_PAGES pages:
    KDP refuses it, IngramSpark too under INGRAM_MIN_PAGES."""
    if pages >= PRINT_MIN_PAGES:
        return []
    kdp = f"the print PDF has {counted(pages, 'page')}: KDP prints paperbacks of at least"
    message = (
        f"{kdp} {PRINT_MIN_PAGES} pages and will refuse it; IngramSpark prints from"
        f" {INGRAM_MIN_PAGES}"
        if pages >= INGRAM_MIN_PAGES
        else f"{kdp} {PRINT_MIN_PAGES} pages, IngramSpark of at least {INGRAM_MIN_PAGES}:"
        " both will refuse it"
    )
    return [warning(spec.path, 0, "print-too-short", message)]


def wrap_size(spec: AnthologySpec, pages: int) -> WrapSize:
    """The wrap's measures; `bleed = 0` (an interior without bleed) still gives the wrap
    COVER_BLEED on every side: no printer takes a cover without it."""
    bleed = spec.bleed_mm or COVER_BLEED
    return WrapSize(spec.trim.width_mm, spec.trim.height_mm, pages, spec.paper, bleed)


def barcode_svg(isbn: str) -> bytes:
    """The EAN-13 of a 13-digit ISBN as an SVG document (bars as rectangles, digits below).
    Raises ValueError (python-barcode's) when `isbn` is not a valid EAN-13."""
    out = io.BytesIO()
    # EAN-13 at its nominal size (100 % magnification in the GS1 General Specifications):
    # 0.33 mm modules, 22.85 mm bars, a quiet zone of 11 modules (the left one, the wider).
    # The writer's white background and version comment stay: the same bytes for one version.
    options = {"module_width": 0.33, "module_height": 22.85, "quiet_zone": 3.63, "font_size": 9}
    barcode.get("ean13", isbn, writer=SVGWriter()).write(out, options=options)
    return out.getvalue()


def _mm(value: float) -> str:
    return f"{value:.3f}mm"


def _box(left: float, top: float, width: float, height: float) -> str:
    return f"left:{_mm(left)};top:{_mm(top)};width:{_mm(width)};height:{_mm(height)}"


def wrap_css(size: WrapSize) -> str:
    """The page's stylesheet: `@page` is the trim box; WeasyPrint adds the bleed around it."""
    return (
        f"@page {{ size: {_mm(size.width - 2 * size.bleed)} {_mm(size.trim_height)};"
        f" bleed: {_mm(size.bleed)}; margin: 0 }}\n"
        "html, body { margin: 0; padding: 0 }\n"
        "body { font-family: 'EB Garamond', 'DejaVu Serif', serif; }\n"
        ".panel, .spine, .isbn, .spine-text { position: absolute; box-sizing: border-box }\n"
        ".back-text { position: absolute }\n"
        # An inline-block is laid out whole, never cut at the page's end: every line of a
        # description too long for its panel is there to be counted (pdf.export_wrap).
        ".back-text > div { display: inline-block; width: 100%; vertical-align: top }\n"
        ".back, .spine { background: #f4efe4; color: #111111 }\n"
        ".back p { font-size: 11pt; line-height: 1.35; margin: 0 0 0.8em; hyphens: auto }\n"
        ".back h2 { font-size: 16pt; font-weight: normal; margin: 0 0 0.6em }\n"
        ".front img { width: 100%; height: 100%; object-fit: cover; display: block }\n"
        f".isbn {{ background: #ffffff; padding: {_mm(BOX_PADDING)} }}\n"
        ".isbn img { display: block }\n"
        f".isbn-label {{ margin: 0; height: {_mm(LABEL)}; line-height: {_mm(LABEL)};"
        " font: 8pt 'DejaVu Sans', sans-serif; text-align: center; color: #000000 }\n"
        ".spine-text { transform: rotate(90deg); transform-origin: 50% 50%; text-align: center;"
        " white-space: nowrap; overflow: hidden }\n"
        ".spine-text.bottom-to-top { transform: rotate(-90deg) }\n"
    )


def wrap_html(
    spec: AnthologySpec,
    size: WrapSize,
    cover: CoverArt,
    text: CoverText | None = None,
    fitted: SpineText | None = None,
) -> str:
    """The whole wrap as one HTML page (absolute positions in mm from the trim box's corner).
    The back cover's text panel (id BACK_TEXT) ends where its text must: its content box's
    bottom is the limit `export_wrap` measures the laid-out lines against. `fitted`: the
    spine's text as `spine.fit_spine` fitted it; by default all of it at the largest size."""
    w, h, s, bleed = size.trim_width, size.trim_height, size.spine, size.bleed
    words = text or CoverText.plain(spec)
    body = E.body()
    below = BACK_MARGIN  # the text's bottom limit, from the trim's bottom edge
    if spec.isbn_print:
        svg = barcode_svg(spec.isbn_print)
        root = etree.fromstring(svg)
        # python-barcode writes the drawing's size in millimetres ("39.150mm").
        width, height = (
            float(root.get(side, "0").removesuffix("mm")) for side in ("width", "height")
        )
        box_width, box_height = width + 2 * BOX_PADDING, height + LABEL + 2 * BOX_PADDING
        below = SAFE + box_height + TEXT_GAP
        data = base64.b64encode(svg).decode("ascii")
        body.append(
            E.div(
                E.p(isbn_label(spec), {"class": "isbn-label"}),
                E.img(
                    src=f"data:image/svg+xml;base64,{data}",
                    alt="",  # the line above says it
                    style=f"width:{_mm(width)};height:{_mm(height)}",
                ),
                {"class": "isbn"},
                style=_box(w - SAFE - box_width, h - SAFE - box_height, box_width, box_height),
            )
        )
    back = E.div(
        E.div(E.h2(words.title), *(E.p(para) for para in words.paragraphs)),
        {"class": "back-text", "id": BACK_TEXT},
        # Inside the panel, which starts at the bleed's edge.
        style=_box(
            bleed + BACK_MARGIN, bleed + BACK_MARGIN, w - 2 * BACK_MARGIN, h - BACK_MARGIN - below
        ),
    )
    # The panel first: the barcode's white box is drawn over it.
    body.insert(
        0,
        E.div(back, {"class": "panel back"}, style=_box(-bleed, -bleed, w + bleed, h + 2 * bleed)),
    )
    spine = E.div({"class": "spine"}, style=_box(w, -bleed, s, h + 2 * bleed))
    body.append(spine)
    if size.spine_text:
        line, length = size.spine_line, size.spine_length
        said = fitted or SpineText(SEPARATOR.join(words.spine), min(line * 0.7, FONT_MAX))
        body.append(
            E.div(
                said.text,
                {"class": f"spine-text {spec.spine}"},
                style=_box(w + s / 2 - length / 2, h / 2 - line / 2, length, line)
                + f";font-size:{said.font_size:.3f}mm;line-height:{_mm(line)}",
            )
        )
    body.append(
        E.div(
            E.img(src=cover.data_uri(), alt=cover.alt),
            {"class": "panel front"},
            style=_box(w + s, -bleed, w + bleed, h + 2 * bleed),
        )
    )
    html = E.html(
        E.head(
            E.meta(charset="utf-8"),
            # The interior's metadata (book.html.j2): WeasyPrint makes them the PDF's Title,
            # Author and Subject; export_wrap sets the Keywords, the subjects whole.
            E.title(words.heading),
            E.meta(name="author", content=", ".join(spec.editors)),
            E.meta(name="description", content=words.summary),
            E.style(wrap_css(size)),
        ),
        body,
        lang=spec.lang,
    )
    return etree.tostring(html, method="html", encoding="unicode", doctype="<!DOCTYPE html>")

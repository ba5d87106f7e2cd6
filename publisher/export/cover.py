"""A typographic cover for books whose anthology names no cover image.

Pillow draws title, subtitle, editors and publisher on the theme's colours. The PNG must be
byte-identical from run to run (reproducible EPUBs), so nothing here reads the clock and the
encoder gets fixed settings and no metadata chunks.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import NamedTuple

from lxml import etree
from PIL import Image, ImageDraw, ImageFont

from ..base.cover import cover_alt, cover_title
from ..base.locale import Locale
from ..base.model import AnthologySpec
from ..base.theme import theme_for
from ..base.xmlnames import EPUB_TYPE, OPS_NS, XHTML_NS, XML_LANG

SIZE = (1600, 2560)  # 1:1.6, what the e-book shops ask for (Amazon KDP, Apple Books)
MARGIN = 160
CROP = 160  # what filling a 1:1.4 page crops from the top and the bottom (2560 - 1.4 × 1600) / 2
FONT_DIRS = (
    Path("/usr/share/fonts/opentype/ebgaramond"),
    Path("/usr/share/fonts/truetype/ebgaramond"),
)
GARAMOND = {"regular": "EBGaramond12-Regular", "italic": "EBGaramond12-Italic"}
DEJAVU = {
    "regular": Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"),
    "italic": Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif-Italic.ttf"),
}
NSMAP: dict[str | None, str] = {None: XHTML_NS, "epub": OPS_NS}

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


class Palette(NamedTuple):
    background: str
    ink: str
    accent: str


# The themes' colours (their CSS belongs to the print engineer; the cover only needs three).
PALETTES = {
    "clasico": Palette("#f4efe4", "#111111", "#7a1f1f"),
    "contemporaneo": Palette("#0e6b6b", "#ffffff", "#e8e2d0"),
}
DEFAULT_PALETTE = Palette("#ffffff", "#1a1a1a", "#555555")


def _font(style: str, size: int) -> Font:
    for directory in FONT_DIRS:
        for suffix in (".otf", ".ttf"):
            candidate = directory / (GARAMOND[style] + suffix)
            if candidate.is_file():
                return ImageFont.truetype(str(candidate), size)
    if DEJAVU[style].is_file():
        return ImageFont.truetype(str(DEJAVU[style]), size)
    return ImageFont.load_default(size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: Font, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        trial = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(trial, font=font) <= width:
            lines[-1] = trial
        else:
            lines.append(word)
    return lines


class _Canvas(NamedTuple):
    """A drawing `width` px wide, where every measure of the 1600 px design is scaled by
    `width / SIZE[0]`."""

    draw: ImageDraw.ImageDraw
    width: int

    def px(self, design: float) -> int:
        return round(design * self.width / SIZE[0])

    def font(self, style: str, design_size: int) -> Font:
        return _font(style, self.px(design_size))

    def lines(self, text: str, font: Font) -> list[str]:
        return _wrap(self.draw, text, font, self.width - 2 * self.px(MARGIN))

    def block(self, top: int, lines: list[str], font: Font, fill: str, leading: float) -> int:
        """Draw `lines` centred from `top`; return the y below them."""
        size = getattr(font, "size", 16)
        for line in lines:
            self.draw.text((self.width // 2, top), line, font=font, fill=fill, anchor="ma")
            top += int(size * leading)
        return top


def _height(lines: list[str], font: Font, leading: float) -> int:
    return len(lines) * int(getattr(font, "size", 16) * leading)


def cover_png(spec: AnthologySpec, width: int = SIZE[0]) -> bytes:
    """The cover as PNG bytes, `width` px wide (by default SIZE, 1600×2560 px, the e-book's)
    and 1.6 times as tall, the same bytes for the same spec and width. The wrap asks for
    more pixels (export/wrap.py: 300 ppi on its front panel); the design scales with them.

    Layout: between two ruled bands, 300 px from the top and the bottom, the title and subtitle
    as one block centred on 0.38 of the height, a short rule between them; the editors under
    a rule at 0.68; the publisher above the lower band. Nothing is drawn within CROP of the top
    or bottom edge, so a page or panel of 1:1.4 (A5, a wrap's front with its bleed) that crops
    the cover to fill it (`object-fit: cover`) keeps it all, with even margins.
    (Measures in the 1600 px design.)"""
    # A project theme takes the palette of the built-in theme it extends.
    names = (folder.name for folder in theme_for(spec).themes)
    palette = next((PALETTES[name] for name in names if name in PALETTES), DEFAULT_PALETTE)
    height = round(width * SIZE[1] / SIZE[0])
    image = Image.new("RGB", (width, height), palette.background)
    canvas = _Canvas(ImageDraw.Draw(image), width)
    draw, px = canvas.draw, canvas.px
    margin, crop = px(MARGIN), px(CROP)
    for y, thick in ((crop + px(140), 6), (crop + px(156), 2), (height - crop - px(156), 2),
                     (height - crop - px(140), 6)):  # fmt: skip
        draw.line((margin, y, width - margin, y), fill=palette.accent, width=px(thick))

    title_font, subtitle_font = canvas.font("regular", 156), canvas.font("italic", 76)
    title = canvas.lines(spec.title, title_font)
    subtitle = canvas.lines(spec.subtitle, subtitle_font) if spec.subtitle else []
    gap = px(150) if subtitle else 0  # the rule between title and subtitle, with its space
    block = _height(title, title_font, 1.1) + gap + _height(subtitle, subtitle_font, 1.3)
    y = max(crop + px(240), int(height * 0.38) - block // 2)
    y = canvas.block(y, title, title_font, palette.ink, 1.1)
    if subtitle:
        rule = y + px(50)
        draw.line((width // 2 - px(160), rule, width // 2 + px(160), rule),
                  fill=palette.accent, width=px(5))  # fmt: skip
        canvas.block(y + gap, subtitle, subtitle_font, palette.ink, 1.3)
    locale = Locale.for_spec(spec)
    if spec.editors:
        top = int(height * 0.68)
        draw.line((width // 2 - px(60), top, width // 2 + px(60), top), fill=palette.accent,
                  width=px(3))  # fmt: skip
        editors_font = canvas.font("regular", 66)
        y = canvas.block(top + px(60), [locale.word("edited_by")], canvas.font("italic", 56),
                         palette.accent, 1.3)  # fmt: skip
        canvas.block(y + px(10), canvas.lines(locale.join(spec.editors), editors_font),
                     editors_font, palette.ink, 1.25)  # fmt: skip
    publisher_font = canvas.font("regular", 52)
    canvas.block(height - crop - px(250), canvas.lines(spec.publisher, publisher_font),
                 publisher_font, palette.ink, 1.2)  # fmt: skip

    out = io.BytesIO()
    # Fixed zlib settings and no text chunks: the same input gives the same bytes.
    image.save(out, format="PNG", optimize=False, compress_level=9)
    return out.getvalue()


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels of the JPEG or PNG `data`. Raises OSError (Pillow's) when
    the bytes are not an image."""
    with Image.open(io.BytesIO(data)) as picture:
        return picture.size


def cover_xhtml(spec: AnthologySpec, image_href: str, stylesheet_href: str) -> bytes:
    """The cover's XHTML page: one image marked as the cover, for the landmarks to point at."""
    html = etree.Element(f"{{{XHTML_NS}}}html", nsmap=NSMAP)  # type: ignore[arg-type]  # stubs lack the None (default) key
    html.set("lang", spec.lang)
    html.set(XML_LANG, spec.lang)
    head = etree.SubElement(html, f"{{{XHTML_NS}}}head")
    etree.SubElement(head, f"{{{XHTML_NS}}}meta", charset="utf-8")
    etree.SubElement(head, f"{{{XHTML_NS}}}title").text = cover_title(spec)
    etree.SubElement(
        head, f"{{{XHTML_NS}}}link", rel="stylesheet", type="text/css", href=stylesheet_href
    )
    body = etree.SubElement(html, f"{{{XHTML_NS}}}body", {"class": "cover"})
    section = etree.SubElement(body, f"{{{XHTML_NS}}}section", {"class": "cover-page"})
    section.set(EPUB_TYPE, "cover")
    section.set("aria-label", cover_title(spec))
    img = etree.SubElement(section, f"{{{XHTML_NS}}}img", {"class": "cover-image"})
    img.set("src", image_href)
    img.set("alt", cover_alt(spec))
    img.set("role", "doc-cover")
    return etree.tostring(html, xml_declaration=True, encoding="utf-8", doctype="<!DOCTYPE html>")


# The retailer package's cover (publisher/package.py): what e-book stores ask for (Amazon KDP,
# Apple Books: 1600 px wide at least, height 1.6 × width), as a baseline JPEG.
STORE_WIDTH = 1600
STORE_QUALITY = 92


def store_jpeg(image_data: bytes) -> bytes:
    """The cover image `image_data` (JPEG or PNG bytes, already checked by load/images.py, or
    `cover_png`'s) as the store's JPEG: RGB (transparency laid on white), exactly STORE_WIDTH
    px wide, its height from the source's own ratio, so nothing is stretched, cropped or
    padded: a 1:1.6 cover becomes 1600×2560, the generated 2:3 cover 1600×2400. Resampled
    with Lanczos; no EXIF or ICC data; the same input gives the same bytes.
    Raises OSError (Pillow's) when the bytes are not an image."""
    with Image.open(io.BytesIO(image_data)) as source:
        source.load()
        picture = source.convert("RGBA") if source.mode in ("P", "LA", "RGBA", "PA") else source
        if picture.mode == "RGBA":
            flat = Image.new("RGB", picture.size, "#ffffff")
            flat.paste(picture, mask=picture.getchannel("A"))
            picture = flat
        picture = picture.convert("RGB")
        width, height = picture.size
        size = (STORE_WIDTH, max(1, round(height * STORE_WIDTH / width)))
        if picture.size != size:
            picture = picture.resize(size, Image.Resampling.LANCZOS)
        out = io.BytesIO()
        picture.save(out, format="JPEG", quality=STORE_QUALITY, optimize=False, progressive=False)
        return out.getvalue()

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


def _lines(draw: ImageDraw.ImageDraw, text: str, font: Font) -> list[str]:
    return _wrap(draw, text, font, SIZE[0] - 2 * MARGIN)


def _block(
    draw: ImageDraw.ImageDraw, top: int, lines: list[str], font: Font, fill: str, leading: float
) -> int:
    """Draw `lines` centred from `top`; return the y below them."""
    size = getattr(font, "size", 16)
    for line in lines:
        draw.text((SIZE[0] // 2, top), line, font=font, fill=fill, anchor="ma")
        top += int(size * leading)
    return top


def _height(lines: list[str], font: Font, leading: float) -> int:
    return len(lines) * int(getattr(font, "size", 16) * leading)


def cover_png(spec: AnthologySpec) -> bytes:
    """The cover as PNG bytes (SIZE, 1600×2560 px), the same bytes for the same spec.

    Layout: between two ruled bands, 300 px from the top and the bottom, the title and subtitle
    as one block centred on 0.38 of the height, a short rule between them; the editors under
    a rule at 0.68; the publisher above the lower band. Nothing is drawn within CROP of the top
    or bottom edge, so a page or panel of 1:1.4 (A5, a wrap's front with its bleed) that crops
    the cover to fill it (`object-fit: cover`) keeps it all, with even margins."""
    # A project theme takes the palette of the built-in theme it extends.
    names = (folder.name for folder in theme_for(spec).themes)
    palette = next((PALETTES[name] for name in names if name in PALETTES), DEFAULT_PALETTE)
    image = Image.new("RGB", SIZE, palette.background)
    draw = ImageDraw.Draw(image)
    width, height = SIZE
    for y, thick in ((CROP + 140, 6), (CROP + 156, 2), (height - CROP - 156, 2),
                     (height - CROP - 140, 6)):  # fmt: skip
        draw.line((MARGIN, y, width - MARGIN, y), fill=palette.accent, width=thick)

    title_font, subtitle_font = _font("regular", 156), _font("italic", 76)
    title = _lines(draw, spec.title, title_font)
    subtitle = _lines(draw, spec.subtitle, subtitle_font) if spec.subtitle else []
    gap = 150 if subtitle else 0  # the rule between title and subtitle, with its space
    block = _height(title, title_font, 1.1) + gap + _height(subtitle, subtitle_font, 1.3)
    y = max(CROP + 240, int(height * 0.38) - block // 2)
    y = _block(draw, y, title, title_font, palette.ink, 1.1)
    if subtitle:
        rule = y + 50
        draw.line((width // 2 - 160, rule, width // 2 + 160, rule), fill=palette.accent, width=5)
        _block(draw, y + gap, subtitle, subtitle_font, palette.ink, 1.3)
    locale = Locale.for_spec(spec)
    if spec.editors:
        top = int(height * 0.68)
        draw.line((width // 2 - 60, top, width // 2 + 60, top), fill=palette.accent, width=3)
        editors_font = _font("regular", 66)
        y = _block(
            draw, top + 60, [locale.word("edited_by")], _font("italic", 56), palette.accent, 1.3
        )
        _block(draw, y + 10, _lines(draw, locale.join(spec.editors), editors_font),
               editors_font, palette.ink, 1.25)  # fmt: skip
    publisher_font = _font("regular", 52)
    _block(draw, height - CROP - 250, _lines(draw, spec.publisher, publisher_font), publisher_font,
           palette.ink, 1.2)  # fmt: skip

    out = io.BytesIO()
    # Fixed zlib settings and no text chunks: the same input gives the same bytes.
    image.save(out, format="PNG", optimize=False, compress_level=9)
    return out.getvalue()


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

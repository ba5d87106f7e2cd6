"""The spine's text fitted to the spine's length: a smaller font first, then fewer pieces.

The text runs along the spine between SAFE (6.35 mm) from the top and bottom trim; its font
is at most FONT_MAX and 0.7 of the spine's line (its width less the folds' clearance). When
title · editors · publisher is longer than that, measured on WeasyPrint's own layout
(`pdf.widths`, never by counting characters), the font shrinks down to FONT_MIN; below that,
pieces are left out at the separators: the publisher, then the editors after the first, then
all editors; the warning `spine-text-shortened` says what was left out. A title too long on
its own at FONT_MIN is cut at the spine's end (clipped), and the warning says so.

FONT_MIN, the smallest legible size: the EU's rule for legible print on small packages (an
x-height of at least 0.9 mm; Regulation (EU) No 1169/2011, Art. 13(3)) over EB Garamond's
x-height (405 units of 1000 in its OS/2 table): 0.9 ÷ 0.405 = 2.22 mm, 6.3 pt, which is also
the size the thinnest spine with text (6.35 mm) gets without shrinking.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from lxml.builder import E

from ..base.cover import CoverText
from ..base.diagnostics import Diagnostic, warning
from ..base.model import AnthologySpec

FONT_MAX = 3.5  # mm (9.9 pt)
X_HEIGHT_MIN = 0.9  # mm: Regulation (EU) No 1169/2011, Art. 13(3)
GARAMOND_X_HEIGHT = 0.405  # em: EB Garamond's OS/2 sxHeight, 405 of 1000 units
FONT_MIN = X_HEIGHT_MIN / GARAMOND_X_HEIGHT  # 2.22 mm
SEPARATOR = " · "
FIT = 0.99  # 1 % to spare: a measured width scaled to another size may round up


@dataclass(frozen=True)
class SpineText:
    """What the spine says: `text`, set at `font_size` mm; `left_out`, the pieces dropped
    (publisher, editors), for the warning; `cut`: the title alone does not fit (clipped)."""

    text: str
    font_size: float
    left_out: tuple[str, ...] = ()
    cut: bool = False


def choices(words: CoverText) -> list[tuple[str, tuple[str, ...]]]:
    """The spine's texts, longest first, each with the pieces it leaves out: all of
    `words.spine` (title, editors joined, publisher); without the publisher; with the first
    editor alone (when there are several); the title alone (when there are editors)."""
    title, publisher = words.spine[0], words.spine[-1]
    joined = words.spine[1] if len(words.spine) > 2 else ""
    editors = words.editors
    found: list[tuple[str, tuple[str, ...]]] = [(SEPARATOR.join(words.spine), ())]
    if len(words.spine) > 1:
        found.append((SEPARATOR.join(words.spine[:-1]), (publisher,)))
    if joined and len(editors) > 1:
        found.append((SEPARATOR.join((title, editors[0])), (publisher, *editors[1:])))
    if joined:
        found.append((title, (publisher, *editors)))
    return found


def measure_page(texts: list[str], font_size: float, lang: str) -> str:
    """A page with each of `texts` on one line (id `spine-N`) in the spine's font, to measure."""
    style = (
        "@page { size: 2000mm 200mm; margin: 0 }\n"
        "body { font-family: 'EB Garamond', 'DejaVu Serif', serif; margin: 0 }\n"
        f"div {{ position: absolute; white-space: nowrap; font-size: {font_size:.3f}mm }}\n"
    )
    body = E.body(*(E.div(text, id=f"spine-{index}") for index, text in enumerate(texts)))
    html = E.html(E.head(E.meta(charset="utf-8"), E.style(style)), body, lang=lang)
    return etree.tostring(html, method="html", encoding="unicode", doctype="<!DOCTYPE html>")


def fit_spine(spec: AnthologySpec, words: CoverText, length: float, line: float) -> SpineText:
    """The longest of `choices` that fits `length` mm at FONT_MIN or more (its font as large
    as fits, at most FONT_MAX and 0.7 × `line`), measured with WeasyPrint; else the title alone
    at the smallest size, `cut`."""
    from .pdf import widths  # WeasyPrint, imported only when a wrap is made

    largest = min(line * 0.7, FONT_MAX)
    smallest = min(FONT_MIN, largest)
    options = choices(words)
    texts = [text for text, _ in options]
    measured = widths(spec, measure_page(texts, largest, spec.lang), [
        f"spine-{index}" for index in range(len(texts))
    ])  # fmt: skip
    for (text, left_out), width in zip(options, measured, strict=True):
        size = largest if width <= length * FIT else largest * length * FIT / width
        if size >= smallest:
            return SpineText(text, size, left_out)
    return SpineText(options[-1][0], smallest, options[-1][1], cut=True)


def shortened(spec: AnthologySpec, spine: SpineText, length: float) -> list[Diagnostic]:
    """The warning `spine-text-shortened` (at line 0 of the anthology file) when the spine
    does not say it all: what it leaves out and what it reads, or that the title is cut; none
    when it says everything."""
    if not spine.left_out and not spine.cut:
        return []
    message = (
        f"the spine's {length:.0f} mm cannot hold the title, editors and publisher at"
        f" {_points(FONT_MIN)} or more:"
    )
    if spine.left_out:
        left = ", ".join(f"`{piece}`" for piece in spine.left_out)
        message += f" it leaves out {left}"
    if spine.cut:
        message += (" and" if spine.left_out else " it") + " cuts the title short"
    else:
        message += f" and reads `{spine.text}` at {_points(spine.font_size)}"
    return [warning(spec.path, 0, "spine-text-shortened", message)]


def _points(millimetres: float) -> str:
    return f"{millimetres / 25.4 * 72:.1f} pt"

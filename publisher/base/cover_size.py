"""The pixels a cover image needs, for the e-book stores and for the print wrap's front.

Two rules, two diagnostics: `cover-small` (load/images.py: what the stores ask) and
`cover-low-resolution` (export/wrap.py: what the printer asks of the front panel). When both
apply, each message gives `store_and_print` (one size that satisfies both), so that following
one message never earns the other.
"""

from __future__ import annotations

import math

# What e-book stores ask of a cover (Amazon KDP, Apple Books: 1600×2560 px, height 1.6 × width).
COVER_MIN = (1600, 2560)
COVER_RATIO = 1.6
COVER_RATIO_SLACK = 0.08  # 1.52 to 1.68: a 2:3 cover (1.5) is told
PRINT_PPI = 300  # what printers ask of a cover's images (KDP, IngramSpark)
MM_PER_INCH = 25.4


def print_pixels(trim_width: float, trim_height: float, bleed: float) -> tuple[int, int]:
    """(width, height) in pixels that fill the wrap's front panel and its bleed (outer edge,
    top, bottom; millimetres in) at PRINT_PPI: A5 with 3.175 mm of bleed → (1786, 2556)."""
    width = (trim_width + bleed) / MM_PER_INCH * PRINT_PPI
    height = (trim_height + 2 * bleed) / MM_PER_INCH * PRINT_PPI
    return math.ceil(width), math.ceil(height)


def store_and_print(printing: tuple[int, int]) -> tuple[int, int]:
    """The smallest (width, height) at the stores' 1:COVER_RATIO that is at least COVER_MIN
    and at least `printing` (print_pixels) on each side: (1786, 2556) → (1786, 2858). Its
    ratio is within COVER_RATIO_SLACK (a pixel's rounding off 1.6), so `cover-small` is met."""
    tallest = max(COVER_MIN[1], printing[1])
    width = max(COVER_MIN[0], printing[0], math.ceil(tallest / COVER_RATIO))
    return width, max(tallest, math.ceil(width * COVER_RATIO))

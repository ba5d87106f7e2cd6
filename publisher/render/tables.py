"""Manuscript tables too wide for the page: marked on the tree so CSS can set them denser.

A table's narrowest possible width (its min-content width) is about the sum, over its columns, of
the longest word in each. When that is more than a text block holds, WeasyPrint lets the table
run past the margin (CSS 2.1 §17.5.2.2: the table is never narrower than its min-content width).
Such a table gets `class="dense"` (a smaller size); one too wide even at that size gets
`class="dense cramped"` (words may break inside as a last resort, `overflow-wrap: anywhere`),
so that nothing is lost past the margin. The estimate counts characters, not glyph widths: the
stylesheet, not this module, decides what the classes look like.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

# About what one line of a text block holds at table size, in characters: 110 mm (A5) or
# 113 mm (6 × 9 in) of 10.5 pt EB Garamond at 0.85 em, some 0.45 em a character on average.
TEXT_BLOCK_CHARS = 78
DENSE_CHARS = 92  # the same at the dense size (0.72 em)
CELL_PADDING_CHARS = 2  # the padding between columns, in characters
WORD = re.compile(r"\S+")


def mark_dense_tables(root: ET.Element) -> None:
    """Mark each table under `root` whose words cannot fit side by side (see the module)."""
    for table in root.iter("table"):
        width = min_content_chars(table)
        if width > TEXT_BLOCK_CHARS:
            added = ["dense", "cramped"] if width > DENSE_CHARS else ["dense"]
            table.set("class", " ".join([*table.get("class", "").split(), *added]))


def min_content_chars(table: ET.Element) -> int:
    """Sum over columns of the longest word of any cell in that column, padding included."""
    longest: dict[int, int] = {}
    for row in table.iter("tr"):
        for column, cell in enumerate(child for child in row if child.tag in ("td", "th")):
            words = WORD.findall(_breakable_text(cell))
            width = max((len(word) for word in words), default=0)
            longest[column] = max(longest.get(column, 0), width)
    return sum(width + CELL_PADDING_CHARS for width in longest.values())


def _breakable_text(element: ET.Element) -> str:
    """The element's text with a space where a `<wbr/>` allows a break (see linebreaks.py)."""
    parts = [element.text or ""]
    for child in element:
        parts.append(" " if child.tag == "wbr" else _breakable_text(child))
        parts.append(child.tail or "")
    return "".join(parts)

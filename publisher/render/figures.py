"""Figures whose caption is long: marked so the PDF stylesheet keeps more room for the caption.

In the PDFs an image is scaled to fit the text block less the room its caption needs, so that
figure and caption share a page (`break-inside: avoid` can only keep together what fits). CSS
cannot measure a caption before laying it out, so this module estimates its lines from its
length and marks the figure; paged.css turns each mark into a height to keep free.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

# Characters per caption line, on the narrow side: 110 mm (A5) of 10.5 pt × 0.85 italic EB
# Garamond holds about 80.
CAPTION_LINE_CHARS = 70
# (more than this many lines, class): the stylesheet's room for three lines is the default.
TIERS = ((8, "caption-very-long"), (3, "caption-long"))


def mark_long_captions(root: ET.Element) -> None:
    """Add `caption-long` or `caption-very-long` to each figure whose caption needs the room."""
    for figure in root.iter("figure"):
        caption = figure.find("figcaption")
        if caption is None:
            continue
        lines = -(-len(" ".join("".join(caption.itertext()).split())) // CAPTION_LINE_CHARS)
        for threshold, name in TIERS:
            if lines > threshold:
                figure.set("class", " ".join([*figure.get("class", "").split(), name]))
                break

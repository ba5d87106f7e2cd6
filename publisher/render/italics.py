"""Italic correction in a review's text: which italic runs roman text follows.

An italic letter leans past its advance width, so a roman space or parenthesis set after it
looks eaten ("*¡Ay, Carmela!* (1990)"). TeX adds an italic correction (`\\/`) there and, as
The TeXbook (ch. 4) says, leaves it out before a full stop or a comma, which sit low and would
stand apart. CSS cannot see what follows an element, so the renderer marks each italic run
(`em`, `cite`, `i`, not one inside another, which is set roman) followed in its block by any
other character with the class `italic-end`; base.css gives it its room.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

ITALIC = frozenset({"em", "cite", "i"})
NO_CORRECTION = frozenset(".,")
MARK = "italic-end"


def mark_italic_ends(root: ET.Element, blocks: frozenset[str] | set[str]) -> None:
    """Add the class `italic-end` to each outermost italic element of `root` followed, before
    its block (an element in `blocks`) ends, by a character other than "." and ","."""
    parents = {child: parent for parent in root.iter() for child in parent}
    for element in root.iter():
        if element.tag not in ITALIC or _inside_italic(element, parents):
            continue
        following = _next_character(element, parents, blocks)
        if following and following not in NO_CORRECTION:
            classes = element.get("class", "").split()
            element.set("class", " ".join([*classes, MARK]))


def _inside_italic(element: ET.Element, parents: dict[ET.Element, ET.Element]) -> bool:
    parent = parents.get(element)
    while parent is not None:
        if parent.tag in ITALIC:
            return True
        parent = parents.get(parent)
    return False


def _next_character(
    element: ET.Element, parents: dict[ET.Element, ET.Element], blocks: frozenset[str] | set[str]
) -> str:
    """The first character after `element`'s end in document order within its block, "" when
    the block ends first."""
    node = element
    while True:
        if node.tail:
            return node.tail[0]
        parent = parents.get(node)
        if parent is None:
            return ""
        siblings = list(parent)
        for sibling in siblings[siblings.index(node) + 1 :]:
            if sibling.tag in blocks:
                return ""
            first = _first_character(sibling)
            if first:
                return first
            if sibling.tail:
                return sibling.tail[0]
        if parent.tag in blocks:
            return ""
        node = parent


def _first_character(element: ET.Element) -> str:
    """The first character of `element`'s text content, "" for none."""
    for text in element.itertext():
        if text:
            return text[0]
    return ""

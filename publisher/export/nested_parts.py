"""The contents laid out in parts (export/parts.py): the markup of a part of nested lists,
whose entries are their leaf items."""

from __future__ import annotations

from typing import Any

import lxml.html

from .part_marks import CONTINUED, ENCLOSING, HIDDEN, MARK


def nested_list(document: str) -> tuple[str, int, int] | None:
    """The document element's id, the place of its one list among its elements, and the
    number of entries of that list, nested or not (`ol.toc > li.toc-part > ol >
    li.toc-review`, `li.toc-front`): its leaf items (`leaves_of`); None when the element has
    no id or not one list."""
    root = lxml.html.fragment_fromstring(document)
    children = [child for child in root if isinstance(child.tag, str)]
    lists = [index for index, child in enumerate(children) if child.tag in ("ul", "ol")]
    if len(lists) != 1 or not root.get("id"):
        return None
    return str(root.get("id")), lists[0], len(leaves_of(children[lists[0]]))


def leaves_of(container: Any) -> list[Any]:
    """The entries of nested lists (an lxml or ElementTree element): the `<li>` elements
    holding no `<li>`, in document order, but for the hidden placeholders (`nested_text`)."""
    return [
        item
        for item in container.iter("li")
        if item.find(".//li") is None and item.get(MARK) != HIDDEN
    ]


def nested_text(document: str, container: int, first: int, size: int) -> str:
    """The markup of a part of `document` (an element whose child number `container` among
    its elements holds nested lists) with the entries [first, first + size):
    what follows its last entry in the list is dropped; what precedes its first (but for the
    elements it is in) is kept as empty hidden placeholders, an item holding entries emptied
    (so every element's path and place among its siblings are the whole document's: the
    pagination names it alike, `:nth-child()` counts alike, nothing to renumber); the elements
    it opens inside of are ENCLOSING (from the document's element down: their heading and a
    part's own link were drawn on an earlier page), each item among them keeping its number
    (`value`, `_number`), and the first entry is CONTINUED."""
    root = lxml.html.fragment_fromstring(document)
    children = [child for child in root if isinstance(child.tag, str)]
    entries = leaves_of(children[container])
    end = first + size
    if end < len(entries):
        node = entries[end - 1]
        while node is not children[container]:
            for following in list(node.itersiblings()):
                node.getparent().remove(following)  # with its tail
            node = node.getparent()
    if first > 0:
        _opened_at(root, entries[first])
    text: str = lxml.html.tostring(root, encoding="unicode")
    return text


def _opened_at(root: Any, entry: Any) -> None:
    """Mark the tree for a part opening at `entry` (`nested_text`)."""
    entry.set(MARK, CONTINUED)
    node = entry
    while node is not root:
        parent = node.getparent()
        if node.tag == "li" and node.get("value") is None and (number := _number(node)):
            node.set("value", str(number))
        parent.set(MARK, ENCLOSING)
        parent.text = None  # what it holds before `node` lies on earlier pages of the whole
        for before in node.itersiblings(preceding=True):
            before.tail = None
            if not isinstance(before.tag, str):
                continue
            if before.tag == "li" or before.find(".//li") is not None:
                for child in list(before):
                    before.remove(child)
                before.text = None
            before.set(MARK, HIDDEN)
        node = parent


def _number(item: Any) -> int | None:
    """The number of an `<li>` of an `<ol>` as HTML counts it (its `start`, the `value` of
    the items before it), or None (an `<ul>`, a reversed list, a number that is not one)."""
    parent = item.getparent()
    if parent.tag != "ol" or parent.get("reversed") is not None:
        return None
    try:
        number = int(parent.get("start", "1")) - 1
        for sibling in parent.iterchildren("li"):
            number = int(sibling.get("value", number + 1))
            if sibling is item:
                return number
    except ValueError:
        return None
    return None

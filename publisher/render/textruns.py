"""A block's text runs in document order, each with the language it is written in.

markup.py smartens a paragraph as one piece of text split into runs (an element's text, a
child's tail). A run's language is the innermost of: the block's, an inline element's `lang`
attribute (attr_list: `*"Oui"*{: lang=fr }`), or a raw `<span lang="…">` that Python-Markdown
keeps as a stashed tag in the text (`RawSpans` follows those as markup.py meets them).
`smarten_block` does the same for a raw HTML block, which Markdown keeps whole.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field

from lxml import etree

from .typography import Run, smarten_runs

OPENING_TAG = re.compile(r"^<([A-Za-z][A-Za-z0-9]*)")
CLOSING_TAG = re.compile(r"^</")
Element = ET.Element | etree._Element  # Markdown's tree, or a raw block parsed by lxml
RAW_LANG = re.compile(r'\slang="([^"]+)"')  # as sanitize.sanitize_tag serializes a tag


@dataclass(frozen=True)
class Slot:
    """One text run of a block (an element's text or tail) and the language it is in."""

    get: Callable[[], str]
    put: Callable[[str], None]
    lang: str
    depth: int  # of the element whose text this is, the block being 0
    lang_depth: int  # of the element that set `lang` (-1: the block's own or inherited)
    verbatim: bool = False  # code: read for its neighbours' context, never changed


@dataclass
class RawSpans:
    """The raw inline tags open so far in a block: (lang or None, depth of the text holding
    the tag). Fed each stashed tag in document order (`tag`), it answers `lang`."""

    open: list[tuple[str | None, int, str]] = field(default_factory=list)  # + the tag name

    def tag(self, tag: str, slot: Slot) -> None:
        """`tag` as sanitize.py serialized it: `<span lang="en" …>`, `</span>`, `<br/>`, or
        "" (dropped); an unmatched closing tag is ignored."""
        opening = OPENING_TAG.match(tag)
        if CLOSING_TAG.match(tag):
            if self.open:
                self.open.pop()
        elif opening and not tag.endswith("/>"):
            found = RAW_LANG.search(tag)
            lang = found.group(1) if found else None
            self.open.append((lang, slot.depth, opening.group(1).lower()))

    def inside(self, names: Collection[str]) -> bool:
        """Whether a raw tag named in `names` (code) is open."""
        return any(name in names for _, _, name in self.open)

    def lang(self, slot: Slot) -> str:
        """The language of text in `slot` here: the innermost open raw `lang` span, unless an
        element inside it set its own `lang`."""
        for lang, depth, _ in reversed(self.open):
            if lang is not None:
                return lang if depth >= slot.lang_depth else slot.lang
        return slot.lang


def text_slots(
    element: Element,
    lang: str,
    blocks: Collection[str],
    skipped: Collection[str],
    depth: int = 0,
    lang_depth: int = -1,
) -> Iterator[Slot]:
    """Each text run of `element` in document order, with its language: its text, its inline
    children's, each child's tail; not the text inside nested `blocks` (smartened on their
    own); a `skipped` element (code) is one `verbatim` slot of all its text."""

    def text_of(node: Element) -> str:
        return node.text or ""

    def tail_of(node: Element) -> str:
        return node.tail or ""

    yield Slot(
        functools.partial(text_of, element), functools.partial(setattr, element, "text"),
        lang, depth, lang_depth,
    )  # fmt: skip
    for child in element:
        if child.tag in blocks:
            pass  # smartened on its own; its tail is this element's text
        elif child.tag in skipped:
            text = "".join(str(piece) for piece in child.itertext())
            read = functools.partial(_constant, text)
            yield Slot(read, _unchanged, lang, depth, lang_depth, verbatim=True)
        else:
            own = child.get("lang")
            inner = depth + 1 if own else lang_depth
            yield from text_slots(child, own or lang, blocks, skipped, depth + 1, inner)
        yield Slot(
            functools.partial(tail_of, child), functools.partial(setattr, child, "tail"),
            lang, depth, lang_depth,
        )  # fmt: skip


def _unchanged(text: str) -> None:
    """The setter of a verbatim slot: code keeps its text."""


def _constant(text: str) -> str:
    return text


def smarten_block(xhtml: str, lang: str, blocks: Collection[str], skipped: Collection[str]) -> str:
    """A raw HTML block (sanitized XHTML, in and out) with the typography Markdown text gets,
    in the language of each of its elements; `blocks` and `skipped` as for `text_slots`."""
    if not xhtml.strip():
        return xhtml
    holder = etree.fromstring(f"<div>{xhtml}</div>")
    _smarten_tree(holder, lang, blocks, skipped)
    serialized = etree.tostring(holder, encoding="unicode")
    return (
        serialized.removeprefix("<div>").removesuffix("</div>")
        if len(holder) or holder.text
        else ""
    )


def _smarten_tree(
    element: etree._Element, lang: str, blocks: Collection[str], skipped: Collection[str]
) -> None:
    if element.tag in skipped:
        return
    lang = element.get("lang") or lang
    slots = list(text_slots(element, lang, blocks, skipped))
    texts = smarten_runs([Run(slot.get(), slot.lang, slot.verbatim, slot.get()) for slot in slots])
    for slot, text in zip(slots, texts, strict=True):
        slot.put(text)
    for child in element:
        if child.tag in blocks:
            _smarten_tree(child, lang, blocks, skipped)

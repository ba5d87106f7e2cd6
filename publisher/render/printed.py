"""What a rendered page or document prints, for the colophon's faces and the glyph check.

`base/fonts.py` reads a page with Python's `html.parser` (`page_text`): the text outside
`<head>`, `<style>`, `<script>` and `<template>`, entities decoded, and whether a `<ul>` is
there. Here the same is read with lxml (libxml2's HTML parser, 2.5 times faster over the
400-review book), and each document body once per process (`document_text`): the print and
screen PDFs render the same bodies, so do the web edition and the EPUB, and the page of a PDF
edition is read as its documents plus the markup around them (`book_page_text`, kept in
`RenderedBook.printed` for the check). The renderer's HTML is well formed (Markdown's XHTML,
Jinja2's autoescaping, named entities made literal by markup.py), so both readers find the
same visible characters in the same order (`tests/test_printed.py` compares them on the
sample book and on hard cases).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import cast

from lxml import etree

from ..base.digests import digest
from ..base.rendered import Printed

SKIPPED = frozenset({"head", "style", "script", "template"})
_OPENING = re.compile(r"<(head|style|script|template)(?=[\s/>])", re.IGNORECASE)
_CLOSING = re.compile(r"</(head|style|script|template)\s*>", re.IGNORECASE)


def page_text(html: str) -> Printed:
    """What `html` (a page, or a fragment of one) prints: see the module's docstring."""
    if not html.strip():
        return Printed("")
    # A parser per call: one lxml parser may not serve two threads (the preview's) at once.
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True)
    root = etree.fromstring(html, parser)
    if root is None:
        return Printed("")
    # Any `<ul>` start tag, skipped elements' too, as html.parser's reader counts them.
    bulleted = next(root.iter("ul"), None) is not None
    etree.strip_elements(root, *SKIPPED, with_tail=False)  # their text goes, their tails stay
    text = "".join(cast("Iterator[str]", root.itertext()))  # text, from an HTML parse
    return Printed("".join(sorted(set(text), key=text.index)), bulleted)  # in order of use


def document_text(body: str) -> Printed:
    """`page_text` of one document's body, read once per process however many editions
    render it alike (the print and screen PDFs, the web edition and the EPUB). Kept by the
    body's digest, not by the body: a cache keyed by the bodies held every document's text
    of two editions until the process ended (issue 17: the build process's peak RSS)."""
    key = digest(body)
    found = _READ.get(key)
    if found is None:
        found = page_text(body)
        with _READING:  # the preview's threads share it
            _READ[key] = found
            if len(_READ) > _KEPT:
                del _READ[next(iter(_READ))]  # the oldest read
    return found


_KEPT = 4096  # bodies' readings kept (a few characters each), the oldest dropped first
_READ: dict[str, Printed] = {}  # body's digest (base/digests.py) → what it prints
_READING = threading.Lock()


def documents_text(bodies: Iterable[str]) -> Printed:
    """What documents print one after another (`document_text` of each, joined)."""
    return joined(document_text(body) for body in bodies)


def book_page_text(page: str, bodies: Sequence[str]) -> Printed:
    """`page_text` of a page that holds `bodies`, in order, between its own markup: each
    body read by `document_text`, the markup around them on its own. When a body is not found
    as written, or the markup between opens an element whose text is skipped without closing
    it (a theme's template could), the page is read whole."""
    pieces: list[Printed] = []
    start = 0
    for body in bodies:
        found = page.find(body, start)
        if found < 0 or not _closed(page[start:found]):
            return page_text(page)
        pieces += [page_text(page[start:found]), document_text(body)]
        start = found + len(body)
    if not _closed(page[start:]):
        return page_text(page)
    return joined([*pieces, page_text(page[start:])])


def joined(texts: Iterable[Printed]) -> Printed:
    """What pieces print one after another: their characters in order of first use."""
    found = list(texts)
    characters = "".join(dict.fromkeys("".join(text.characters for text in found)))
    return Printed(characters, any(text.bulleted for text in found))


def _closed(markup: str) -> bool:
    """Whether every skipped element `markup` opens, it closes too."""
    opened = Counter(match.lower() for match in _OPENING.findall(markup))
    closed = Counter(match.lower() for match in _CLOSING.findall(markup))
    return opened == closed

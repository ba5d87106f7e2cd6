"""Where a URL or a long identifier may break at a line end, marked as `<wbr/>` on the tree.

Rule (Chicago Manual of Style, 17th ed., §14.18): a URL that must break at a line end breaks
after a colon or a double slash; before a single slash, a tilde, a period, a comma, a hyphen,
an underline, a question mark, a number sign or a percent symbol; before or after an equals sign
or an ampersand. No hyphen is ever added, and a hyphen of the URL never ends a line (so nobody,
and no text extractor, mistakes it for a hyphenation). A particularly long run of letters may
break between syllables (§14.18 again), still without a hyphen: that keeps justified lines
around a long host name from opening huge gaps.

The marks are data, not characters: `<wbr/>` elements, so that copying the text of the PDF,
EPUB or HTML, or searching it, gives the URL back unchanged (a zero-width space would ride
along). Line breaking (UAX #14, as Pango and browsers apply it) would also break *after* a
hyphen, slash or question mark: each piece that holds one of those before its end is wrapped in
`<span class="nobreak">` (`white-space: nowrap` in the stylesheets), so the only breaks left in
a URL are ours. Bare URLs in running text are wrapped in `<span class="url">`, and long
identifiers (`ARCHIVO_1939_COPIA_FINAL`) in `<span class="identifier">`, so that CSS can turn
automatic hyphenation off for them as it does for links and code.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from functools import cache
from itertools import pairwise

import pyphen

URL = re.compile(r"(?:https?://|mailto:|www\.)[^\s<>\"«»“”‘’]+", re.IGNORECASE)
TRAILING = ".,;:!?)]}'"  # sentence punctuation after a URL is not part of it
IDENTIFIER = re.compile(r"\b[A-Za-z0-9]+(?:[_.][A-Za-z0-9]+){2,}\b")
MIN_LENGTH = 20  # shorter URLs and identifiers fit on any line we set
LONG_RUN = 10  # letters: a run of a URL at least this long may break between syllables
IDENTIFIER_RUN = 6  # the same for identifiers and code, where CMOS sets no rule
CHUNK = 12  # characters: the longest stretch left without a break (digits, mixed runs)
BEFORE = frozenset("/~.,-_?#%=&")
AFTER = frozenset("=&")
NATIVE_BREAKS = frozenset("-/?!")  # UAX #14 may break after these: kept inside `nobreak`
SKIP = frozenset({"pre", "script", "style", "wbr"})
NO_TEXT_SCAN = frozenset({"a", "code", "kbd", "samp", "pre"})


def break_points(token: str, lang: str, long_run: int = LONG_RUN) -> list[int]:
    """Offsets (0 < n < len(token)) in `token` before which a line may break, per CMOS §14.18.

    Runs of `long_run` letters or more also break between syllables (pyphen, for `lang`).
    """
    points: set[int] = set()
    for index, char in enumerate(token):
        if char == ":" and not token.startswith("//", index + 1):
            points.add(index + 1)  # after a colon (the scheme's breaks after its `//` instead)
        elif char == "/" and token[index - 1 : index] == "/":
            points.add(index + 1)  # after a double slash
        elif char in BEFORE and not (char == "/" and token[index + 1 : index + 2] == "/"):
            points.add(index)
        if char in AFTER:
            points.add(index + 1)
    for run in re.finditer(rf"[^\W\d_]{{{long_run},}}", token):
        points.update(run.start() + offset for offset in _syllables(lang).positions(run.group()))
    inner = sorted(point for point in points if 0 < point < len(token))
    # A stretch with no syllables (a hash, a serial number) still must not overflow the line.
    extra: list[int] = []
    for start, end in pairwise([0, *inner, len(token)]):
        extra.extend(range(start + CHUNK, end - CHUNK // 2, CHUNK))
    return sorted(inner + extra)


def break_urls(root: ET.Element, lang: str) -> None:
    """Mark break opportunities in every URL and long identifier under `root`, in place.

    Link text that is itself a URL, bare URLs in running text, and `code` without spaces of
    `MIN_LENGTH` characters or more. Code blocks (`pre`) keep their lines as written.
    """
    for element in list(_elements(root)):
        if element.tag == "a":
            text = "".join(element.itertext())
            if len(element) == 0 and len(text) >= MIN_LENGTH and URL.fullmatch(text):
                _replace_text(element, _pieces(text, lang, LONG_RUN))
        elif element.tag == "code":
            text = "".join(element.itertext())
            if len(element) == 0 and len(text) >= MIN_LENGTH and not re.search(r"\s", text):
                _replace_text(element, _pieces(text, lang, IDENTIFIER_RUN))
        if element.tag not in NO_TEXT_SCAN:
            _scan(element, lang)


def _elements(root: ET.Element) -> Iterator[ET.Element]:
    if root.tag in SKIP:
        return
    yield root
    for child in root:
        yield from _elements(child)


def _scan(element: ET.Element, lang: str) -> None:
    """Bare URLs and identifiers in the element's own text and in its children's tails."""
    _splice(element, None, lang)
    for child in list(element):
        _splice(element, child, lang)


def _splice(parent: ET.Element, child: ET.Element | None, lang: str) -> None:
    text = (parent.text if child is None else child.tail) or ""
    items: list[str | ET.Element] = []
    position = 0
    for start, end, kind in _tokens(text):
        items.append(text[position:start])
        wrapper = ET.Element("span", {"class": kind})
        run = LONG_RUN if kind == "url" else IDENTIFIER_RUN
        _replace_text(wrapper, _pieces(text[start:end], lang, run))
        items.append(wrapper)
        position = end
    if not items:
        return
    items.append(text[position:])
    head, nodes = _flatten(items)
    if child is None:
        parent.text = head
        index = 0
    else:
        child.tail = head
        index = list(parent).index(child) + 1
    for offset, node in enumerate(nodes):
        parent.insert(index + offset, node)


def _tokens(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, class) of each long bare URL or identifier in `text`, in order."""
    found: list[tuple[int, int, str]] = []
    for match in URL.finditer(text):
        end = match.end()
        while end > match.start() and text[end - 1] in TRAILING:
            url = text[match.start() : end]
            if url.endswith(")") and url.count("(") >= url.count(")"):
                break  # a parenthesis of the URL itself (Wikipedia titles), not of the sentence
            end -= 1
        if end - match.start() >= MIN_LENGTH:
            found.append((match.start(), end, "url"))
    for match in IDENTIFIER.finditer(text):
        overlaps = any(match.start() < end and start < match.end() for start, end, _ in found)
        if not overlaps and len(match.group()) >= MIN_LENGTH:
            found.append((match.start(), match.end(), "identifier"))
    return iter(sorted(found))


def _pieces(token: str, lang: str, long_run: int) -> list[str | ET.Element]:
    """The token's text with a `<wbr/>` at each break point and risky pieces kept whole."""
    items: list[str | ET.Element] = []
    bounds = [0, *break_points(token, lang, long_run), len(token)]
    for number, (start, end) in enumerate(pairwise(bounds)):
        if number:
            items.append(ET.Element("wbr"))
        piece = token[start:end]
        if any(char in NATIVE_BREAKS for char in piece[:-1]):
            span = ET.Element("span", {"class": "nobreak"})
            span.text = piece
            items.append(span)
        else:
            items.append(piece)
    return items


def _replace_text(element: ET.Element, items: list[str | ET.Element]) -> None:
    """Make `items` the whole content of `element` (which has no children)."""
    head, nodes = _flatten(items)
    element.text = head
    for node in nodes:
        element.append(node)


def _flatten(items: list[str | ET.Element]) -> tuple[str, list[ET.Element]]:
    """Strings and elements in order → (leading text, elements carrying the rest as tails)."""
    head = ""
    nodes: list[ET.Element] = []
    for item in items:
        if isinstance(item, str):
            if nodes:
                nodes[-1].tail = (nodes[-1].tail or "") + item
            else:
                head += item
        else:
            nodes.append(item)
    return head, nodes


@cache
def _syllables(lang: str) -> pyphen.Pyphen:
    """Pyphen's dictionary for `lang` (English when it has none), three letters each side."""
    fallback = pyphen.language_fallback(lang.replace("-", "_")) or "en"
    return pyphen.Pyphen(lang=fallback, left=3, right=3)

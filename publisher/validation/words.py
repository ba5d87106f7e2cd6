"""Words as the fidelity check compares them: one normalisation for manuscripts and editions.

A printed edition may change how a word looks but not which word it is. Every difference that
layout, typography or text extraction introduces is folded away here, on both sides alike:

* Unicode compatibility forms (NFKC): ligatures `ﬁ ﬂ` that PDF text extraction reports, `¹` in
  note calls, full-width forms. Combining marks left over after composition are dropped (text
  extraction does not keep their order reliably), and so are format characters (category Cf:
  soft hyphens, zero-width spaces and joiners), which print nothing.
* Case (`str.casefold`): small capitals and `text-transform: uppercase` print the same word.
* Punctuation, quotes and dashes separate words and are not words: smart typography turns
  `"` into `«»`, `--` into `–`, `...` into `…`, which changes nothing here.
* A hyphen between two letters joins them (`franco-alemán` → `francoalemán`): then a compound
  hyphen and a hyphen the typesetter inserts at a line end (`fran‐` + `quista`, U+2010 from
  WeasyPrint, or `-`) give the same word once the line end is joined (see `EditionWords`).
* Letters and digits are separate words, so `trinchera¹` (a note call extracted as
  `trinchera1`) still holds `trinchera`, and a note's printed number is one more word.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from typing import Any, NamedTuple

HYPHENS = "-\u2010\u2011"
_WORD_CHAR = r"[^\W_]"
# A hyphen between two word characters (a compound, or a word the typesetter broke).
_JOINING_HYPHEN = re.compile(rf"(?<={_WORD_CHAR})[{HYPHENS}](?={_WORD_CHAR})")
_TOKEN = re.compile(r"\S+")
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")  # punctuation around a word as written
_KEY = re.compile(r"\d+|[^\W\d_]+")
# A line that ends in a hyphen right after a letter: the word goes on at the next line.
BROKEN_LINE_END = re.compile(rf"{_WORD_CHAR}[{HYPHENS}\u00ad]\s*$")


def _fold(text: str) -> str:
    """NFKC, casefold, no leftover combining marks or format characters."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return "".join(c for c in folded if unicodedata.category(c) not in _UNPRINTED)


_UNPRINTED = frozenset({"Mn", "Mc", "Me", "Cf"})
# The format characters (Cf) that manuscripts carry: soft hyphen, zero-width space and joiners,
# direction marks, embeddings and isolates, word joiner, byte order mark. (`_fold` drops every
# Cf character; a rarer one left in a manuscript word splits it, and the matcher joins it.)
_FORMAT = dict.fromkeys(
    [0x00AD, *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065),
     *range(0x2066, 0x2070), 0xFEFF]
)  # fmt: skip


@functools.lru_cache(maxsize=1 << 16)
def _token_keys(token: str) -> tuple[str, ...]:
    return tuple(_KEY.findall(_JOINING_HYPHEN.sub("", _fold(token))))


def keys(text: str) -> list[str]:
    """The comparison keys of a run of text, in order (`"Franco-alemán, 1936"` →
    `["francoalemán", "1936"]`). Computed per white-space-separated token, with a cache: books
    repeat their words."""
    return [key for token in text.split() for key in _token_keys(token)]


class Word(NamedTuple):
    """One word of a manuscript: its comparison key, how it was written, its line (1-based).

    Immutable like the stages' frozen dataclasses, and a tuple: a book has 10⁵–10⁶ of them.
    """

    key: str
    shown: str
    line: int


def words(text: str, line: int) -> Iterator[Word]:
    """The words of `text`, which starts at `line`; newlines in it advance the line.

    Exactly `keys(text)`, token by token (`Marca™` is `marcatm` on both sides: NFKC spells ™),
    each with the token as written, without its punctuation, for messages.
    """
    text = unicodedata.normalize("NFC", text).translate(_FORMAT)
    counted = 0
    for match in _TOKEN.finditer(text):
        found = _token_keys(match.group())
        if not found:
            continue
        line += text.count("\n", counted, match.start())
        counted = match.start()
        shown = _EDGES.sub("", match.group()) or match.group()  # one object for all its keys
        for key in found:
            yield Word(key, shown, line)


# Elements that do not break a word: text on either side runs on (`<em>pala</em>bra`).
INLINE_TAGS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "i", "ins",
    "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
    "font", "tt", "big",
})  # fmt: skip


def element_text(element: Any, skip: frozenset[str] = frozenset()) -> str:
    """The text of an (X)HTML element as a reader sees it: inline elements run on, any other
    element (paragraph, cell, line break...) separates words. Elements named in `skip` (local
    names) print nothing; comments and processing instructions neither."""
    out: list[str] = []

    def walk(node: Any) -> None:
        tag = node.tag if isinstance(node.tag, str) else None
        name = tag.rsplit("}", 1)[-1].lower() if tag else None
        if name is not None and name not in skip:
            inline = name in INLINE_TAGS
            if not inline:
                out.append(" ")
            out.append(node.text or "")
            for child in node:
                walk(child)
            if not inline:
                out.append(" ")
        out.append(node.tail or "")

    walk(element)
    out.pop()  # the element's own tail is not its text
    return "".join(out)

"""What each glyph of a font stands for: a PDF's ToUnicode CMap, a font's cmap and GSUB.

Sources: ISO 32000-1 §9.10.3 (ToUnicode CMaps, `bfchar` and `bfrange`); OpenType GSUB lookup
types 1 (single), 2 (multiple), 3 (alternate), 4 (ligature) and 7 (extension).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator, Mapping

from fontTools.ttLib import TTFont

BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.DOTALL)
BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.DOTALL)
HEX = re.compile(rb"<([0-9A-Fa-f]*)>")
RANGE_ROW = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])")


def parse_to_unicode(data: bytes) -> dict[int, str]:
    """CID → text from a ToUnicode CMap's `bfchar` and `bfrange` sections (ISO 32000-1
    §9.10.3); the text is UTF-16BE in the CMap."""
    texts: dict[int, str] = {}
    for block in BFCHAR.findall(data):
        values = HEX.findall(block)
        for code, text in zip(values[::2], values[1::2], strict=False):
            texts[int(code, 16)] = _utf16(text)
    for block in BFRANGE.findall(data):
        for low, high, target in RANGE_ROW.findall(block):
            first, last = int(low, 16), int(high, 16)
            if target.startswith(b"["):
                for offset, text in enumerate(HEX.findall(target)):
                    texts[first + offset] = _utf16(text)
            else:
                start = HEX.match(target)
                base = _utf16(start.group(1)) if start else ""
                for offset in range(last - first + 1):
                    if base:
                        texts[first + offset] = base[:-1] + chr(ord(base[-1]) + offset)
    return texts


def _utf16(hexadecimal: bytes) -> str:
    return bytes.fromhex(hexadecimal.decode("ascii")).decode("utf-16-be", errors="replace")


def stands_for(text: str, texts: frozenset[str]) -> bool:
    """Whether a glyph that stands for `texts` may carry `text` in a ToUnicode map: the same
    text up to normalisation, or for a cluster (base + mark, a ligature) one of its letters."""
    if text in texts or unicodedata.normalize("NFC", text) in texts:
        return True
    if len(text) > 1:
        letters = {char for candidate in texts for char in candidate}
        return any(char in letters for char in unicodedata.normalize("NFD", text))
    return False


# GSUB lookup types that map glyphs to glyphs: single, multiple, alternate, ligature.
SINGLE, MULTIPLE, ALTERNATE, LIGATURE, EXTENSION = 1, 2, 3, 4, 7


def glyph_texts(font: TTFont, cmap: Mapping[int, str]) -> dict[str, frozenset[str]]:
    """Glyph name → the texts it can stand for: from `cmap`, then along every GSUB
    substitution (whatever feature uses it) until nothing new is reached."""
    found: dict[str, set[str]] = {}
    for code, name in cmap.items():
        found.setdefault(name, set()).add(chr(code))
    subtables = list(_gsub_subtables(font))
    for _ in range(4):  # chains of substitutions are short: small caps of an alternate, …
        grown = False
        for kind, table in subtables:
            for target, texts in _substitutions(kind, table, found):
                known = found.setdefault(target, set())
                if not texts <= known:
                    known |= texts
                    grown = True
        if not grown:
            break
    return {name: frozenset(texts) for name, texts in found.items()}


def _gsub_subtables(font: TTFont) -> Iterator[tuple[int, object]]:
    if "GSUB" not in font or font["GSUB"].table.LookupList is None:
        return
    for lookup in font["GSUB"].table.LookupList.Lookup:
        for table in lookup.SubTable:
            kind = lookup.LookupType
            if kind == EXTENSION:
                kind, table = table.ExtensionLookupType, table.ExtSubTable
            if kind in (SINGLE, MULTIPLE, ALTERNATE, LIGATURE):
                yield kind, table


def _substitutions(
    kind: int, table: object, found: Mapping[str, set[str]]
) -> Iterator[tuple[str, set[str]]]:
    if kind == SINGLE:
        for source, target in getattr(table, "mapping", {}).items():
            if source in found:
                yield target, found[source]
    elif kind in (MULTIPLE, ALTERNATE):
        targets = getattr(table, "mapping" if kind == MULTIPLE else "alternates", {})
        for source, names in targets.items():
            if source in found:
                for target in names:
                    yield target, found[source]
    else:
        for first, ligatures in getattr(table, "ligatures", {}).items():
            for ligature in ligatures:
                parts = [first, *ligature.Component]
                if all(part in found for part in parts):
                    combos = itertools.islice(itertools.product(*(found[p] for p in parts)), 16)
                    yield ligature.LigGlyph, {"".join(combo) for combo in combos}

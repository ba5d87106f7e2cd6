"""Characters that no installed font can draw (CJK without a CJK font, rare emoji).

WeasyPrint falls back through fontconfig and, when nothing covers a character, prints a box
without a word. One `fc-list` run gives every installed face's coverage; the check is a set
lookup per distinct character.
"""

from __future__ import annotations

import bisect
import functools
import unicodedata

from .fonts import fc_list

# Controls, format characters (zero-width joiners, bidi marks) and spaces draw nothing.
INVISIBLE = ("Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me")


@functools.lru_cache(maxsize=1)
def coverage() -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """Merged (starts, ends) of every installed face's charset; None without fontconfig."""
    listing = fc_list("%{charset}\n")
    if listing is None:
        return None
    ranges: list[tuple[int, int]] = []
    for token in listing.split():
        first, _, last = token.partition("-")
        try:
            ranges.append((int(first, 16), int(last or first, 16)))
        except ValueError:
            continue
    merged: list[list[int]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    return tuple(r[0] for r in merged), tuple(r[1] for r in merged)


def uncovered(text: str, ranges: tuple[tuple[int, ...], tuple[int, ...]] | None) -> list[str]:
    """The distinct visible characters of `text` that no range covers, in order of use."""
    if ranges is None:
        return []
    starts, ends = ranges
    missing = []
    for char in dict.fromkeys(text):
        code = ord(char)
        if code < 0x250 or unicodedata.category(char) in INVISIBLE:
            continue
        index = bisect.bisect_right(starts, code) - 1
        if index < 0 or code > ends[index]:
            missing.append(char)
    return missing

"""The faces a book is set in, for its colophon: what the theme's `font-family` stacks resolve
to on this machine (through fontconfig, as WeasyPrint resolves them), not a name written into a
template.

Per stack, the first installed family sets the text; a later family of the stack is named too
when it draws letters of the book that the earlier ones lack (a CJK film title falls to
"Noto Serif CJK JP"), as WeasyPrint falls back through the stack character by character.
Letters only: a star of a rating drawn by a symbol face is not what a colophon names, and which
stack sets it (serif or sans) is the stylesheet's choice per element, which is not known here;
a letter the book prints is taken to be set by every stack.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Iterable

from .fonts import GENERIC, Ranges, _merge, _optical_size_of, fc_list, font_stacks, uncovered
from .fonts import installed_families as fontconfig_families


@functools.cache
def _charset_tokens() -> dict[str, tuple[str, ...]] | None:
    """Each installed family (lower case) and the charset tokens of its faces; None without
    fontconfig."""
    listing = fc_list("%{family}\t%{charset}\n")
    if listing is None:
        return None
    tokens: dict[str, list[str]] = {}
    for line in listing.splitlines():
        names, _, charset = line.partition("\t")
        for name in names.split(","):
            if name.strip():
                tokens.setdefault(name.strip().lower(), []).extend(charset.split())
    return {name: tuple(found) for name, found in tokens.items()}


@functools.cache
def _charset(family: str) -> Ranges | None:
    """The characters the installed faces of `family` (lower case) cover, merged when first
    asked for (a book's stacks name a few of the hundreds of families); None when unknown."""
    tokens = _charset_tokens()
    found = tokens.get(family) if tokens is not None else None
    return _merge(list(found)) if found is not None else None


def faces_used(
    css: str,
    text: str = "",
    installed: Iterable[str] | None = None,
    charsets: dict[str, Ranges] | None = None,
) -> tuple[str, ...]:
    """The families a book whose stylesheet is `css` and whose printed characters are `text`
    is set in, each once, in order of appearance: per stack, the first installed family
    (fontconfig's list by default; without fontconfig, the first named), then the later ones
    that draw a letter of `text` the earlier ones lack (by `charsets`, fontconfig's by
    default). A family is named without its optical size ("EB Garamond 12" → "EB Garamond"
    when the stack names both); generic families name no face."""
    families = installed if installed is not None else fontconfig_families()
    known = {name.lower() for name in families} if families is not None else None
    coverage: Callable[[str], Ranges | None] | None = None
    if charsets is not None:
        coverage = charsets.get
    elif text and _charset_tokens() is not None:
        coverage = _charset
    letters = "".join(c for c in dict.fromkeys(text) if unicodedata.category(c).startswith("L"))
    faces: dict[str, None] = {}
    for stack in font_stacks(css):
        named = [
            n for n in stack if n.lower() not in GENERIC and (known is None or n.lower() in known)
        ]
        if not named:
            continue
        faces.setdefault(_family(named[0], named), None)
        if coverage is None:
            continue
        left = "".join(uncovered(letters, coverage(named[0].lower())))
        for name in named[1:]:
            if not left:
                break
            still = "".join(uncovered(left, coverage(name.lower())))
            if len(still) < len(left):
                faces.setdefault(_family(name, named), None)
            left = still
    return tuple(faces)


def _family(name: str, stack: list[str]) -> str:
    return next((other for other in stack if _optical_size_of(name, other)), name)

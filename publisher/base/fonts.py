"""Which font faces the stylesheet asks for, and whether fontconfig can supply them.

WeasyPrint finds fonts through fontconfig, and a `font-family` stack falls back on its own; what
it never does is say so. This module lists the installed families with `fc-list` so the build
can warn, naming the missing face and the one that will stand in for it.

Coverage: Characters that the book's fonts cannot draw (CJK without a CJK face, rare emoji).

WeasyPrint falls back through fontconfig and, when nothing covers a character, prints a box
without a word; when a face outside the theme's stacks covers it, the book prints it in a face
nobody chose. One `fc-list` run gives every installed face's coverage; the check is a range
lookup per distinct character. `check_typeset` checks everything a PDF prints against the
faces of the theme's own `font-family` stacks.
"""

from __future__ import annotations

import bisect
import functools
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from .diagnostics import Diagnostic, warning
from .rendered import Printed, RenderedBook

GENERIC = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "math"}
# Last resort when the whole stack is missing: what WeasyPrint's fontconfig would pick.
FALLBACK_SERIFS = ("DejaVu Serif", "Liberation Serif", "Noto Serif")
FONT_FAMILY = re.compile(r"font-family\s*:\s*([^;}]+)", re.IGNORECASE)
FONT_SHORTHAND = re.compile(r"(?<![-\w])font\s*:\s*([^;}]+)", re.IGNORECASE)
COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


@dataclass(frozen=True)
class FaceStatus:
    family: str  # what the stylesheet asks for first
    stand_in: str | None  # the first installed family later in the stack (None: generic only)


@functools.lru_cache(maxsize=4)
def fc_list(fields: str) -> str | None:
    """`fc-list --format FIELDS`, run once per process; None when fontconfig cannot be run."""
    program = shutil.which("fc-list")
    if program is None:
        return None
    try:
        return subprocess.run(
            [program, "--format", fields],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None


def installed_families() -> frozenset[str] | None:
    """Family names fontconfig knows, lower-cased; None when `fc-list` cannot be run."""
    listing = fc_list("%{family}\n")
    if listing is None:
        return None
    names: set[str] = set()
    for line in listing.splitlines():
        # One face per line; its family may carry several comma-separated (localised) names.
        names.update(name.strip().lower() for name in line.split(",") if name.strip())
    return frozenset(names)


def font_stacks(css: str) -> tuple[tuple[str, ...], ...]:
    """Every distinct family stack a stylesheet declares, in order of appearance."""
    css = COMMENT.sub("", css)
    stacks: dict[tuple[str, ...], None] = {}
    for match in FONT_FAMILY.finditer(css):
        stacks.setdefault(_families(match.group(1)), None)
    for match in FONT_SHORTHAND.finditer(css):
        # `font: italic 9pt "EB Garamond", serif`: the families follow the size.
        value = match.group(1)
        size = re.search(r"[\d.]+(?:pt|px|em|rem|mm|%)(?:\s*/\s*[\d.]+\w*)?\s+", value)
        if size:
            stacks.setdefault(_families(value[size.end() :]), None)
    return tuple(stack for stack in stacks if stack)


def _families(value: str) -> tuple[str, ...]:
    names = (name.strip().strip("\"'").strip() for name in value.split(","))
    return tuple(name for name in names if name and not name.startswith(("var(", "inherit")))


def missing_faces(css: str, installed: Iterable[str]) -> tuple[FaceStatus, ...]:
    """The first-choice faces of `css` that are not installed, each with its stand-in."""
    known = {name.lower() for name in installed}
    missing: dict[str, FaceStatus] = {}
    for stack in font_stacks(css):
        first = stack[0]
        if first.lower() in GENERIC or first.lower() in known or first in missing:
            continue
        stand_in = next(
            (name for name in stack[1:] if name.lower() not in GENERIC and name.lower() in known),
            None,
        )
        if stand_in is not None and _optical_size_of(first, stand_in):
            continue  # e.g. "EB Garamond 12" missing, "EB Garamond" there: the same design
        if stand_in is None:
            stand_in = next((name for name in FALLBACK_SERIFS if name.lower() in known), None)
        missing[first] = FaceStatus(first, stand_in)
    return tuple(missing.values())


def _optical_size_of(family: str, other: str) -> bool:
    """Whether `family` is `other` plus an optical size ("EB Garamond 12" of "EB Garamond").

    Debian's fonts-ebgaramond names each size its own family and all of them "EB Garamond";
    other packagings (Google Fonts) ship only "EB Garamond". The themes name the text size
    first and the family after it, so a system with the family alone is not missing a face.
    """
    size = family[len(other) :]
    return family.lower().startswith(other.lower()) and size[:1] == " " and size.strip().isdigit()


def check_fonts(
    css: str, where: Path | str, installed: Iterable[str] | None = None
) -> tuple[Diagnostic, ...]:
    """A `font-missing` warning per missing face. `installed` defaults to fontconfig's list."""
    families = installed if installed is not None else installed_families()
    if families is None:
        return ()  # no fontconfig: WeasyPrint could not run either, it will say so itself
    return tuple(
        warning(
            where,
            0,
            "font-missing",
            f"font “{status.family}” is not installed; the PDF falls back to "
            f"{'“' + status.stand_in + '”' if status.stand_in else 'the default serif'}"
            + _install_hint(status.family),
        )
        for status in missing_faces(css, families)
    )


def _install_hint(family: str) -> str:
    if "garamond" in family.lower():
        return " (Debian: apt install fonts-ebgaramond, or run scripts/setup-system.sh)"
    if family.lower().startswith("noto"):
        return " (Debian: apt install fonts-noto-core)"
    return ""


# Coverage: characters that the book's fonts cannot draw.

# Controls, format characters (zero-width joiners, bidi marks) and spaces draw nothing.
INVISIBLE = ("Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me")


def _merge(tokens: list[str]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """fontconfig charset tokens (`20-7e`, `a0`) as merged, sorted (starts, ends)."""
    ranges: list[tuple[int, int]] = []
    for token in tokens:
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


# -- what the book typesets, against the faces its stylesheet names ----------------------------

Ranges = tuple[tuple[int, ...], tuple[int, ...]]
SHOWN = 5
CSS_STRING = re.compile(r"""(?<![-\w])content\s*:\s*([^;}]*)""", re.IGNORECASE)
QUOTED = re.compile(r""""((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'""")
# What the user agent draws for `list-style-type` disc, circle and square (CSS Lists 3 §3.3).
MARKERS = "•◦▪"


def stack_coverage(css: str) -> Ranges | None:
    """Merged (starts, ends) of the charsets of every installed face whose family one of
    `css`'s `font-family` stacks names (generic families cover nothing: what they resolve to
    is not the theme's choice). None without fontconfig."""
    families = {
        name.lower() for stack in font_stacks(css) for name in stack if name.lower() not in GENERIC
    }
    listing = fc_list("%{family}\t%{charset}\n")
    if listing is None:
        return None
    tokens: list[str] = []
    for line in listing.splitlines():
        names, _, charset = line.partition("\t")
        if any(name.strip().lower() in families for name in names.split(",")):
            tokens.extend(charset.split())
    return _merge(tokens)


def typeset_text(page: str, css: str) -> str:
    """Every character a page prints: the text of its `<body>` (front matter, labels, indexes,
    running heads copied from headings by `string-set`), the strings of the stylesheet's
    `content` declarations and, when the page has a bulleted list, its markers."""
    text, bulleted = _read(page)
    return typeset_characters(Printed(text, bulleted), css)


def page_text(page: str) -> Printed:
    """What `page` prints (`Printed`), read with Python's html.parser; render/printed.py reads
    the same faster, with lxml, for the pages the renderer makes."""
    text, bulleted = _read(page)
    return Printed("".join(dict.fromkeys(text)), bulleted)


def _read(page: str) -> tuple[str, bool]:
    reader = _BodyText()
    reader.feed(page)
    reader.close()
    return "".join(reader.parts), reader.bulleted


def typeset_characters(printed: Printed, css: str) -> str:
    """`typeset_text` of a page whose text is `printed` (its characters, each once when read
    by `page_text`), the stylesheet's `content` strings and the list markers."""
    generated = [
        first or second
        for value in CSS_STRING.findall(COMMENT.sub("", css))
        for first, second in QUOTED.findall(value)
    ]
    markers = MARKERS if printed.bulleted else ""
    return printed.characters + "".join(generated) + markers


def check_typeset(
    page: str | Printed, css: str, sources: Sequence[tuple[Path, Path]], fallback: Path
) -> tuple[Diagnostic, ...]:
    """One `glyph-missing` warning per source line holding characters that no face of the
    stylesheet's stacks has, at the column of the first; characters found in no source
    (generated labels, the theme's own strings) are reported at `fallback`. `sources` pairs
    each file as shown in messages with its path on disk, searched in order. `page`: the
    page's HTML, or what it prints when already read (`Printed`)."""
    printed = page if isinstance(page, Printed) else page_text(page)
    missing = uncovered(typeset_characters(printed, css), stack_coverage(css))
    found: dict[tuple[Path, int], tuple[int, list[str]]] = {}
    texts = _source_texts(sources) if missing else []
    for char in missing:
        path, line, col = _first_use(char, texts) or (fallback, 0, 0)
        found.setdefault((path, line), (col, []))[1].append(char)
    return tuple(
        warning(path, line, "glyph-missing", _missing_message(chars), col)
        for (path, line), (col, chars) in found.items()
    )


def _missing_message(chars: list[str]) -> str:
    shown = ", ".join(f"“{c}” (U+{ord(c):04X})" for c in chars[:SHOWN])
    more = f" and {len(chars) - SHOWN} more" if len(chars) > SHOWN else ""
    return (
        f"no face of the theme's font-family stacks has {shown}{more}: the PDF prints"
        " an empty box or a face the theme did not choose (add a face that covers it to"
        " the stacks; CJK: “Noto Serif CJK JP” from fonts-noto-cjk)"
    )


def _source_texts(sources: Sequence[tuple[Path, Path]]) -> list[tuple[Path, str]]:
    """Each source as shown and its text, read once (unreadable ones left out)."""
    texts = []
    for shown, disk in sources:
        try:
            texts.append((shown, disk.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError):
            continue
    return texts


def _first_use(char: str, texts: Sequence[tuple[Path, str]]) -> tuple[Path, int, int] | None:
    for shown, text in texts:
        offset = text.find(char)
        if offset >= 0:
            line = text.count("\n", 0, offset) + 1
            return shown, line, offset - (text.rfind("\n", 0, offset) + 1) + 1
    return None


class _BodyText(HTMLParser):
    """The character data inside `<body>`, outside `<style>`, `<script>` and `<template>`."""

    SKIPPED = frozenset({"style", "script", "template", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.bulleted = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.bulleted = self.bulleted or tag == "ul"
        if tag in self.SKIPPED:
            self.skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def check_book(book: RenderedBook) -> tuple[Diagnostic, ...]:
    """`check_typeset` on a rendered book (a PDF target's one-file HTML and stylesheet),
    locating characters in its front pieces, reviews and anthology file, in that order."""
    spec = book.anthology.spec
    shown = [piece.path for piece in book.anthology.front]
    shown += [review.manuscript.path for review in book.anthology.reviews]
    anthology = spec.path  # already the shown path (relative to the project)
    sources = [(path, spec.root / path) for path in shown] + [(anthology, spec.path)]
    page = book.printed if book.printed is not None else book.page
    return check_typeset(page, book.stylesheet, sources, anthology)

"""Which font faces the stylesheet asks for, and whether fontconfig can supply them.

WeasyPrint finds fonts through fontconfig, and a `font-family` stack falls back on its own; what
it never does is say so. This module lists the installed families with `fc-list` so the build
can warn, naming the missing face and the one that will stand in for it.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic, warning

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

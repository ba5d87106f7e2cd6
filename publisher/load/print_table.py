"""The anthology file's `[print]` table: the print interior's and the cover wrap's settings
(trim, paper, spine direction, bleed, crop marks, PDF variant, the printer's ICC profile), each
checked at its key's line through `fail` (the anthology reader's `fail_at`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..base.diagnostics import Diagnostic, warning
from ..base.model import PAPERS, WHITE_PAPER, AnthologySpec, Paper, TrimSize
from ..base.text import suggestion
from .trade import Fail

PRINT_KEYS = ("trim", "pdf_variant", "paper", "spine", "bleed", "marks", "output_profile")
SPINE_DIRECTIONS = ("top-to-bottom", "bottom-to-top")  # `[print] spine`, the default first
# `[print] trim` by name: ISO 216 A and B sizes, (width, height) in millimetres.
TRIM_NAMES = {
    "A4": (210, 297),
    "A5": (148, 210),
    "A6": (105, 148),
    "B5": (176, 250),
    "B6": (125, 176),
}
# `[print] bleed` in millimetres: 0 (none: the interior is the trim) to 12.7 (0.5 in), the most
# a printer asks for; under BLEED_SMALL (but not 0) it was likely written in inches (`bleed-small`).
BLEED_RANGE = (0.0, 12.7)
BLEED_SMALL = 3.0
PDF_VARIANTS = ("pdf/a-3b", "pdf/x-4", "pdf/x-3", "pdf/a-2b", "pdf/ua-1")
TRIM = re.compile(r"^\s*([\d.]+)\s*[x×]\s*([\d.]+)\s*(mm|in)\s*$")


@dataclass(frozen=True)
class PrintTable:
    """`[print]` as read; defaults for every key not written."""

    trim: TrimSize
    pdf_variant: str | None
    paper: Paper
    spine: str  # one of SPINE_DIRECTIONS
    bleed_mm: float
    crop_marks: bool
    output_profile: Path | None  # relative to the anthology file's folder, inside the project
    output_profile_written: str


def read_print(table: dict[str, Any], fail: Fail, base: Path, root: Path) -> PrintTable:
    """`table` (the `[print]` table, {} when absent). `base`: the anthology file's folder;
    `root`: the project's root, which `output_profile` may not leave."""
    return PrintTable(
        trim=_trim(fail, table),
        pdf_variant=_variant(fail, table),
        paper=_paper(fail, table),
        spine=_choice(fail, table, ("print", "spine"), SPINE_DIRECTIONS),
        bleed_mm=_bleed(fail, table),
        crop_marks=_marks(fail, table),
        output_profile=_output_profile(fail, table, base, root),
        output_profile_written=str(table.get("output_profile", "")),
    )


def _trim(fail: Fail, table: dict[str, Any]) -> TrimSize:
    value = table.get("trim", "148x210mm")
    named = TRIM_NAMES.get(str(value).strip().upper())
    if named:
        return TrimSize(*named)
    match = TRIM.match(str(value))
    if not match:
        fail(
            ("print", "trim"),
            "anthology-value",
            "`trim` must look like `148x210mm` or `6x9in`, or name a size:"
            f" {', '.join(TRIM_NAMES)}",
        )
        return TrimSize(148, 210)
    factor = 25.4 if match.group(3) == "in" else 1.0
    return TrimSize(float(match.group(1)) * factor, float(match.group(2)) * factor)


def _paper(fail: Fail, table: dict[str, Any]) -> Paper:
    """`white`, `cream` (PAPERS) or a thickness in millimetres per page (0 < mm < 1)."""
    value = table.get("paper", "white")
    if isinstance(value, str) and value in PAPERS:
        return Paper(value, PAPERS[value])
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and 0 < value < 1:
        return Paper("custom", float(value))
    if number:
        fail(
            ("print", "paper"),
            "anthology-value",
            f"`paper` {value}: a thickness per page in millimetres must be more than 0 and"
            f" less than 1 (white paper is {PAPERS['white']:.4f}, cream {PAPERS['cream']:.4f})",
        )
        return WHITE_PAPER
    fail(
        ("print", "paper"),
        "anthology-value",
        f"`paper` must be {' or '.join(f'`{n}`' for n in PAPERS)}, or the paper's thickness"
        " per page in millimetres (a number such as 0.06)",
    )
    return WHITE_PAPER


def _choice(
    fail: Fail, table: dict[str, Any], key: tuple[str, str], allowed: tuple[str, ...]
) -> str:
    """`table[key[-1]]`, one of `allowed` (default: the first)."""
    value = table.get(key[-1], allowed[0])
    if value in allowed:
        return str(value)
    fail(
        key,
        "anthology-value",
        f"`{key[-1]}` must be {' or '.join(f'`{a}`' for a in allowed)}"
        f"{suggestion(str(value).lower(), allowed)}",
    )
    return allowed[0]


def _bleed(fail: Fail, table: dict[str, Any]) -> float:
    """`[print] bleed`: millimetres (3 by default; 3.175 is KDP's, IngramSpark's and Lulu's
    0.125 in; 0 for a book printed without bleed) within BLEED_RANGE."""
    value = table.get("bleed", 3.0)
    low, high = BLEED_RANGE
    if isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high:
        return float(value)
    fail(
        ("print", "bleed"),
        "anthology-value",
        f"`bleed` must be a number of millimetres from {low:g} (no bleed) to {high:g}"
        " (3.175 for 0.125 in, as KDP, IngramSpark and Lulu ask)",
    )
    return 3.0


def bleed_warnings(spec: AnthologySpec) -> list[Diagnostic]:
    """The WARNING `bleed-small` at `[print] bleed`'s line when 0 < bleed < BLEED_SMALL mm:
    no printer asks for so little, and `0.125` is KDP's bleed in inches (3.175 mm)."""
    bleed = spec.bleed_mm
    if not 0 < bleed < BLEED_SMALL:
        return []
    line, col = spec.bleed_at
    message = (
        f"`bleed = {bleed:g}` is {bleed:g} mm: `bleed` is in millimetres, and printers ask for"
        f" at least {BLEED_SMALL:g} mm (0.125 in = 3.175 mm, as KDP, IngramSpark and Lulu ask)"
    )
    return [warning(spec.path, line, "bleed-small", message, col)]


def _marks(fail: Fail, table: dict[str, Any]) -> bool:
    value = table.get("marks", True)
    if not isinstance(value, bool):
        fail(("print", "marks"), "anthology-type", "`marks` must be true or false")
        return True
    return value


def _output_profile(fail: Fail, table: dict[str, Any], base: Path, root: Path) -> Path | None:
    """`[print] output_profile`: an ICC file relative to this file's folder (checked when
    loading, load/print_profile.py `profile_problems`)."""
    value = table.get("output_profile")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        fail(("print", "output_profile"), "anthology-type",
                     "`output_profile` must be the path of an ICC file")  # fmt: skip
        return None
    path = base / value
    if not path.resolve().is_relative_to(root.resolve()):
        fail(("print", "output_profile"), "path-outside-project",
                     "`output_profile` points outside the project")  # fmt: skip
    return path


def _variant(fail: Fail, table: dict[str, Any]) -> str | None:
    value = table.get("pdf_variant")
    if value is not None and value not in PDF_VARIANTS:
        fail(
            ("print", "pdf_variant"),
            "anthology-value",
            f"`pdf_variant` must be one of {', '.join(PDF_VARIANTS)}"
            f"{suggestion(str(value).lower(), PDF_VARIANTS)}",
        )
        return None
    return value

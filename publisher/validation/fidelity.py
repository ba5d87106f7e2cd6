"""Text fidelity: every word the manuscripts give the book reaches every edition, in order.

EPUBCheck, Ace and qpdf judge structure, not content: a PDF that silently drops the rest of a
paragraph passes them all. This check reads each edition back (`edition_words.py`) and matches
each manuscript stream (`manuscript_words.py`) against it as a subsequence: the edition may
print more (labels, running heads, page numbers, indexes) but must print every expected word,
in the order written.

Matching one stream: `matching.py`.

Sections (title page, front pieces, parts, reviews) are matched in book order; a section's
body is looked for just after the start of the previous section's body, its fields (film card)
from the same start in any order but before the next section's body, its notes after its
body starts.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from pathlib import Path

from ..base.diagnostics import Diagnostic, Severity
from ..base.model import Anthology
from .edition_words import Edition, ExtractionError, read_edition
from .manuscript_words import Anchor, Section, book_streams
from .matching import Gap, match_stream
from .runner import ValidatorResult, diag, failed, make_result, missing_tool

VALIDATOR = "fidelity"
CODE = "text-missing"
SHOWN_WORDS = 8  # missing words quoted in a message


def check_fidelity(anthology: Anthology, paths: Sequence[Path]) -> tuple[ValidatorResult, ...]:
    """One result per edition file: a `text-missing` ERROR per gap, with the manuscript's
    `path:line`. Never raises for a bad file: an unreadable one gives `validator-failed`."""
    sections = book_streams(anthology)
    return tuple(check_file(sections, path) for path in paths)


def check_file(sections: Sequence[Section], path: Path) -> ValidatorResult:
    """Match every stream of `sections` in the edition at `path` (`.pdf`, `.epub`, `.html`)."""
    started = time.monotonic()
    if path.suffix.lower() == ".pdf" and shutil.which("pdftotext") is None:
        return missing_tool(VALIDATOR, path, "pdftotext (poppler-utils)", "poppler")
    try:
        edition = read_edition(path)
    except (ExtractionError, OSError) as exc:
        return failed(VALIDATOR, path, f"cannot read the edition: {exc}")
    gaps = match_book(sections, edition)
    diagnostics = [_diagnostic(gap, path) for gap in gaps]
    expected = sum(len(s.words) for section in sections for s in section.streams)
    missing = sum(gap.end - gap.start for gap in gaps)
    counts = {"words": expected, "missing": missing, "gaps": len(gaps),
              "edition_words": len(edition.keys)}  # fmt: skip
    details = {"elapsed": round(time.monotonic() - started, 3)}
    return make_result(VALIDATOR, path, diagnostics, counts, details)


def match_book(sections: Sequence[Section], edition: Edition) -> list[Gap]:
    """Every gap of every stream, sections in book order (see the module docstring)."""
    gaps: list[Gap] = []
    # Where each section's search starts: just after where the previous body starts (a body is
    # placed by its first words together, which do not recur in the body before it; its end is
    # less sure: after a loss at its end it may have resumed too far on).
    starts: list[int] = []
    bodies: list[int | None] = []  # where each section's body was found
    cursor = 0
    for section in sections:
        starts.append(cursor)
        bodies.append(None)
        for stream in section.streams:
            if stream.anchor is Anchor.BODY:
                found = match_stream(stream, edition, starts[-1])
                gaps.extend(found.gaps)
                if found.first is not None:
                    bodies[-1] = found.first if bodies[-1] is None else bodies[-1]
                    # Strictly after: the next section may repeat this one word for word.
                    cursor = max(cursor, found.first + 1)
    for number, section in enumerate(sections):
        later = [body for body in bodies[number + 1 :] if body is not None]
        limit = later[0] if later else len(edition.keys)
        for stream in section.streams:
            if stream.anchor is Anchor.FIELD:
                # A film card printed nowhere must not be found in an index at the back.
                found = match_stream(stream, edition, starts[number])
                if found.first is not None and found.first >= limit:
                    gaps.append(Gap(stream, 0, len(stream.words)))
                else:
                    gaps.extend(found.gaps)
            elif stream.anchor is Anchor.NOTE:
                from_ = bodies[number]
                gaps.extend(match_stream(stream, edition, starts[number] if from_ is None
                                         else from_).gaps)  # fmt: skip
    return gaps


def _diagnostic(gap: Gap, edition: Path) -> Diagnostic:
    lost = gap.stream.words[gap.start : gap.end]
    shown: list[str] = []
    for word in lost:  # one written word may hold several keys (`B52` → `b`, `52`)
        if not shown or shown[-1] is not word.shown:
            shown.append(word.shown)
    quoted = " ".join(shown[:SHOWN_WORDS]) + (" …" if len(shown) > SHOWN_WORDS else "")
    count = len(lost)
    after = f" after «{gap.stream.words[gap.start - 1].shown}»" if gap.start else ""
    message = (
        f"{count} word{'s' * (count != 1)} of the {gap.stream.what} missing from "
        f"{edition.name}{after}: «{quoted}»"
    )
    return diag(Severity.ERROR, gap.stream.path, CODE, message, VALIDATOR, lost[0].line)

"""Text fidelity: every word the manuscripts give the book reaches every edition, in order.

EPUBCheck, Ace and qpdf judge structure, not content: a PDF that silently drops the rest of a
paragraph passes them all. This check reads each edition back (`edition_words.py`) and matches
each manuscript stream (`manuscript_words.py`) against it as a subsequence: the edition may
print more (labels, running heads, page numbers, indexes) but must print every expected word,
in the order written.

Matching, for each stream word, from the edition position `at` (see `match_stream`):
1. the word's next occurrence within `NEAR` words: taken;
2. a word the typesetter broke across a page end (`fran‐` …footnotes, running head… `quista`):
   taken when a line-end fragment within `NEAR` starts it and the rest follows within `FAR`;
3. a later occurrence that `CHAIN` following stream words confirm (each within `NEAR` of the
   previous): taken (a long footnote, a figure or a page's furniture sat in between);
4. else the word is missing: the gap runs until a stream word that, with its `CHAIN` followers,
   is found after `at` again. One gap is one `text-missing` error at the line of its first word.

Sections (title page, front pieces, parts, reviews) are matched in book order; a section's
body is looked for after the previous section's body, its fields (film card) from the same
start in any order, its notes after its body starts.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from publisher.diagnostics import Diagnostic, Severity
from publisher.model import Anthology

from . import ValidatorResult, diag, failed, make_result, missing_tool
from .edition_words import Edition, ExtractionError, read_edition
from .manuscript_words import Anchor, Section, Stream, book_streams

VALIDATOR = "fidelity"
CODE = "text-missing"
NEAR = 16  # words an edition may print between two words of a stream without further proof
TIGHT = 4  # ... between the words that confirm a farther match
FAR = 1500  # how far the next word may be (long notes, figures, running heads between)
CHAIN = 4  # stream words that must follow a far match for it to count
SCAN = 40  # occurrences of a word tried when resynchronising after a gap
SHOWN_WORDS = 8  # missing words quoted in a message


@dataclass(frozen=True)
class Gap:
    stream: Stream
    start: int  # index into stream.words
    end: int  # exclusive


@dataclass(frozen=True)
class Match:
    first: int | None  # edition index of the first word found (None: none found)
    end: int  # edition index after the last word found
    gaps: tuple[Gap, ...]


def check_fidelity(anthology: Anthology, paths: Sequence[Path]) -> tuple[ValidatorResult, ...]:
    """One result per edition file: a `text-missing` ERROR per gap, with the manuscript's
    `path:line`. Never raises for a bad file: an unreadable one gives `validator-failed`."""
    sections = book_streams(anthology)
    return tuple(check_file(sections, path) for path in paths)


def check_file(sections: Sequence[Section], path: Path) -> ValidatorResult:
    started = time.monotonic()
    try:
        edition = read_edition(path)
    except FileNotFoundError as exc:
        if exc.filename == "pdftotext":
            return missing_tool(VALIDATOR, path, "pdftotext (poppler-utils)")
        return failed(VALIDATOR, path, f"cannot read the edition: {exc}")
    except (ExtractionError, OSError) as exc:
        return failed(VALIDATOR, path, str(exc))
    gaps = match_book(sections, edition)
    diagnostics = [_diagnostic(gap, path) for gap in gaps]
    expected = sum(len(s.words) for section in sections for s in section.streams)
    missing = sum(gap.end - gap.start for gap in gaps)
    counts = {"words": expected, "missing": missing, "gaps": len(gaps),
              "edition_words": len(edition.keys)}  # fmt: skip
    details = {"elapsed": round(time.monotonic() - started, 3)}
    return make_result(VALIDATOR, path, diagnostics, counts, details)


def match_book(sections: Sequence[Section], edition: Edition) -> list[Gap]:
    gaps: list[Gap] = []
    cursor = 0
    for section in sections:
        start = cursor
        body_start: int | None = None
        for stream in section.streams:
            if stream.anchor is Anchor.BODY:
                found = match_stream(stream, edition, start)
                gaps.extend(found.gaps)
                if found.first is not None:
                    body_start = found.first if body_start is None else body_start
                    cursor = max(cursor, found.end)
        for stream in section.streams:
            if stream.anchor is Anchor.FIELD:
                gaps.extend(match_stream(stream, edition, start).gaps)
            elif stream.anchor is Anchor.NOTE:
                from_ = body_start if body_start is not None else start
                gaps.extend(match_stream(stream, edition, from_).gaps)
    return gaps


def match_stream(stream: Stream, edition: Edition, at: int) -> Match:
    """Match `stream` in `edition` from index `at` (see the module docstring)."""
    keys = [word.key for word in stream.words]
    gaps: list[Gap] = []
    first: int | None = None
    reach: int | None = None  # the first word may be anywhere after `at`; the rest, close
    index = 0
    while index < len(keys):
        step = _near(keys, index, edition, at, NEAR)
        if step is None:
            step = _confirmed(keys, index, edition, at, reach)
        if step is not None:
            first = step - 1 if first is None else first
            at, index, reach = step, index + 1, FAR
            continue
        resumed = _resync(keys, index + 1, edition, at, reach)
        end = resumed if resumed is not None else len(keys)
        gaps.append(Gap(stream, index, end))
        index = end
    return Match(first, at, tuple(gaps))


def _next(edition: Edition, key: str, at: int) -> int | None:
    positions = edition.positions.get(key)
    if not positions:
        return None
    found = bisect.bisect_left(positions, at)
    return positions[found] if found < len(positions) else None


def _near(keys: list[str], index: int, edition: Edition, at: int, window: int) -> int | None:
    """Edition index after stream word `index` if it is found within `window` words of `at`
    (whole, or broken at a line or page end), else None."""
    key = keys[index]
    found = _next(edition, key, at)
    whole = found if found is not None and found - at <= window else None
    # A word printed in pieces: broken at a line end (`fran‐` / `quista`, the rest maybe after
    # a page's notes and running head), or split by the extractor (`filmograf ía`, kerning).
    # The earliest reading wins: `Gue‐ rra Civil. 55 Guerra y memoria` is not the head's word.
    end = whole if whole is not None else min(at + window, len(edition.keys))
    for position in range(at, end):
        part = edition.keys[position]
        if not (key.startswith(part) and len(key) > len(part)):
            continue
        glued = _glued(key, edition, position)
        if glued is not None:
            return glued
        if edition.fragment[position]:
            rest = _next(edition, key[len(part) :], position + 1)
            if rest is not None and rest - position <= FAR:
                return rest + 1
    return whole + 1 if whole is not None else None


def _glued(key: str, edition: Edition, position: int) -> int | None:
    """Edition index after the adjacent pieces from `position` that spell `key`, or None."""
    spelled, after = "", position
    while after < len(edition.keys) and key.startswith(spelled + edition.keys[after]):
        spelled += edition.keys[after]
        after += 1
        if spelled == key:
            return after
    return None


def _confirmed(
    keys: list[str], index: int, edition: Edition, at: int, reach: int | None
) -> int | None:
    """Edition index after word `index` found after `at` (within `reach` words, if given) when
    the next `CHAIN` stream words follow it closely; None if no occurrence (of the first `SCAN`)
    is confirmed."""
    positions = edition.positions.get(keys[index], [])
    start = bisect.bisect_left(positions, at)
    for position in positions[start : start + SCAN]:
        if reach is not None and position - at > reach:
            break
        if _followed(keys, index, edition, position + 1):
            return position + 1
    return None


def _resync(
    keys: list[str], index: int, edition: Edition, at: int, reach: int | None
) -> int | None:
    """The stream index where matching can go on after a gap, or None."""
    for candidate in range(index, len(keys)):
        found = _near(keys, candidate, edition, at, NEAR)
        if found is not None and _followed(keys, candidate, edition, found):
            return candidate
        if _confirmed(keys, candidate, edition, at, reach) is not None:
            return candidate
    return None


def _followed(keys: list[str], index: int, edition: Edition, after: int) -> bool:
    """Whether the `CHAIN` stream words after `index` follow edition index `after` closely."""
    for follower in range(index + 1, min(index + 1 + CHAIN, len(keys))):
        found = _near(keys, follower, edition, after, TIGHT)
        if found is None:
            return False
        after = found
    return True


def _diagnostic(gap: Gap, edition: Path) -> Diagnostic:
    lost = gap.stream.words[gap.start : gap.end]
    shown: list[str] = []
    for word in lost:  # one written word may hold several keys (`B52` → `b`, `52`)
        if not shown or shown[-1] is not word.shown:
            shown.append(word.shown)
    quoted = " ".join(shown[:SHOWN_WORDS]) + (" …" if len(shown) > SHOWN_WORDS else "")
    count = len(lost)
    message = (
        f"{count} word{'s' * (count != 1)} of the {gap.stream.what} missing from "
        f"{edition.name}: «{quoted}»"
    )
    return diag(Severity.ERROR, gap.stream.path, CODE, message, VALIDATOR, lost[0].line)

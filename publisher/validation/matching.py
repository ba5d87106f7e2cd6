"""One manuscript stream matched in an edition's words: where it is, and what it lost.

Matching places each stream first: its first word where the next `CHAIN` words follow it
closely, the earliest such place after the section's start. Then, for each stream word, from
the edition position `at` (see `match_stream`):
1. the word's next occurrence within `NEAR` words, whole or in pieces (`U N`, `filmograf ía`
   from letter-spacing or kerning; `fran‐` + `quista` broken at a line end, the rest maybe after
   a page's footnotes and the next running head): taken;
2. two or three stream words printed as one (`contiendaespañola`: a space the extractor did
   not see in a justified line; `lamadre`: a no-break or thin space, which pdftotext never
   reports): taken together, when that reading comes before the word's own in 1;
3. a few words lost with the text going on right here (the next words follow `at` closely):
   a gap of those words; also when 1 found the word a few words on, but reading it as lost
   matches more of the words that follow (`_lost_here`);
4. a later occurrence (within `FAR`) that the `CHAIN` following stream words confirm: taken (a
   long footnote, a figure or a page's furniture sat in between);
5. else the word is missing: the gap runs until a stream word that, with its `CHAIN` followers,
   is found after `at` again (close by first, then within `RESUME`).
One gap is reported once, however long.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
from dataclasses import dataclass

from .edition_words import Edition
from .manuscript_words import Stream

NEAR = 16  # words an edition may print between two words of a stream without further proof
TIGHT = 4  # ... between the words that confirm a farther match
FAR = 1500  # how far the next word may be (long notes, figures, running heads between)
RESUME = 400  # how far after a loss the text may go on (a page's notes and furniture)
CHAIN = 4  # stream words that must follow a far match for it to count
SCAN = 40  # occurrences of a word tried when resynchronising after a gap


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


def match_stream(stream: Stream, edition: Edition, at: int) -> Match:
    """Match `stream` in `edition` from index `at` (see the module docstring)."""
    keys = [word.key for word in stream.words]
    gaps: list[Gap] = []
    first: int | None = None
    reach: int | None = None  # the first word may be anywhere after `at`; the rest, close
    index = 0
    while index < len(keys):
        step: int | None = None
        if first is None:  # place the stream: its first words, together, the earliest
            step = _confirmed(keys, index, edition, at, None, misses=0, scan=None)
            glued = _confirmed_joined(keys, index, edition, at)
            if glued is not None and (step is None or glued[1] < step):
                (index, at), first, reach = glued, glued[1] - 1, FAR
                continue
            if step is None:
                step = _near(keys, index, edition, at, NEAR)
        else:
            taken = _step(keys, index, edition, at, NEAR)
            if taken is not None and not _lost_here(keys, index, edition, at, taken):
                index, at = taken  # the word, or it and the next printed as one
                continue
            resumed = _resumed_close(keys, index, edition, at)
            if resumed is not None:  # a few words lost, the text goes on right here
                gaps.append(Gap(stream, index, resumed))
                index = resumed
                continue
        if step is None:
            step = _confirmed(keys, index, edition, at, reach)
        if step is not None:
            first = step - 1 if first is None else first
            at, index, reach = step, index + 1, FAR
            continue
        resync = _resync(keys, index + 1, edition, at, reach)
        end = resync if resync is not None else len(keys)
        gaps.append(Gap(stream, index, end))
        index = end
    return Match(first, at, tuple(gaps))


def _next(positions: dict[str, list[int]], key: str, at: int) -> int | None:
    found = positions.get(key)
    if not found:
        return None
    index = bisect.bisect_left(found, at)
    return found[index] if index < len(found) else None


def _next_pieces(edition: Edition, key: str, at: int) -> tuple[int, int] | None:
    found = edition.pieces.get(key)
    if not found:
        return None
    index = bisect.bisect_left(found, (at, 0))
    return found[index] if index < len(found) else None


def _near(keys: list[str], index: int, edition: Edition, at: int, window: int) -> int | None:
    """Edition index after stream word `index` if it is found within `window` words of `at`
    (whole, or in pieces), else None. The earliest reading wins: in `Gue‐ rra Civil. 55 Guerra
    y memoria` the word is the broken one, not the running head's."""
    key = keys[index]
    found = _next(edition.positions, key, at)
    whole = found + 1 if found is not None and found - at <= window else None
    pieces = _next_pieces(edition, key, at)
    if pieces is not None and pieces[0] - at <= window and (whole is None or pieces[1] < whole):
        whole = pieces[1]  # in pieces: `U N`, `filmograf ía`, `fran‐ quista`
    end = whole - 1 if whole is not None else min(at + window, len(edition.keys))
    for position in range(at, end):
        # More pieces (letter-spaced capitals), or a word broken at a page end whose rest
        # follows the page's notes and the next running head.
        part = edition.keys[position]
        if not (key.startswith(part) and len(key) > len(part)):
            continue
        glued = _glued(key, edition, position)
        if glued is not None:
            return glued
        if edition.fragment[position]:
            rest = _next(edition.positions, key[len(part) :], position + 1)
            if rest is not None and rest - position <= FAR:
                return rest + 1
    return whole


def _step(
    keys: list[str], index: int, edition: Edition, at: int, window: int
) -> tuple[int, int] | None:
    """(stream index, edition index) after the earliest reading, within `window` words of `at`,
    of stream word `index`: the word itself (`_near`), or it printed as one word with the next
    one or two (`_joined`); None if neither is there.

    The earliest wins: pdftotext reports no space for a no-break space (U+00A0, `&nbsp;`), a
    narrow no-break, thin or hair space (U+202F, U+2009, U+200A) — the glyph is drawn but no
    gap is seen — so `la&nbsp;madre` is `lamadre` in a PDF; the `la` of a later `la madre`
    a few words on is not this word.
    """
    found = _near(keys, index, edition, at, window)
    if found is not None and found <= at + 1:
        return index + 1, found  # right here: nothing can come earlier
    joined = _joined(keys, index, edition, at, window)
    if joined is not None and (found is None or joined[1] < found):
        return joined
    return None if found is None else (index + 1, found)


def _joined(
    keys: list[str], index: int, edition: Edition, at: int, window: int = NEAR
) -> tuple[int, int] | None:
    """(stream index, edition index) after stream words from `index` that the edition printed
    as one word (two or three of them), close to `at`; None if there are none."""
    for count in (2, 3):
        if index + count <= len(keys):
            found = _next(edition.positions, "".join(keys[index : index + count]), at)
            if found is not None and found - at <= window:
                return index + count, found + 1
    return None


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
    keys: list[str],
    index: int,
    edition: Edition,
    at: int,
    reach: int | None,
    misses: int = 1,
    scan: int | None = SCAN,
) -> int | None:
    """Edition index after word `index` found after `at` (within `reach` words, if given),
    whole or as two pieces, when the next `CHAIN` stream words follow it closely (`misses` of
    them may be missing); None if no occurrence (of the first `scan`, or all) is confirmed."""
    whole = edition.positions.get(keys[index], [])
    first = bisect.bisect_left(whole, at)
    pieces = edition.pieces.get(keys[index], [])
    first_piece = bisect.bisect_left(pieces, (at, 0))
    candidates = heapq.merge(  # lazily, in edition order: the earliest confirmed one wins
        ((whole[i], whole[i] + 1) for i in range(first, len(whole))),
        (pieces[i] for i in range(first_piece, len(pieces))),
    )
    for position, after in itertools.islice(candidates, scan):
        if reach is not None and position - at > reach:
            break
        if _followed(keys, index, edition, after, misses):
            return after
    return None


def _confirmed_joined(
    keys: list[str], index: int, edition: Edition, at: int
) -> tuple[int, int] | None:
    """(stream index, edition index) after stream words from `index` printed as one word (two
    or three of them, see `_step`) after `at`, the earliest that the `CHAIN` stream words after
    them follow closely; None if there is none."""
    best: tuple[int, int] | None = None
    for count in (2, 3):
        if index + count > len(keys):
            break
        found = edition.positions.get("".join(keys[index : index + count]), [])
        start = bisect.bisect_left(found, at)
        for position in found[start : start + SCAN]:
            if best is not None and position + 1 >= best[1]:
                break
            if _followed(keys, index + count - 1, edition, position + 1, misses=0):
                best = index + count, position + 1
                break
    return best


def _lost_here(
    keys: list[str], index: int, edition: Edition, at: int, taken: tuple[int, int]
) -> bool:
    """Whether stream word `index`, found a few words after `at` (`taken`, from `_step`), is
    rather lost, with the text going on right at `at`: the reading that skips it matches more
    of the next `2 * CHAIN` stream words. Deleting «medio» from «en broma y medio en serio»
    loses «medio», not «broma y medio en» (the «medio» after them is not the lost one)."""
    if taken[1] <= at + 1:
        return False
    resumed = _resumed_close(keys, index, edition, at)
    if resumed is None:
        return False
    stop = min(index + 2 * CHAIN, len(keys))
    kept = taken[0] - index + _run(keys, taken[0], stop, edition, taken[1])
    return _run(keys, resumed, stop, edition, at) > kept


def _run(keys: list[str], start: int, stop: int, edition: Edition, at: int) -> int:
    """How many of stream words `start`…`stop` (exclusive) `_step` finds, one after the other
    from `at`, a word not found being passed over."""
    found, index = 0, start
    while index < stop:
        taken = _step(keys, index, edition, at, NEAR)
        if taken is None:
            index += 1
            continue
        found += min(taken[0], stop) - index
        index, at = taken
    return found


def _resumed_close(keys: list[str], index: int, edition: Edition, at: int) -> int | None:
    """The stream index, a few words after `index`, at which the text goes on close to `at`
    (each of the following `CHAIN` words right after the other), or None."""
    for candidate in range(index + 1, min(index + CHAIN, len(keys))):
        found = _near(keys, candidate, edition, at, NEAR)
        if found is not None and _followed(keys, candidate, edition, found, misses=0):
            return candidate
    return None


def _resync(
    keys: list[str], index: int, edition: Edition, at: int, reach: int | None
) -> int | None:
    """The stream index where matching can go on after a gap, or None. The edition lost words
    but goes on: first look right here, then (past a page's notes) further on, strictly."""
    for candidate in range(index, len(keys)):
        found = _near(keys, candidate, edition, at, NEAR)
        if found is not None and _followed(keys, candidate, edition, found, misses=0):
            return candidate
    reach = RESUME if reach is None else min(reach, RESUME)
    for candidate in range(index, len(keys)):
        if _confirmed(keys, candidate, edition, at, reach, misses=0) is not None:
            return candidate
    return None


def _followed(keys: list[str], index: int, edition: Edition, after: int, misses: int) -> bool:
    """Whether the `CHAIN` stream words after `index` follow edition index `after`, each within
    `TIGHT` words of the one before, with at most `misses` of them not found."""
    follower, last = index + 1, min(index + 1 + CHAIN, len(keys))
    hits = 0
    while follower < last:
        taken = _step(keys, follower, edition, after, TIGHT)
        if taken is not None:
            follower, after = taken
            hits += 1
        elif misses:
            misses, follower = misses - 1, follower + 1
        else:
            return False
    return hits > 0 or index + 1 == last

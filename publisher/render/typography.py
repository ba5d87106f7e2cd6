"""Language-aware smart punctuation on plain text (no markup, no entities: literal Unicode)."""

from __future__ import annotations

import re

# Quotation marks by nesting level. Spanish follows the RAE: « », then “ ”, then ‘ ’.
QUOTES: dict[str, tuple[tuple[str, str], ...]] = {
    "es": (("«", "»"), ("“", "”"), ("‘", "’")),
    "ca": (("«", "»"), ("“", "”"), ("‘", "’")),
    "fr": (("«\u202f", "\u202f»"), ("“", "”"), ("‘", "’")),
    "en": (("“", "”"), ("‘", "’")),
    "de": (("„", "“"), ("‚", "‘")),
}
OPENING_CONTEXT = set(" \t\n\u00a0([{\u2014\u2013-/«“‘„¿¡")
CLOSING_CONTEXT = set(".,;:!?)]}»”’…")
QUOTE_CHARS = re.compile("[\"']")
DASHES = (
    (re.compile(r"---"), "\u2014"),
    (re.compile(r"--"), "\u2013"),
    (re.compile(r"\.\.\."), "…"),
)


def quotes_for(lang: str) -> tuple[tuple[str, str], ...]:
    return QUOTES.get(lang.split("-")[0].lower(), QUOTES["en"])


def smarten(text: str, lang: str) -> str:
    """Whole-string convenience wrapper around `smarten_segments`."""
    return smarten_segments([text], lang)[0]


def smarten_segments(segments: list[str], lang: str) -> list[str]:
    """Smarten text split across inline elements, deciding each quote by its real neighbours.

    Quotes nest by a stack: an opening quote inside an open one goes one level deeper.
    Dashes and ellipses are replaced within each run (markup does not split `---`).
    """
    segments = [_dashes_only(segment) for segment in segments]
    joined = "".join(segments)
    marks = quotes_for(lang)
    replacements: list[tuple[int, str]] = []
    stack: list[str] = []
    for match in QUOTE_CHARS.finditer(joined):
        index, char = match.start(), match.group()
        before = joined[index - 1] if index else " "
        after = joined[index + 1] if index + 1 < len(joined) else " "
        opening = before in OPENING_CONTEXT and not after.isspace() and after not in CLOSING_CONTEXT
        if char == "'" and before.isalnum() and after.isalnum():
            mark = "’"  # apostrophe inside a word
        elif opening:
            stack.append(char)
            mark = marks[min(len(stack), len(marks)) - 1][0]
        elif stack and (char == '"' or stack[-1] == "'"):
            mark = marks[min(len(stack), len(marks)) - 1][1]
            stack.pop()
        else:
            mark = "’" if char == "'" else marks[0][1]
        replacements.append((index, mark))
    if not replacements:
        return segments
    # Hand the text back in the original runs; a mark may be longer than the quote it replaces.
    pieces: list[str] = []
    pending = iter(replacements)
    upcoming = next(pending, None)
    start = 0
    for segment in segments:
        end = start + len(segment)
        out: list[str] = []
        cursor = start
        while upcoming is not None and upcoming[0] < end:
            index, mark = upcoming
            out.append(joined[cursor:index])
            out.append(mark)
            cursor = index + 1
            upcoming = next(pending, None)
        out.append(joined[cursor:end])
        pieces.append("".join(out))
        start = end
    return pieces


def _dashes_only(text: str) -> str:
    for pattern, replacement in DASHES:
        text = pattern.sub(replacement, text)
    return text

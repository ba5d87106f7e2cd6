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
    """
    joined = "".join(segments)
    for pattern, replacement in DASHES:
        joined = pattern.sub(replacement, joined)
    marks = quotes_for(lang)
    out: list[str] = []
    stack: list[str] = []
    for index, char in enumerate(joined):
        if char not in "\"'":
            out.append(char)
            continue
        before = joined[index - 1] if index else " "
        after = joined[index + 1] if index + 1 < len(joined) else " "
        opening = before in OPENING_CONTEXT and not after.isspace() and after not in CLOSING_CONTEXT
        if char == "'" and before.isalnum() and after.isalnum():
            out.append("’")  # apostrophe inside a word
        elif opening:
            stack.append(char)
            out.append(marks[min(len(stack), len(marks)) - 1][0])
        elif stack and (char == '"' or stack[-1] == "'"):
            out.append(marks[min(len(stack), len(marks)) - 1][1])
            stack.pop()
        else:
            out.append("’" if char == "'" else marks[0][1])
    result = "".join(out)
    # Hand the text back in the original segments: lengths only change in the dash step,
    # so re-split by applying the dash rules to each segment's prefix.
    pieces: list[str] = []
    position = 0
    consumed = ""
    for segment in segments:
        consumed += segment
        end = len(_dashes_only(consumed))
        pieces.append(result[position:end])
        position = end
    return pieces


def _dashes_only(text: str) -> str:
    for pattern, replacement in DASHES:
        text = pattern.sub(replacement, text)
    return text

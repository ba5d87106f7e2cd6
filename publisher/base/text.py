"""Small text helpers shared by the stages."""

from __future__ import annotations

import difflib
import re

from slugify import slugify as transliterated_slug

# Characters XML cannot carry (or should not): C0/C1 controls bar tab and newline, U+FFFE/FFFF.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# A language tag, as RFC 5646 §2.1 shapes it (simplified): a 2–3 letter language, then
# subtags of 1–8 letters or digits (`es`, `es-ES`, `en-x-editor`). Case does not matter (§2.1.1).
LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def strip_controls(text: str) -> str:
    return CONTROL.sub("", text)


def slugify(text: str, fallback: str = "x") -> str:
    """`text` as a stable id and file name: lowercase ASCII letters and digits in words joined
    by single hyphens, or `fallback` when nothing is left (`🎬`).

    Every script is transliterated (python-slugify through Unidecode): `Иди и смотри` →
    `idi-i-smotri`, `Ο θίασος` → `o-thiasos`, `火垂るの墓` → `huo-chui-runomu` (Unidecode reads
    kanji as Mandarin); Latin letters lose their accents (`Españoles` → `espanoles`). Text is
    taken as written: `&amp;` is not decoded as HTML."""
    slug = transliterated_slug(text, entities=False, decimal=False, hexadecimal=False)
    return slug or fallback


def counted(count: int, noun: str) -> str:
    """`1 review`, `2 reviews`: a count with its English noun (the tool's own messages, which
    are in English; the book's words come from base/locale.py)."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def suggestion(word: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""


def isbn10_as_13(written: str) -> str | None:
    """The ISBN-13 of a valid ISBN-10 as `written` (hyphens and spaces allowed), keeping its
    hyphens or spaces: `0-306-40615-2` → `978-0-306-40615-7`, `0306406152` → `9780306406157`;
    None when `written` is not a valid ISBN-10. Rules: ISO 2108 (the ISBN-10 check digit,
    weights 10 to 1, mod 11; the ISBN-13 one, weights 1 and 3, mod 10)."""
    digits = re.sub(r"[\s-]", "", written).upper()
    if not re.fullmatch(r"\d{9}[\dX]", digits):
        return None
    values = [10 if c == "X" else int(c) for c in digits]
    if sum(v * (10 - i) for i, v in enumerate(values)) % 11:
        return None
    body = "978" + digits[:9]
    check = (10 - sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body)) % 10) % 10
    stem = written.strip()[:-1]  # as written, without its check digit
    separator = next((mark for mark in "- " if mark in stem), "")
    return f"978{separator}{stem}{check}"


def isbn13_valid(isbn: str) -> bool:
    digits = re.sub(r"[\s-]", "", isbn)
    if not re.fullmatch(r"97[89]\d{10}", digits):
        return False
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits[:12]))
    return (10 - total % 10) % 10 == int(digits[12])

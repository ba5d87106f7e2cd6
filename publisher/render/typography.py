"""Language-aware smart punctuation on plain text (no markup, no entities: literal Unicode).

Text arrives as runs, each in one language (`Run`): a paragraph split by inline elements and by
`lang` spans. Quotes are decided over the whole paragraph, each mark in the style of the
language where its quote opens (quotes.py: one table, its sources).

The rules, in the order they apply:

1. Dashes and ellipses, in every language alike (house rule, as typed: spacing is the
   author's): `---` → — (raya, em dash), `--` → – (semiraya, en dash), `...` → ….
2. A `'` is an apostrophe, never a quote, when it stands
   * between two letters or digits: `O'Donnell`, `l'amour`, `dell'arte`, `aujourd'hui`;
   * at the start of a word before two digits (a year or decade: `'70s`, `'36`), unless a
     `'` closes right after them (`'36'` is a quoted number);
   * at the start of a word before an elided word of the run's language (quotes.ELIDED_WORDS:
     `'tis`, `'em`, `rock 'n' roll`), unless a `'` closes right after that word (`'round'` is
     a quoted word; `'n'` is always the elision);
   * after a letter, when no single quote is open (`the soldiers' letters`, `Hans' Kneipe`),
     or when one is open, the letter is one a possessive apostrophe follows (s, x, z, ß:
     Duden §16, CMOS 7.16) and the next quote mark after it is another closing single
     (`'the soldiers' letters'`): the later one closes. After any other letter it closes
     the open quote (`‚Lili Marleen' in Hans' Kneipe`);
   * as an opening single quote that never closes (`'Frisco`).
3. A typed pair opens at a level: inside another quote of the same style, one level deeper
   (cycling per the style); outside any quote, or as the first quote of another language, a
   double pair takes the outer level and a single pair the style's single level (the author
   chose a single mark: RAE glosses, British style). A closing mark closes the nearest open
   quote typed with the same character; a stray closing `"` gets the outer closing mark.
4. French spacing (styles with `spacing`): a narrow no-break space inside « » and before
   ; ! ?, a no-break space before :, replacing a typed space; only before a space, the end or
   more punctuation, so `10:30` and `http://` stay whole.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .quotes import NBSP, NNBSP, QuoteStyle, elided_words, style_for

OPENING_CONTEXT = set(" \t\n\u00a0\u202f([{\u2014\u2013-/«“‘„‚¿¡")
CLOSING_CONTEXT = set(".,;:!?)]}»”’…")
QUOTE_CHARS = re.compile("[\"']")
DASHES = (
    (re.compile(r"---"), "\u2014"),
    (re.compile(r"--"), "\u2013"),
    (re.compile(r"\.\.\."), "…"),
)
APOSTROPHE = "’"
YEAR = re.compile(r"\d\d(?![\w'])|\d\ds(?![\w'])")
WORD = re.compile(r"[^\W\d_]+")
FRENCH_SPACE = {";": NNBSP, "!": NNBSP, "?": NNBSP, ":": NBSP}
SPACES = " \u00a0\u202f"
AFTER_PUNCTUATION = set(";:!?.,)]»”’…\"'")  # what may follow ; : ! ? for a space before them
BEFORE_PUNCTUATION = set("»”’)]…\"'")  # besides letters and digits


@dataclass(frozen=True)
class Run:
    """A piece of text in one language (BCP 47 tag). A `verbatim` run (a stashed tag or
    entity) comes back unchanged; its neighbours see it as `shown` (an entity's character, or
    nothing for a tag)."""

    text: str
    lang: str
    verbatim: bool = False
    shown: str = ""


@dataclass
class _Quote:
    index: int
    char: str
    style: QuoteStyle
    kind: str  # "open", "close", "trail" (close or apostrophe), "apostrophe"
    partner: int | None = None  # index of the opener a closer closes
    level: int = 0
    possessive: bool = False  # a "trail" after s, x, z or ß: maybe a possessive apostrophe


@functools.lru_cache(maxsize=1 << 16)  # titles and names recur in every edition's templates
def smarten(text: str, lang: str) -> str:
    """Whole-string convenience wrapper around `smarten_runs` (pure: memoised)."""
    return smarten_runs([Run(text, lang)])[0]


def smarten_segments(segments: list[str], lang: str) -> list[str]:
    """Smarten text split across inline elements, all in one language (see `smarten_runs`)."""
    return smarten_runs([Run(segment, lang) for segment in segments])


def smarten_runs(runs: Sequence[Run]) -> list[str]:
    """Each run's text with typographic punctuation, decided across all runs (module rules).

    Returns one string per run, in order; a mark may be longer than the quote it replaces.
    """
    texts = [run.text if run.verbatim else _dashes_only(run.text) for run in runs]
    seen = [run.shown if run.verbatim else text for text, run in zip(texts, runs, strict=True)]
    joined = "".join(seen)
    styles: list[QuoteStyle] = []
    langs: list[str] = []
    for text, run in zip(seen, runs, strict=True):
        styles.extend([style_for(run.lang)] * len(text))
        langs.extend([run.lang] * len(text))
    out = list(joined)
    _quotes(joined, styles, langs, out)
    _french_spacing(joined, styles, out)
    pieces: list[str] = []
    cursor = 0
    for text, run, shown in zip(texts, runs, seen, strict=True):
        pieces.append(text if run.verbatim else "".join(out[cursor : cursor + len(text)]))
        cursor += len(shown)
    return pieces


def _quotes(joined: str, styles: list[QuoteStyle], langs: list[str], out: list[str]) -> None:
    quotes = _classify(joined, styles, langs)
    _pair(quotes)
    stack: list[_Quote] = []
    by_index = {quote.index: quote for quote in quotes}
    for quote in quotes:
        if quote.kind == "open":
            parent = stack[-1] if stack else None
            if parent is not None and parent.style == quote.style:
                quote.level = quote.style.next_level(parent.level)
            else:
                quote.level = quote.style.single if quote.char == "'" else 0
            stack.append(quote)
            out[quote.index] = quote.style.marks(quote.level)[0]
        elif quote.kind == "close" and quote.partner is not None:
            opener = by_index[quote.partner]
            while stack and stack.pop() is not opener:
                pass
            out[quote.index] = opener.style.marks(opener.level)[1]
        elif quote.kind == "close" and quote.char == '"':
            out[quote.index] = quote.style.marks(0)[1]
        else:
            out[quote.index] = APOSTROPHE


# Letters a possessive apostrophe follows at a word's end: `soldiers'`, `Hans'`, `Marx'`,
# `Strauß'` (Duden, Apostroph §16; CMOS 7.16 for English plurals).
POSSESSIVE_AFTER = frozenset("sxzß")


def _classify(joined: str, styles: list[QuoteStyle], langs: list[str]) -> list[_Quote]:
    quotes: list[_Quote] = []
    forced: set[int] = set()  # the second `'` of `'n'`
    for match in QUOTE_CHARS.finditer(joined):
        index, char = match.start(), match.group()
        before = joined[index - 1] if index else " "
        after = joined[index + 1] if index + 1 < len(joined) else " "
        opened = bool(quotes) and quotes[-1].index == index - 1 and quotes[-1].kind == "open"
        opening = (before in OPENING_CONTEXT or opened) and not (
            after.isspace() or after in CLOSING_CONTEXT
        )
        if index in forced or (char == "'" and before.isalnum() and after.isalnum()):
            kind = "apostrophe"
        elif opening and char == "'":
            kind = _leading_single(joined, index + 1, langs[index], forced)
        elif opening:
            kind = "open"
        elif char == "'" and before.isalnum():
            kind = "trail"
        else:
            kind = "close"
        possessive = kind == "trail" and before.lower() in POSSESSIVE_AFTER
        quotes.append(_Quote(index, char, styles[index], kind, possessive=possessive))
    return quotes


def _leading_single(joined: str, start: int, lang: str, forced: set[int]) -> str:
    """`'` at a word's start: "apostrophe" before a year or an elided word, else "open"."""
    if YEAR.match(joined, start):
        return "apostrophe"
    word = WORD.match(joined, start)
    if word is None or word.group().lower() not in elided_words(lang):
        return "open"
    closes_after = joined.startswith("'", word.end())
    if word.group().lower() == "n" and closes_after:
        forced.add(word.end())
        return "apostrophe"
    return "open" if closes_after else "apostrophe"


def _pair(quotes: list[_Quote]) -> None:
    """Match closers to openers; what cannot close or never closes becomes an apostrophe."""
    stack: list[_Quote] = []
    for position, quote in enumerate(quotes):
        if quote.kind == "open":
            stack.append(quote)
        elif quote.kind == "close" and quote.char == '"':
            doubles = [opener for opener in stack if opener.char == '"']
            if doubles:
                opener = doubles[-1]
                for inner in stack[stack.index(opener) + 1 :]:
                    if inner.char == "'":
                        inner.kind = "apostrophe"
                del stack[stack.index(opener) :]
                quote.partner = opener.index
        elif quote.kind in ("close", "trail"):
            single_open = bool(stack) and stack[-1].char == "'"
            maybe_possessive = quote.kind == "trail" and quote.possessive
            if single_open and not (maybe_possessive and _closer_follows(quotes, position)):
                quote.kind, quote.partner = "close", stack.pop().index
            else:
                quote.kind = "apostrophe"
    for opener in stack:
        if opener.char == "'":
            opener.kind = "apostrophe"


def _closer_follows(quotes: list[_Quote], position: int) -> bool:
    """Whether the next quote mark after `position` (apostrophes aside) closes a single."""
    for later in quotes[position + 1 :]:
        if later.kind == "apostrophe":
            continue
        return later.char == "'" and later.kind in ("close", "trail")
    return False


def _french_spacing(joined: str, styles: list[QuoteStyle], out: list[str]) -> None:
    for index, char in enumerate(joined):
        if not styles[index].spacing:
            continue
        before = joined[index - 1] if index else ""
        after = joined[index + 1] if index + 1 < len(joined) else " "
        if char in FRENCH_SPACE and (after.isspace() or after in AFTER_PUNCTUATION):
            if before and before in SPACES:
                out[index - 1] = FRENCH_SPACE[char]
            elif before and (before.isalnum() or before in BEFORE_PUNCTUATION):
                out[index] = FRENCH_SPACE[char] + out[index]
        elif char == "«" and index + 1 < len(joined) and after in " \u00a0":
            out[index + 1] = NNBSP
        elif char == "«" and index + 1 < len(joined) and after != NNBSP:
            out[index] = out[index] + NNBSP
        elif char == "»" and before in (" ", "\u00a0") and index:
            out[index - 1] = NNBSP
        elif char == "»" and before not in (NNBSP, ""):
            out[index] = NNBSP + out[index]


def _dashes_only(text: str) -> str:
    for pattern, replacement in DASHES:
        text = pattern.sub(replacement, text)
    return text

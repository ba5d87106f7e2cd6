"""Every word the book prints around its content, and how it writes dates, lists and numbers,
in the book's language. The one module that imports Babel.

Two sources, one object (`Locale`):

- our own words (contents, part, index headings, colophon, accessibility summary…): one TOML
  catalogue per language, `publisher/locales/<tag>.toml`, shipped as package data. Data, not
  code: a translator adds a language by copying `en.toml` (the reference: its keys are every
  word the book prints) without reading Python, and the files have the very shape of the
  anthology's `[labels]` table, which overrides any of them;
- Babel's CLDR data for what languages do by rule: long dates (`20 de noviembre de 2026`,
  `November 20, 2026`, `20 November 2026` for en-GB), lists (`A, B y C`, `A, B, and C`),
  decimal numbers (`4,5`).

Resolution (`Locale.for_tag`), as RFC 4647 §3.4 lookup: the tag is cut a subtag at a time
(`pt-PT` → `pt-PT`, `pt`; `es-ES` → `es`; `en-GB` → `en-GB`, `en`); every catalogue found on the
way fills what a more specific one leaves. Whatever is still missing is printed in English and
named (`missing`, and the `labels-fallback` warning): never another language silently. Dates and
lists follow the tag even then, when CLDR knows it (Dutch dates for an uncatalogued `nl`).
"""

from __future__ import annotations

import datetime as dt
import functools
import string
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import babel
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal

from .diagnostics import Diagnostic, warning
from .model import AnthologySpec

CATALOGUES = Path(__file__).resolve().parent.parent / "locales"
REFERENCE = "en"


@functools.cache
def _catalogue(name: str) -> Mapping[str, str] | None:
    """The words of `locales/<name>.toml`, None when there is no such catalogue. A catalogue
    is our own package data: a broken one is a bug of ours and raises."""
    path = CATALOGUES / f"{name}.toml"
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        return MappingProxyType(tomllib.load(handle))


def label_keys() -> tuple[str, ...]:
    """Every word the book prints, as the reference catalogue (English) lists them."""
    reference = _catalogue(REFERENCE)
    assert reference is not None, "publisher/locales/en.toml ships with the package"
    return tuple(reference)


def _fields(text: str) -> frozenset[str] | None:
    """The `{name}` fields of a word pattern; None when it is no valid pattern."""
    try:
        return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)
    except ValueError:
        return None


def word_problem(key: str, text: str) -> str | None:
    """Why `text` cannot stand for the word `key` (a `[labels]` value), None when it can: a
    pattern must name the same `{fields}` as the catalogue's (`colophon_text`: `{title}`,
    `{faces}`, `{tool}`; a brace of its own is written `{{`); a plain word is any text."""
    reference = _catalogue(REFERENCE) or {}
    wanted = _fields(reference.get(key, "")) or frozenset()
    if not wanted or _fields(text) == wanted:
        return None  # a plain word is printed as written, braces and all
    names = ", ".join(f"{{{name}}}" for name in sorted(wanted))
    return f"`labels.{key}` must hold {names}, each once or more, and no other {{field}}"


def _lookup(tag: str) -> tuple[str, ...]:
    """The catalogue names to try for `tag`, most specific first (`pt-PT` → pt-PT, pt)."""
    subtags = [part for part in tag.split("-") if part]
    names = ["-".join(subtags[:n]) for n in range(len(subtags), 0, -1)]
    # Catalogues are named `pt-PT`: language lower case, region upper case (BCP 47 §2.1.1).
    return tuple(_canonical(name) for name in names)


def _canonical(name: str) -> str:
    first, *rest = name.split("-")
    return "-".join([first.lower(), *(p.upper() if len(p) == 2 else p for p in rest)])


@functools.cache
def _cldr(tag: str) -> babel.Locale:
    """Babel's locale for `tag`, its language alone when CLDR lacks the region, else English."""
    for candidate in (tag, tag.split("-")[0]):
        try:
            return babel.Locale.parse(candidate, sep="-")
        except (ValueError, babel.UnknownLocaleError):
            continue
    return babel.Locale.parse(REFERENCE)


@dataclass(frozen=True)
class Locale:
    """The book's words and rules. `words`: every key of `label_keys()`; `catalogues`: the
    catalogues used, most specific first (empty: none for this language); `missing`: the keys
    printed in English because no catalogue of the language has them and `[labels]` does not
    give them (always empty for English)."""

    tag: str
    words: Mapping[str, str]
    catalogues: tuple[str, ...]
    missing: tuple[str, ...]

    @classmethod
    def for_tag(cls, tag: str, overrides: Mapping[str, str] | None = None) -> Locale:
        """The locale of the BCP 47 `tag`, with `overrides` (the anthology's `[labels]`, keys
        already checked against `label_keys()`) winning over every catalogue."""
        return _locale(tag, tuple(sorted((overrides or {}).items())))

    @classmethod
    def for_spec(cls, spec: AnthologySpec) -> Locale:
        """The book's locale: its `lang` and its `[labels]`."""
        return _locale(spec.lang, tuple(sorted(spec.labels)))

    def word(self, key: str) -> str:
        """The word for `key` (a key of `label_keys()`; another raises KeyError)."""
        return self.words[key]

    def date(self, value: dt.date) -> str:
        """The long date in the book's language (CLDR `long`): `20 de noviembre de 2026`."""
        return str(format_date(value, format="long", locale=_cldr(self.tag)))

    def join(self, names: Iterable[str]) -> str:
        """Names as a list in running text (CLDR's standard list): `A, B y C`; "" for none."""
        items = list(names)
        return str(format_list(items, locale=_cldr(self.tag))) if items else ""

    def decimal(self, value: float) -> str:
        """A number with the language's decimal sign and no grouping: `4,5`, `4.5`."""
        return str(format_decimal(value, locale=_cldr(self.tag), group_separator=False))

    def fallback_message(self) -> str | None:
        """What the `labels-fallback` warning says, None when nothing falls back to English."""
        if not self.missing:
            return None
        words = ", ".join(f"`{key}`" for key in self.missing)
        if not self.catalogues:
            return (
                f"no catalogue of book words for `{self.tag}`: {len(self.missing)} words print"
                f" in English ({words}); give them in the anthology's [labels] table"
            )
        return (
            f"the `{self.catalogues[-1]}` catalogue lacks {len(self.missing)} words, printed in"
            f" English ({words}); give them in the anthology's [labels] table"
        )


@functools.cache
def _locale(tag: str, overrides: tuple[tuple[str, str], ...]) -> Locale:
    keys = label_keys()
    words: dict[str, str] = {}
    used: list[str] = []
    for name in _lookup(tag):
        catalogue = _catalogue(name)
        if catalogue is None:
            continue
        used.append(name)
        for key in keys:
            if key in catalogue:
                words.setdefault(key, catalogue[key])
    words.update(overrides)
    english = _lookup(tag)[-1] == REFERENCE
    reference = _catalogue(REFERENCE) or {}
    missing = tuple(key for key in keys if key not in words and not english)
    for key in keys:
        words.setdefault(key, reference[key])
    return Locale(tag, MappingProxyType(words), tuple(used), missing)


def labels_fallback(spec: AnthologySpec) -> tuple[Diagnostic, ...]:
    """A `labels-fallback` warning at the anthology's `lang` when words print in English."""
    message = Locale.for_spec(spec).fallback_message()
    if message is None:
        return ()
    line, col = spec.lang_at
    return (warning(spec.path, line, "labels-fallback", message, col),)


# CLDR's private-use and grouping codes that are not countries (ISO 3166-1 reserves them).
_NOT_COUNTRIES = frozenset({"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"})


@functools.cache
def countries() -> frozenset[str]:
    """ISO 3166-1 alpha-2 country codes as CLDR (Babel) knows them, upper case."""
    return frozenset(
        code
        for code in _territory_codes()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    )


def _territory_codes() -> list[str]:
    """Every territory code CLDR names (countries, regions such as `001`, groupings)."""
    return [str(code) for code in babel.Locale("en").territories]


@functools.cache
def currencies() -> frozenset[str]:
    """ISO 4217 codes of the currencies that are legal tender somewhere today (CLDR): `EUR`,
    `USD`…, not withdrawn ones such as `ESP`."""
    from babel.numbers import get_territory_currencies

    found: set[str] = set()
    for code in _territory_codes():
        found.update(get_territory_currencies(code, tender=True))
    return frozenset(found)


def currency_digits(code: str) -> int:
    """How many decimals an amount in the currency `code` has (ISO 4217 minor unit: EUR 2,
    JPY 0), from CLDR."""
    from babel.numbers import get_currency_precision

    return int(get_currency_precision(code))

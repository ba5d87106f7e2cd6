"""Index order per language: ICU collation (CLDR's tailorings) through PyICU, and the leading
articles a title is filed without. The only module that imports `icu`.

Order is the book's language's (`Collator.for_tag(spec.lang)`): in Spanish `ñ` files after `n`
(`Niño` < `Ñu` < `Oro`), in German `ä` files with `a`, in Swedish `å ä ö` after `z`; every
script keeps its own place (Latin before Greek before Cyrillic before Han, CLDR root order),
never folded to ASCII. Digits sort by value (`2` < `10`), as the ALA Filing Rules (1980) ask.

Titles are filed without their leading article in the title's own language (a review's `lang`,
else the book's): `La vaquilla` under V, `L'Atalante` under A. How the index prints them
(`index_heading`) depends on that language:

* English: inverted, `Thin Red Line, The`, as the Chicago Manual of Style (16th ed., "Indexing
  Titles of Publications and Other Works", 16.47–16.55) does for a title's initial article.
* every other language: as written, the article in its place and only skipped for order, as
  Spanish, French and Italian catalogues file titles (MARC 21 field 245, second indicator: the
  count of non-filing characters; the title is transcribed as written). Inverting is foreign to
  those practices and breaks elided articles (`Atalante, L'`).

An explicit `film.sort_as` wins over the article rule, for order only.
"""

from __future__ import annotations

import re
from functools import cache

import icu  # type: ignore[import-untyped]  # PyICU ships no type hints

# Leading articles per language (primary subtag), as the Library of Congress's list "Initial
# definite and indefinite articles" gives them for filing. Spanish `lo` is left out: at the
# head of a title it is almost always the pronoun of `Lo que…`, which files under L.
ARTICLES: dict[str, tuple[str, ...]] = {
    "es": ("el", "la", "los", "las", "un", "una", "unos", "unas"),
    "ca": ("el", "la", "l'", "els", "les", "un", "una", "uns", "unes"),
    "gl": ("o", "a", "os", "as", "un", "unha"),
    "fr": ("le", "la", "l'", "les", "un", "une"),
    "it": ("il", "lo", "la", "l'", "i", "gli", "le", "un", "uno", "una", "un'"),
    "pt": ("o", "a", "os", "as", "um", "uma"),
    "de": ("der", "die", "das", "ein", "eine"),
    "en": ("the", "a", "an"),
    "nl": ("de", "het", "een"),
}
APOSTROPHES = "'’"
# Opening marks a title is not filed under: `¡Ay, Carmela!` files under A, `«Z»` under Z
# (the ALA Filing Rules, 1980, disregard punctuation).
LEADING_MARKS = re.compile(r"^[^\w]+")


@cache
def _article_pattern(language: str) -> re.Pattern[str] | None:
    articles = ARTICLES.get(language)
    if not articles:
        return None
    whole = [re.escape(a) for a in articles if not a.endswith("'")]
    elided = [re.escape(a[:-1]) for a in articles if a.endswith("'")]
    alternatives = [rf"(?:{'|'.join(whole)})\s+"]
    if elided:
        alternatives.append(rf"(?:{'|'.join(elided)})[{APOSTROPHES}]")
    # Something must follow: a title that is only an article (`The`) keeps it.
    return re.compile(rf"^(?:{'|'.join(alternatives)})(?=\w)", re.IGNORECASE)


def primary_language(tag: str) -> str:
    """`es-ES` → `es`; `pt-BR` → `pt` (lowercase)."""
    return tag.split("-", 1)[0].lower()


def without_article(title: str, tag: str) -> str:
    """`title` without the leading article of the language `tag` names, for filing only:
    (`La vaquilla`, `es`) → `vaquilla`; (`L'Atalante`, `fr`) → `Atalante`; (`A sangre fría`,
    `es`) → unchanged (`a` is no Spanish article)."""
    pattern = _article_pattern(primary_language(tag))
    return pattern.sub("", title, count=1) if pattern else title


INVERTED_LANGUAGES = frozenset({"en"})


def index_heading(title: str, tag: str) -> str:
    """A title as an index prints it: (`The Thin Red Line`, `en`) → `Thin Red Line, The`;
    in any other language as written (`La vaquilla`)."""
    if primary_language(tag) not in INVERTED_LANGUAGES:
        return title
    rest = without_article(title, tag)
    if rest == title:
        return title
    return f"{rest}, {title[: len(title) - len(rest)].strip()}"


class Collator:
    """One language's collation. `key(text)` is ICU's sort key (bytes: compare them as they
    are; equal bytes, equal order). Built once per tag (`for_tag`); a tag ICU has no tailoring
    for gets the CLDR root order (the Unicode Collation Algorithm's DUCET)."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        collator = icu.Collator.createInstance(icu.Locale.forLanguageTag(tag))
        collator.setAttribute(icu.UCollAttribute.NUMERIC_COLLATION, icu.UCollAttributeValue.ON)
        self._icu = collator

    @classmethod
    @cache
    def for_tag(cls, tag: str) -> Collator:
        return cls(tag)

    def key(self, text: str) -> bytes:
        return bytes(self._icu.getSortKey(text))

    def title_key(self, title: str, tag: str, sort_as: str | None = None) -> tuple[bytes, bytes]:
        """Order of a title in the index: by `sort_as` when given, else by the title without
        its leading article in `tag`'s language; ties broken by the title as written."""
        filed = sort_as if sort_as else without_article(LEADING_MARKS.sub("", title), tag)
        return self.key(filed), self.key(title)

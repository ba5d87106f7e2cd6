"""Language tags (BCP 47, RFC 5646): is a text one, and if not, which one did the writer mean.

The one module that imports langcodes (its registry data ships in the language-data package,
read offline). `lang: English`, `lang: español` or `lang: es_ES` are not tags; each has a
closest tag (`en`, `es`, `es-ES`), which a message offers as "did you mean".
"""

from __future__ import annotations

from dataclasses import dataclass

import langcodes

from .text import LANG_TAG


@dataclass(frozen=True)
class LangTag:
    """`tag`: the text as written when it is a valid tag, else None; `suggestion`: for an
    invalid text, the closest valid tag when one is found (a language's name in English or
    in that language, a tag written with `_`), else None."""

    tag: str | None
    suggestion: str | None = None


def parse_lang(text: str) -> LangTag:
    """Whether `text` is a valid language tag (well formed, and every subtag registered in
    the IANA subtag registry, as langcodes reads it). Never raises."""
    text = text.strip()
    if LANG_TAG.match(text) and langcodes.tag_is_valid(text):
        return LangTag(text)
    return LangTag(None, _closest(text))


def _closest(text: str) -> str | None:
    try:
        standard = langcodes.standardize_tag(text)
    except (ValueError, LookupError):
        standard = ""
    if standard and LANG_TAG.match(standard) and langcodes.tag_is_valid(standard):
        return standard
    try:
        return str(langcodes.find(text).to_tag())
    except (ValueError, LookupError):
        return None


def bibliographic_code(tag: str) -> str:
    """The ISO 639-2/B three-letter code of a valid tag's language (`es` → `spa`, `de` →
    `ger`, `pt-BR` → `por`), as ONIX List 74 asks. Raises LookupError for a language that
    has none."""
    return str(langcodes.Language.get(tag).to_alpha3(variant="B"))

"""The placeholder body `publisher new` writes, and how a check finds it again.

One sentence per language (the primary subtag of the book's `lang`; English for the others).
`load/body.py` warns (`placeholder-text`) wherever a body still holds any of them, whatever
the book's language, so a skeleton never reaches print unwritten.
"""

from __future__ import annotations

import re

PLACEHOLDERS: dict[str, str] = {
    "en": "Write the review here.",
    "es": "Escriba aquí la reseña.",
    "ca": "Escriviu aquí la crítica.",
    "fr": "Écrivez ici la critique.",
    "de": "Schreiben Sie hier die Kritik.",
    "it": "Scrivete qui la recensione.",
    "pt": "Escreva aqui a crítica.",
}
FINDER = re.compile("|".join(re.escape(text) for text in PLACEHOLDERS.values()))


def placeholder_for(lang: str) -> str:
    """The placeholder sentence for a language tag (`es-ES` → Spanish; unknown → English)."""
    return PLACEHOLDERS.get(lang.split("-")[0].lower(), PLACEHOLDERS["en"])


def find_placeholder(text: str) -> re.Match[str] | None:
    """The first placeholder sentence in `text`, if any (code should be masked first)."""
    return FINDER.search(text)

"""Quotation marks and punctuation spacing per language, as data: one row per style.

Each row names its source. `style_for("pt-BR")` picks the row for a BCP 47 tag: the row whose
language and region both match, else the language's row with no region, else American English
(`FALLBACK`), which is what the book printed for an unknown language before.

What the sources say, and what we decided where they are silent:

* Levels beyond the ones a source lists cycle: after the last level, marks repeat from
  `cycle_from` (Spanish « “ ‘ “ ‘ …; English “ ‘ “ ‘ …, the New Hart's "and so on").
* `single` is the level a typed single pair `'…'` takes at the outer level: the author chose a
  single mark (a meaning or gloss, RAE Ortografía §3.4.8; British style), so it stays single
  in every locale.
* French: the Imprimerie nationale's *Lexique* asks for a no-break space inside « » and before
  the colon, and a thin no-break space before ; ! ?. We print U+202F (narrow no-break space)
  inside « » and before ; ! ?, and U+00A0 (a full no-break space) before the colon, as the
  *Lexique* distinguishes it; the issue asks for the narrow space inside guillemets, which is
  also CLDR's and most French digital typesetters' practice.
"""

from __future__ import annotations

from dataclasses import dataclass

NNBSP = "\u202f"  # narrow no-break space
NBSP = "\u00a0"

ANGLE = ("«", "»")
DOUBLE = ("“", "”")
SINGLE = ("‘", "’")
FRENCH = ("«" + NNBSP, NNBSP + "»")
GERMAN = ("„", "“")
GERMAN_SINGLE = ("‚", "‘")


@dataclass(frozen=True)
class QuoteStyle:
    """How one language quotes: `levels[0]` is the outer pair (opening, closing), and so on.

    `cycle_from`: index the levels repeat from after the last one. `single`: index of the level
    a typed single pair `'…'` takes outside any quote. `spacing`: French punctuation spacing.
    `source`: where the rule is written.
    """

    lang: str  # language subtag, lower case
    region: str  # region subtag, upper case, or "" for the language's default
    levels: tuple[tuple[str, str], ...]
    cycle_from: int
    single: int
    spacing: bool
    source: str

    def marks(self, level: int) -> tuple[str, str]:
        """The pair for 0-based `level`, cycling past the last listed level."""
        if level < len(self.levels):
            return self.levels[level]
        span = len(self.levels) - self.cycle_from
        return self.levels[self.cycle_from + (level - len(self.levels)) % span]

    def next_level(self, level: int) -> int:
        """The level of a quote opened directly inside one at `level` (kept within the table)."""
        if level + 1 < len(self.levels):
            return level + 1
        return self.cycle_from + (level + 1 - len(self.levels)) % (
            len(self.levels) - self.cycle_from
        )


_ROMANCE = (ANGLE, DOUBLE, SINGLE)
STYLES: tuple[QuoteStyle, ...] = (
    QuoteStyle("es", "", _ROMANCE, 1, 2, False,
               "RAE/ASALE, Ortografía de la lengua española (2010), §3.4.8: angulares « » "
               "first, then inglesas “ ” and simples ‘ ’ for quotes within quotes; simples "
               "for meanings"),
    QuoteStyle("ca", "", _ROMANCE, 1, 2, False,
               "IEC, Ortografia catalana (2017), cometes; Termcat/Optimot criteria: baixes "
               "« », then altes “ ”, then simples ‘ ’"),
    QuoteStyle("gl", "", _ROMANCE, 1, 2, False,
               "RAG/ILG, Normas ortográficas e morfolóxicas do idioma galego, comiñas: "
               "angulares « », inglesas “ ”, simples ‘ ’"),
    QuoteStyle("fr", "", (FRENCH, DOUBLE, SINGLE), 1, 2, True,
               "Lexique des règles typographiques en usage à l'Imprimerie nationale: « » "
               "with no-break spaces, “ ” for a quotation within a quotation; no-break space "
               "before : and thin no-break space before ; ! ?"),
    QuoteStyle("de", "", (GERMAN, GERMAN_SINGLE), 0, 1, False,
               "Duden, Die deutsche Rechtschreibung, Anführungszeichen: „ “, halbe ‚ ‘ for a "
               "quotation within a quotation"),
    QuoteStyle("it", "", _ROMANCE, 1, 2, False,
               "Accademia della Crusca (virgolette) and Italian publishers' style guides "
               "(e.g. Lesina, Il nuovo manuale di stile): basse « », alte “ ”, semplici ‘ ’"),
    QuoteStyle("pt", "PT", _ROMANCE, 1, 2, False,
               "European Portuguese practice (Ciberdúvidas da Língua Portuguesa; Acordo "
               "Ortográfico 1990 uses « »): angulares « », then “ ”, then ‘ ’"),
    QuoteStyle("pt", "", (DOUBLE, SINGLE), 0, 1, False,
               "Brazilian practice (ABNT NBR 10520; Academia Brasileira de Letras usage), as "
               "the `pt` catalogue of book words: “ ” then ‘ ’; pt-PT takes « »"),
    QuoteStyle("en", "", (DOUBLE, SINGLE), 0, 1, False,
               "The Chicago Manual of Style (16th ed.) §13.28 and §6.11: double marks, single "
               "within double, double within those, alternately; §6.9: an apostrophe at a "
               "word's end is never a closing single quote"),
    QuoteStyle("en", "GB", (SINGLE, DOUBLE), 0, 0, False,
               "New Hart's Rules (Oxford), quotation marks, and Hart's Rules for Compositors "
               "before it: single first, double within, then single again"),
)  # fmt: skip
FALLBACK = STYLES[[style.lang for style in STYLES].index("en")]


def style_for(lang: str) -> QuoteStyle:
    """The style for a BCP 47 tag (`es`, `en-GB`, `pt_BR`, `sr-Latn-RS`), case-insensitive.

    A region subtag is two letters or three digits after the language; scripts are skipped.
    An unknown language gets `FALLBACK` (American English).
    """
    subtags = lang.replace("_", "-").split("-")
    language = subtags[0].lower()
    regions = [tag.upper() for tag in subtags[1:] if len(tag) == 2 or tag.isdigit()]
    region = regions[0] if regions else ""
    general: QuoteStyle | None = None
    for style in STYLES:
        if style.lang == language and style.region == region:
            return style
        if style.lang == language and not style.region:
            general = style
    return general or FALLBACK


# Words that begin with an apostrophe (an elision), per language: a `'` right before one of
# them at the start of a word is an apostrophe, not an opening quote (`'tis`, `rock 'n' roll`).
ELIDED_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset({
        "tis", "twas", "twere", "twill", "twould", "em", "n", "cause", "cos", "til", "bout",
        "neath", "gainst", "round",
    }),
}  # fmt: skip


# Elisions borrowed by every language with the phrase (`rock 'n' roll`: Duden "Rock 'n' Roll",
# RAE "rock and roll"): an apostrophe whatever the run's language.
ANY_LANGUAGE: frozenset[str] = frozenset({"n"})


def elided_words(lang: str) -> frozenset[str]:
    """Elided words that start with an apostrophe in `lang` (lower case), possibly none."""
    own = ELIDED_WORDS.get(lang.replace("_", "-").split("-")[0].lower(), frozenset())
    return own | ANY_LANGUAGE

"""How a person's name is filed in an index: `file_name("Luis García Berlanga")` →
`García Berlanga, Luis`. The index prints the form it sorts by.

An editor's `file_as` always wins (a review's `film.file_as`, the anthology's `[file_as]`); a
name written already inverted (`Bemberg, María Luisa`) is taken as filed. Otherwise the default
follows the name's own tradition, whatever the book's language:

* Hispanic names (the first word is a Spanish, Catalan, Galician or Basque given name of
  `GIVEN_NAMES`): the given names are the first word and each next word in that list
  (`María Luisa`, `José Mari`, `Miguel Ángel`); everything after is the surname, compound ones
  whole (`García Berlanga`, `Sáenz de Heredia`, `Portabella i Ràfols`): AACR2 22.5C and RDA
  9.2.2.10 file a compound surname whose bearer's preference is unknown under its first
  element (the Biblioteca Nacional de España's authority form is `García Berlanga, Luis`).
* Other names: the surname is the last word (for Portuguese compound surnames that is the
  rule too: AACR2 22.5C and RDA 9.2.2.10 file them under the last element).
* Particles (`de`, `del`, `de la`, `von`, `van`…) written in lowercase go after the given name
  (`Iglesia, Álex de la`; `Trier, Lars von`; `Oliveira, Manoel de`), as AACR2 22.5D1 has it
  for Spanish, French (preposition alone), German and Portuguese names; written with a capital
  they are part of the surname (`De Sica, Vittorio`; `La Fontaine, Jean de`; `Van Sant, Gus`);
  RDA Appendix F.11 gives the per-language tables this approximates.
* Initials are given names, never surnames: `J. A. Bayona` → `Bayona, J. A.`.
* Not inverted: a single name (`Cantinflas`); a name in Han, kana or Hangul script (`黒澤明`:
  family name first, as written); a Latin-script name of two words whose second is a
  hyphenated romanized given name (`Wong Kar-wai`, `Bong Joon-ho`, `Hou Hsiao-hsien`). Other
  Latin-script East Asian names (`Zhang Yimou`, `Kurosawa Akira`) cannot be told from
  Western ones: they need `file_as` (`"Zhang Yimou" = "Zhang Yimou"`).

A three-word Hispanic name whose middle word is a given name outside the list
(`María Elvira Lacaci`) files wrongly until it gets a `file_as`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Common given names in Spain, with Catalan, Galician and Basque forms (a curated list: a name
# missing here only makes its bearer's three-word names need `file_as`).
GIVEN_NAMES = frozenset(
    [
        "adolfo",
        "agustí",
        "agustín",
        "aitor",
        "alberto",
        "alejandro",
        "alejandra",
        "álex",
        "alex",
        "alfonso",
        "alfredo",
        "álvaro",
        "amparo",
        "ana",
        "andrés",
        "ángel",
        "ángela",
        "ángeles",
        "antonio",
        "antonia",
        "arantxa",
        "begoña",
        "belén",
        "benito",
        "carlos",
        "carla",
        "carme",
        "carmen",
        "carmela",
        "catalina",
        "cayetana",
        "clara",
        "concepción",
        "cristina",
        "daniel",
        "david",
        "diego",
        "dolores",
        "eduardo",
        "elena",
        "elías",
        "elvira",
        "emilio",
        "enrique",
        "ernesto",
        "esteban",
        "eva",
        "fernando",
        "francesc",
        "francisco",
        "gabriel",
        "gerardo",
        "gloria",
        "gonzalo",
        "guillermo",
        "héctor",
        "helena",
        "ignacio",
        "icíar",
        "iciar",
        "imanol",
        "inés",
        "irene",
        "isabel",
        "jaime",
        "javier",
        "jesús",
        "joan",
        "joaquín",
        "jon",
        "jordi",
        "jorge",
        "josé",
        "josep",
        "juan",
        "juana",
        "julia",
        "julio",
        "laia",
        "lola",
        "lorenzo",
        "lucía",
        "luis",
        "luisa",
        "manuel",
        "manuela",
        "marc",
        "marcos",
        "margarita",
        "mari",
        "maría",
        "marina",
        "mario",
        "marisa",
        "marta",
        "mercedes",
        "miguel",
        "mikel",
        "mónica",
        "montserrat",
        "montxo",
        "nacho",
        "nerea",
        "núria",
        "nuria",
        "óscar",
        "pablo",
        "paco",
        "paloma",
        "pau",
        "pedro",
        "pere",
        "pilar",
        "rafael",
        "ramón",
        "raquel",
        "ricardo",
        "roberto",
        "rocío",
        "rosa",
        "rosario",
        "salvador",
        "santiago",
        "sara",
        "sergio",
        "sofía",
        "susana",
        "teresa",
        "tomás",
        "uxía",
        "vicente",
        "víctor",
        "xavier",
        "xosé",
    ]
)
# Lowercase particles that go after the given name; with a capital they belong to the surname.
PARTICLES = frozenset(
    [
        "de",
        "del",
        "della",
        "dela",
        "di",
        "da",
        "das",
        "do",
        "dos",
        "du",
        "des",
        "la",
        "las",
        "le",
        "les",
        "lo",
        "los",
        "van",
        "von",
        "der",
        "den",
        "ten",
        "ter",
        "y",
        "i",
        "e",
    ]
)
CONJUNCTIONS = frozenset({"y", "i", "e"})  # join two surnames: `Ortega y Gasset`
INITIAL = re.compile(r"^(?:[^\W\d_]\.-?)+$")  # J., J.A., J.-P.
ROMANIZED_GIVEN = re.compile(r"^[A-Z][a-z]+-[a-z]+$")  # Kar-wai, Joon-ho, Hsiao-hsien


@dataclass(frozen=True)
class FiledName:
    """A name as written and as filed: `surname` is the filing element, `rest` the given
    names and any particles after them (empty when the name is not inverted)."""

    written: str
    surname: str
    rest: str = ""

    @property
    def heading(self) -> str:
        """The form an index prints: `García Berlanga, Luis`, `Wong Kar-wai`."""
        return f"{self.surname}, {self.rest}" if self.rest else self.surname


def from_file_as(written: str, file_as: str) -> FiledName:
    """An editor's filed form: `Bemberg, María Luisa` (surname, comma, the rest) or a form
    without a comma, filed whole (`Wong Kar-wai`)."""
    surname, _, rest = file_as.partition(",")
    return FiledName(written, surname.strip(), rest.strip())


def file_name(name: str, file_as: str | None = None) -> FiledName:
    """`name` as its tradition files it (module docstring); `file_as` overrides."""
    if file_as:
        return from_file_as(name, file_as)
    if "," in name:
        return from_file_as(name, name)
    words = name.split()
    if len(words) < 2 or _family_name_first(name, words):
        return FiledName(name, name)
    given = 1
    if _given(words[0]):
        while given < len(words) - 1 and (_given(words[given]) or _initial(words[given])):
            given += 1
        start = given
    else:
        while given < len(words) - 1 and _initial(words[given]):
            given += 1
        start = len(words) - 1
        while start > given and words[start - 1].lower() in PARTICLES:
            start -= 1
    surname = words[start:]
    lowered = 0  # lowercase particles at the head of the surname go after the given names
    while lowered < len(surname) - 1 and surname[lowered] in PARTICLES:
        lowered += 1
    if surname[lowered - 1 : lowered] and surname[lowered - 1] in CONJUNCTIONS:
        lowered -= 1  # `y` never opens a surname's particles
    rest = words[:start] + surname[:lowered]
    return FiledName(name, " ".join(surname[lowered:]), " ".join(rest))


def _initial(word: str) -> bool:
    """`J.`, `J.A.`, or a lone capital (`J`); `y`, `i`, `e` are conjunctions."""
    return bool(INITIAL.match(word)) or (len(word) == 1 and word.isupper())


def _given(word: str) -> bool:
    return word.lower() in GIVEN_NAMES


def _family_name_first(name: str, words: list[str]) -> bool:
    if any(_east_asian(char) for char in name):
        return True
    return len(words) == 2 and bool(ROMANIZED_GIVEN.match(words[1])) and len(words[0]) <= 5


def _east_asian(char: str) -> bool:
    """Han, kana or Hangul (Unicode character names: `CJK UNIFIED IDEOGRAPH-9ED2`…)."""
    label = unicodedata.name(char, "")
    return label.startswith(("CJK ", "HIRAGANA", "KATAKANA", "HANGUL"))

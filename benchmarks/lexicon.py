"""Word pools for the synthetic corpus: enough variety that hyphenation, kerning and line
breaking see realistic Spanish text, small enough to read at a glance.

Pools are whitespace-separated strings (`|` where an item has spaces) to keep them compact.
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _items(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in text.split("|") if item.strip())


PARTS: tuple[tuple[str, str, str], ...] = (
    ("frente", "El frente", "La guerra vista desde las trincheras y las milicias."),
    ("retaguardia", "La retaguardia", "Ciudades sitiadas y familias que esperan."),
    ("posguerra", "Posguerra y maquis", "El silencio, la cárcel y el monte."),
    ("exilio", "Exilio y División Azul", "Españoles lejos de España."),
    ("memoria", "La memoria", "Películas que miran la guerra desde el presente."),
)

EXTRA_TAGS = _words(
    "humor drama documental infancia literatura maquis campo familia esperpento musical cárcel"
    " ciudad pueblo mujeres"
)

CRITICS = _items("Andrés Robles | Lucía Garrido | Marta Iturbe | Jordi Casals | Elena Sanz")

FIRST_NAMES = _items(
    "Carlos | Pilar | José Luis | Icíar | Fernando | Montxo | Isabel | Benito | Agustí | Jaime"
    " | Cecilia | Manuel | Itziar | Vicente | Gracia | Basilio | Josefina | Álex | Mercedes"
    " | Ramón | Teresa | Gonzalo | Adolfo | Concha | Emilio | Nuria"
)

SURNAMES = _items(
    "Saura | Miró | Cuerda | Bollaín | Trueba | Armendáriz | Coixet | Zambrano | Villaronga"
    " | Camus | Gutiérrez Aragón | Aranda | Erice | Gil | Martín Patino | Querejeta | Garci"
    " | Molina | Sacristán | Velasco | Landa | Ortega | Iglesias | Beltrán | Echevarría"
    " | Lozano | Mendoza | Salgado | Roldán | Peñalver"
)

COUNTRIES = _items(
    "España | España | España | España y Francia | España y México | España y Argentina"
)

# "Article word": the article carries gender and number for the title's adjective.
TITLE_WORDS: tuple[tuple[str, str], ...] = tuple(
    (word, article)
    for article, word in (
        item.split()
        for item in _items(
            "El silencio | La trinchera | La colmena | La tregua | La memoria | El invierno"
            " | La frontera | El pan | La sombra | Las bicicletas | Las campanas | Los lobos"
            " | La ceniza | El puerto | El verano | El retorno | Las mariposas | El olvido"
            " | La fosa | La nieve | El río | La madre | Los hijos | El cielo | La estepa"
            " | El huerto"
        )
    )
)

TITLE_ADJECTIVES = _words(
    "negro largo roto infinito perdido último callado lejano oscuro blanco amargo quieto"
)

_FEMININE = _words(
    "película guerra escena memoria familia madre casa cámara historia herida posguerra"
    " retaguardia luz voz mirada actriz censura sed carta fotografía música cárcel iglesia"
    " escuela secuencia crítica novela época generación trinchera frontera"
)
_MASCULINE = _words(
    "director plano personaje pueblo silencio frente niño soldado campo montaje guion reparto"
    " exilio paisaje actor miedo tren monte maestro relato final público abuelo"
)
# (noun, gender): articles and adjectives agree, so the text reads as Spanish.
NOUNS: tuple[tuple[str, str], ...] = tuple(
    sorted([(n, "f") for n in _FEMININE] + [(n, "m") for n in _MASCULINE])
)

# Masculine forms; `-o` becomes `-a` for feminine nouns, the rest are invariable.
ADJECTIVES = _words(
    "largo lento amargo sereno cruel tierno oscuro luminoso seco contenido preciso brutal"
    " melancólico coral íntimo callado áspero rural urbano republicano nacional antiguo nuevo"
    " extraño necesario imperfecto hermoso difícil pequeño enorme discreto feroz frágil"
)

VERBS = _words(
    "filma muestra recuerda construye sostiene esconde mira escucha rompe convierte encuentra"
    " pierde devuelve cuenta deja levanta atraviesa interroga acompaña retrata desnuda calla"
    " insiste sugiere"
)

ADVERBS = _items(
    "nunca | siempre | apenas | todavía | después | entonces | quizá | también | despacio"
    " | de pronto | al final | sin embargo | por fin | a veces | casi"
)

CONNECTORS = _items(
    "y | pero | mientras | porque | aunque | cuando | como si | hasta que | sin que"
)

PREPOSITIONS = _words("de en con sin sobre entre desde hacia contra tras")

ARTICLES: dict[str, tuple[str, ...]] = {
    "m": _words("el un su aquel este cada ese"),
    "f": _words("la una su aquella esta cada esa"),
}

QUOTED = _items(
    "no hay vencedores | aquí no ha pasado nada | la guerra no se acaba nunca"
    " | ya no queda nadie | volveremos en primavera | esto no es una película"
)

"""A generated stress book: every Markdown construct the book supports, in every position.

Footnote calls (at the start, middle and end of paragraphs, several per paragraph, in headings,
list items, nested lists, block quotes, table cells and definition lists), lists, links (inline,
reference-style, autolinks), tables, images (figures with captions, inline, in lists and quotes),
headings, block quotes (epigraphs, nested), definition lists, and Greek and Cyrillic text, in
bodies, notes and front matter. The prose is drawn from word lists with a seeded generator, so
the book is the same on every run.
"""

from __future__ import annotations

import random
import textwrap
from pathlib import Path

from PIL import Image

SPANISH = [
    "cine",
    "memoria",
    "guerra",
    "frente",
    "pueblo",
    "verano",
    "invierno",
    "carta",
    "tren",
    "estación",
    "silencio",
    "campo",
    "ciudad",
    "puerta",
    "ventana",
    "río",
    "puente",
    "montaña",
    "camino",
    "noche",
    "mañana",
    "tarde",
    "luz",
    "sombra",
    "voz",
    "canción",
    "soldado",
    "maestro",
    "niña",
    "abuelo",
    "vecina",
    "madre",
    "hermano",
    "película",
    "plano",
    "secuencia",
    "escena",
    "retrato",
    "mirada",
    "distancia",
    "frontera",
    "exilio",
    "regreso",
    "huida",
    "refugio",
    "trinchera",
    "cuartel",
    "pan",
    "harina",
    "bicicleta",
    "cartel",
    "cámara",
    "montaje",
    "guion",
    "reparto",
    "público",
    "pantalla",
    "sala",
    "butaca",
    "taquilla",
    "desmemoria",
    "posguerra",
    "retaguardia",
    "maquis",
    "monte",
    "cueva",
    "linterna",
]
GREEK = [
    "μνήμη",
    "πόλεμος",
    "ταινία",
    "σιωπή",
    "θάλασσα",
    "φως",
    "σκιά",
    "δρόμος",
    "ψωμί",
    "τραγούδι",
]
CYRILLIC = ["память", "война", "фильм", "тишина", "море", "свет", "тень", "дорога", "хлеб", "песня"]
STRESS_TOML = """\
title = "Pruebas de esfuerzo"
subtitle = "Cada construcción en cada lugar"
editors = ["Editora Generada", "Editor Sintético"]
publisher = "Prensa Determinista"
lang = "es"
date = 2026-02-01
rights = "© 2026"
description = "Una antología generada para probar la fidelidad del texto."
subjects = ["Cine"]
front = ["presentacion"]

[[parts]]
id = "primera"
title = "Primera parte: listas y notas"
intro = "Una introducción con *énfasis*, un [enlace](https://example.org/) y palabras griegas: μνήμη."
select = { tags = ["primera"] }

[[parts]]
id = "segunda"
title = "Segunda parte: tablas, citas y alfabetos"
select = { tags = ["segunda"] }
"""


class Prose:
    """Deterministic sentences from the word lists."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def words(self, count: int, alphabet: tuple[str, ...] | list[str] = SPANISH) -> str:
        return " ".join(self.random.choice(alphabet) for _ in range(count))

    def sentence(self, count: int = 10) -> str:
        text = self.words(count)
        return text[0].upper() + text[1:] + "."

    def paragraph(self, sentences: int = 3) -> str:
        return " ".join(self.sentence(self.random.randint(6, 14)) for _ in range(sentences))


def _front_matter(title: str, film: str, tags: str, original: str = "", extra: str = "") -> str:
    original_line = f'  original_title: "{original}"\n' if original else ""
    return (
        "---\n"
        f'title: "{title}"\n'
        "film:\n"
        f'  title: "{film}"\n'
        f"{original_line}"
        "  year: 1987\n"
        '  directors: ["Directora Generada", "Режиссёр Второй"]\n'
        '  country: "España"\n'
        "  runtime_min: 101\n"
        '  cast: ["Actriz Primera", "Ηθοποιός Δεύτερος", "Актёр Третий"]\n'
        'author: "Crítica Generada"\n'
        "date: 2026-01-20\n"
        f"tags: [{tags}]\n"
        f"{extra}"
        "---\n\n"
    )


def _notes_review(p: Prose) -> str:
    """Footnotes everywhere, lists at every depth, links of every kind, headings."""
    body = f"""\
[^a]: {p.sentence()} Con *énfasis* y un [enlace](https://example.org/nota).

    {p.paragraph(2)}

[^b]: {p.sentence()} {p.words(4, GREEK)}.

[^c]: {p.sentence()}

    - {p.words(5)}
    - {p.words(5)}

[^d]: {p.sentence()} {p.words(4, CYRILLIC)}.

[^e]: {p.sentence()}

[^f]: {p.sentence()}

[^g]: {p.sentence()}

[^h]: {p.sentence()}

[^i]: {p.sentence()}

[^j]: {p.sentence()}

[^k]: {p.sentence()}
"""
    text = f"""\
[^a]Una nota al principio del párrafo. {p.paragraph()}

{p.sentence()} Una llamada en medio[^b] y {p.words(12)}, otra más[^c] y {p.words(8)}. {p.paragraph(2)}

{p.paragraph()} Al final del párrafo[^d]

## Un encabezado con nota[^e] y *cursiva*

{p.paragraph(2)} Un [enlace en línea](https://example.org/a "con título") y otro de
[referencia][ref], y una dirección entre ángulos: <https://example.org/autoenlace>.

### Listas

- {p.words(6)}[^f] {p.words(4)}
- {p.words(7)} con [enlace](https://example.org/lista)
    - {p.words(5)} anidada[^g] {p.words(3)}
        - {p.words(6)} tercer nivel
    - {p.words(4)}
- {p.words(5)}

    {p.paragraph(1)}

1. {p.words(6)} primero
2. {p.words(6)} segundo[^h]
    1. {p.words(4)} dentro
3. {p.words(6)} tercero

#### Un encabezado con [enlace](https://example.org/h) y {p.words(2, GREEK)}

{p.paragraph(2)}[^i] {p.paragraph(1)}

Término de la definición[^j]
:   {p.words(10)} definida[^k] {p.words(5)}.

{p.paragraph(3)}

[ref]: https://example.org/referencia "Referencia"
"""
    return text + "\n" + body


def _tables_review(p: Prose) -> str:
    """Tables, quotes, images, definition lists and other alphabets."""
    return f"""\
> {p.sentence(8)}
> {p.sentence(6)}
> --- {p.words(2)}

{p.paragraph(2)} Palabras en griego: {p.words(8, GREEK)}; y en cirílico: {p.words(8, CYRILLIC)}.

| Columna | Otra columna | Tercera |
|---|---|---|
| {p.words(3)}[^t1] | *{p.words(2)}* | [{p.words(2)}](https://example.org/t) |
| {p.words(2, GREEK)} | {p.words(2, CYRILLIC)} | {p.words(4)} |

![Fotograma de prueba en tonos azules](images/azul.png "Un pie de foto con palabras propias.")

{p.paragraph(1)} Una imagen en línea ![icono rojo](images/rojo.png) entre palabras {p.words(5)}.

> {p.paragraph(1)}
>
> > {p.sentence(9)} anidada[^t2]
>
> - {p.words(5)} lista en cita
> - {p.words(5)} con ![icono](images/rojo.png) imagen

- {p.words(4)} ![icono](images/rojo.png) en una lista
- {p.words(6)}

{p.words(3).capitalize()}
:   {p.words(9)}
:   {p.words(7)} otra definición

{p.words(2, GREEK)}
:   {p.words(6, CYRILLIC)}

## Encabezado en cirílico: {p.words(3, CYRILLIC)}

{p.paragraph(2)} Un código `en línea` y una cita «{p.words(4)}».

    bloque de código con sangría
    {p.words(4)}

{p.paragraph(2)}

[^t1]: {p.sentence()} En una celda.

[^t2]: {p.sentence()} {p.words(3, GREEK)}.
"""


def _alphabets_review(p: Prose) -> str:
    return f"""\
{p.words(12, GREEK).capitalize()}. {p.words(12, CYRILLIC).capitalize()}.

{p.paragraph(4)}

{p.paragraph(4)}[^x] {p.paragraph(1)}

[^x]: {p.words(6, CYRILLIC)} {p.sentence()}
"""


def make_stress_book(root: Path, seed: int = 11) -> Path:
    """Write the stress book's project under `root`; return its anthology file."""
    p = Prose(seed)
    manuscripts = root / "manuscripts"
    reviews = manuscripts / "reviews"
    (reviews / "images").mkdir(parents=True, exist_ok=True)
    (manuscripts / "front").mkdir(exist_ok=True)
    Image.new("RGB", (240, 160), (40, 70, 160)).save(reviews / "images" / "azul.png")
    Image.new("RGB", (16, 16), (180, 30, 30)).save(reviews / "images" / "rojo.png")
    anthology = manuscripts / "anthology.toml"
    anthology.write_text(STRESS_TOML, encoding="utf-8")
    (manuscripts / "front" / "presentacion.md").write_text(
        '---\ntitle: "Presentación"\nauthor: "Editora Generada"\n---\n\n'
        f"{p.paragraph(3)}[^p] {p.paragraph(1)}\n\n- {p.words(5)}\n- {p.words(5)}\n\n"
        f"[^p]: {p.sentence()}\n",
        encoding="utf-8",
    )
    files = {
        "notas-y-listas.md": _front_matter("Notas y listas", "Película de las notas",
                                           "primera", "Ταινία των σημειώσεων") + _notes_review(p),
        "tablas-y-citas.md": _front_matter(
            "Tablas y citas", "Фильм таблиц", "segunda", extra=f'summary: "{p.sentence(12)}"\n'
        ) + _tables_review(p),
        "alfabetos.md": _front_matter("Alfabetos: μνήμη y память", "Θάλασσα", "segunda")
        + _alphabets_review(p),
    }  # fmt: skip
    for name, text in files.items():
        (reviews / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return anthology

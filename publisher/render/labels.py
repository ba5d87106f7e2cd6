"""Words the book prints around the content, by language."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Labels:
    contents: str
    part: str
    film_title: str
    original_title: str
    year: str
    directors: str
    cast: str
    country: str
    runtime: str
    minutes: str
    by: str
    rating: str
    edited_by: str
    filmography: str
    film_index: str
    director_index: str
    contributors: str
    colophon: str
    copyright: str
    front_matter: str
    body_matter: str
    back_matter: str
    review: str
    reviews: str
    print_isbn: str
    epub_isbn: str
    date: str
    months: tuple[str, ...]
    date_pattern: str  # str.format with day, month, year

    def format_date(self, value: dt.date) -> str:
        return self.date_pattern.format(
            day=value.day, month=self.months[value.month - 1], year=value.year
        )


SPANISH = Labels(
    contents="Índice",
    part="Parte",
    film_title="Título",
    original_title="Título original",
    year="Año",
    directors="Dirección",
    cast="Reparto",
    country="País",
    runtime="Duración",
    minutes="min",
    by="por",
    rating="Valoración",
    edited_by="Edición de",
    filmography="Filmografía",
    film_index="Índice de películas",
    director_index="Índice de directores",
    contributors="Colaboradores",
    colophon="Colofón",
    copyright="Créditos",
    front_matter="Preliminares",
    body_matter="Comienzo",
    back_matter="Apéndices",
    review="Reseña",
    reviews="reseñas",
    print_isbn="ISBN (edición impresa)",
    epub_isbn="ISBN (edición digital)",
    date="Fecha",
    months=(
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ),
    date_pattern="{day} de {month} de {year}",
)

ENGLISH = Labels(
    contents="Contents",
    part="Part",
    film_title="Title",
    original_title="Original title",
    year="Year",
    directors="Directed by",
    cast="Cast",
    country="Country",
    runtime="Running time",
    minutes="min",
    by="by",
    rating="Rating",
    edited_by="Edited by",
    filmography="Filmography",
    film_index="Index of films",
    director_index="Index of directors",
    contributors="Contributors",
    colophon="Colophon",
    copyright="Copyright",
    front_matter="Front matter",
    body_matter="Start",
    back_matter="Back matter",
    review="Review",
    reviews="reviews",
    print_isbn="ISBN (print)",
    epub_isbn="ISBN (ebook)",
    date="Date",
    months=(
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    date_pattern="{month} {day}, {year}",
)


def labels_for(lang: str) -> Labels:
    return SPANISH if lang.split("-")[0] in ("es", "ca", "gl", "eu") else ENGLISH

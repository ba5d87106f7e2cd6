from __future__ import annotations

import pytest

from publisher.base.diagnostics import BuildFailed
from publisher.pipeline import load

from .conftest import MINI_TOML, ProjectMaker, review


def test_parts_order_number_and_back_matter(make_project: ProjectMaker) -> None:
    anthology = make_project(
        {
            "b.md": review(title="B", film="La vaquilla", year=1985),
            "a.md": review(title="A", film="¡Ay, Carmela!", year=1990),
            "c.md": review(title="C", film="El viaje", year=1960, tags="[exilio]"),
            "d.md": review(title="D", film="Ana y los lobos", year=1973, tags="[exilio]"),
        },
        MINI_TOML,
    )
    book, diagnostics = load(anthology)
    assert diagnostics == ()
    # Part `guerra` orders by film year, `exilio` by title; numbering runs through the book.
    assert [(r.number, r.manuscript.title, r.part_id) for r in book.reviews] == [
        (1, "B", "guerra"),
        (2, "A", "guerra"),
        (3, "D", "exilio"),
        (4, "C", "exilio"),
    ]
    # Film index: leading articles don't count; `¡` doesn't either.
    assert [e.heading for e in book.back.film_index] == [
        "Ana y los lobos",
        "¡Ay, Carmela!",
        "La vaquilla",
        "El viaje",
    ]
    assert [e.film.year for e in book.back.filmography] == [1960, 1973, 1985, 1990]
    # No `author`: the editors stand in as the critic in the contributors list.
    assert [(c.name, c.heading) for c in book.back.contributors] == [
        ("Ana Editora", "Editora, Ana")
    ]


def test_directors_sort_by_first_surname(make_project: ProjectMaker) -> None:
    def with_director(name: str, film: str) -> str:
        return review(film=film).replace('["Directora Uno"]', f'["{name}"]')

    anthology = make_project(
        {
            "a.md": with_director("Luis García Berlanga", "A"),
            "b.md": with_director("José Luis Cuerda", "B"),
            "c.md": with_director("Víctor Erice", "C"),
            "d.md": with_director("Miguel Ángel Vivas", "D"),
        }
    )
    book, _ = load(anthology)
    assert [e.heading for e in book.back.director_index] == [
        "Cuerda, José Luis",
        "Erice, Víctor",
        "García Berlanga, Luis",
        "Vivas, Miguel Ángel",
    ]


def test_subset_book_leaves_out_what_it_does_not_select(make_project: ProjectMaker) -> None:
    toml = MINI_TOML.replace("front = []", "front = []\ninclude_all = false")
    anthology = make_project({"a.md": review(), "b.md": review(film="B", tags="[otra]")})
    anthology.write_text(toml, encoding="utf-8")
    book, _ = load(anthology)
    assert [r.slug for r in book.reviews] == ["a"]


def test_a_select_slug_naming_no_review_is_an_error_at_its_entry(
    make_project: ProjectMaker,
) -> None:
    toml = MINI_TOML.replace(
        'select = { tags = ["exilio"] }',
        'select = { tags = ["exilio"], slugs = [\n  "la-vaquilla",\n  "la-vaquila",\n  "otra",\n] }',
    )
    anthology = make_project(
        {"la-vaquilla.md": review(film="La vaquilla", tags="[exilio]")}, toml=toml
    )
    with pytest.raises(BuildFailed) as failed:
        load(anthology)
    assert [d.format() for d in failed.value.diagnostics] == [
        "manuscripts/anthology.toml:21:3: error: select-slug-missing: part `exilio` selects"
        " `la-vaquila`, which is no review in `manuscripts/reviews` (did you mean `la-vaquilla`?)",
        "manuscripts/anthology.toml:22:3: error: select-slug-missing: part `exilio` selects"
        " `otra`, which is no review in `manuscripts/reviews`",
    ]


def test_a_select_slug_naming_a_review_that_failed_to_load_is_not_called_missing(
    make_project: ProjectMaker,
) -> None:
    toml = MINI_TOML.replace('select = { tags = ["exilio"] }', 'select = { slugs = ["rota"] }')
    anthology = make_project({"a.md": review(), "rota.md": "sin front matter\n"}, toml=toml)
    with pytest.raises(BuildFailed) as failed:
        load(anthology)
    assert [d.code for d in failed.value.diagnostics] == ["front-matter-missing"]

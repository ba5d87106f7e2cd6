"""Bad manuscripts: every problem in every file, one `path:line:col: severity: code: message` each."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.base.diagnostics import BuildFailed
from publisher.base.project import today
from publisher.pipeline import load

from .conftest import MINI_TOML, ProjectMaker, review


def messages(anthology: Path) -> list[str]:
    with pytest.raises(BuildFailed) as failure:
        load(anthology)
    ordered = sorted(failure.value.diagnostics, key=lambda d: (d.path, d.line, d.col))
    return [d.format() for d in ordered]


def test_missing_year_points_at_the_film_key(make_project: ProjectMaker) -> None:
    text = review().replace("  year: 1990\n", "")
    anthology = make_project({"sin-ano.md": text})
    assert messages(anthology) == [
        "manuscripts/reviews/sin-ano.md:3: error: front-matter-missing-key: "
        "missing required key `film.year`"
    ]


def test_every_problem_in_every_file_is_reported_at_once(make_project: ProjectMaker) -> None:
    anthology = make_project(
        {
            "a.md": review(year=1850, extra="director: x\n").replace(
                "  country", "  pais: x\n  country"
            ),
            "b.md": review(film="B", extra="rating: 9\n", body="Mira ![](foto.png) aquí."),
            "c.md": review(film="C", tags="[ninguna]"),
            "d.md": review(film="D", extra="section: exili\n"),
        },
        MINI_TOML,
    )
    assert messages(anthology) == [
        "manuscripts/reviews/a.md:5:3: error: film-year-range: `film.year` 1850 is outside"
        f" 1895..{today().year + 1}",
        "manuscripts/reviews/a.md:7:3: error: front-matter-unknown-key: unknown key `film.pais`",
        "manuscripts/reviews/a.md:12:1: error: front-matter-unknown-key: unknown key `director`"
        " (did you mean `film.directors`?)",
        "manuscripts/reviews/b.md:11:1: error: front-matter-value: `rating` must be a number from 0 to 5",
        "manuscripts/reviews/b.md:14:6: error: image-missing: image `foto.png` not found",
        "manuscripts/reviews/b.md:14:6: error: image-missing-alt: image has no alt text:"
        " write ![description](…)",
        "manuscripts/reviews/c.md:1: error: unselected: no part of `manuscripts/anthology.toml`"
        " selects this review (tags: ninguna)",
        "manuscripts/reviews/d.md:11: error: unknown-section: section `exili` is not a part of"
        " `manuscripts/anthology.toml` (did you mean `exilio`?)",
    ]


def test_yaml_syntax_error_names_its_line(make_project: ProjectMaker) -> None:
    text = review().replace('title: "Una reseña"', 'title: "Una reseña')
    anthology = make_project({"roto.md": text})
    [message] = messages(anthology)
    assert message.startswith("manuscripts/reviews/roto.md:")
    assert "front-matter-syntax" in message


def test_wrong_types_are_named(make_project: ProjectMaker) -> None:
    text = review(year='"mil novecientos"').replace(
        '  directors: ["Directora Uno"]', '  directors: "Directora Uno"'
    )
    anthology = make_project({"tipos.md": text})
    assert messages(anthology) == [
        "manuscripts/reviews/tipos.md:5:3: error: front-matter-type: `film.year` must be a whole number",
        "manuscripts/reviews/tipos.md:6:3: error: front-matter-type: `film.directors` must be a list"
        ' of names, e.g. ["…", "…"]',
    ]


def test_duplicate_slug(make_project: ProjectMaker) -> None:
    anthology = make_project({"La Tregua.md": review(), "la-tregua.md": review(film="Otra")})
    assert any("duplicate-slug" in m for m in messages(anthology))


def test_review_selected_by_two_parts(make_project: ProjectMaker) -> None:
    anthology = make_project({"doble.md": review(tags="[guerra, exilio]")}, MINI_TOML)
    assert messages(anthology) == [
        "manuscripts/reviews/doble.md:1: error: selected-twice: selected by several parts"
        " (`guerra`, `exilio`); set `section` or narrow the rules"
    ]


def test_section_resolves_a_double_selection(make_project: ProjectMaker) -> None:
    anthology = make_project(
        {"doble.md": review(tags="[guerra, exilio]", extra="section: exilio\n")}, MINI_TOML
    )
    book, _ = load(anthology)
    assert [part.id for part in book.parts] == ["exilio"]


def test_invalid_isbn_check_digit(make_project: ProjectMaker) -> None:
    toml = MINI_TOML.replace(
        "front = []", 'front = []\n\n[identifiers]\nisbn_epub = "978-84-00-00000-1"'
    )
    anthology = make_project({"a.md": review()}, toml=toml)
    [message] = messages(anthology)
    assert message == (
        "manuscripts/anthology.toml:12:1: error: isbn-invalid: `isbn_epub` 978-84-00-00000-1"
        " is not a valid ISBN-13 (check digit)"
    )


def test_unknown_anthology_key_with_suggestion(make_project: ProjectMaker) -> None:
    toml = "titel = 'x'\n" + MINI_TOML_NO_TITLE
    anthology = make_project({"a.md": review()}, toml=toml)
    assert (
        "manuscripts/anthology.toml:1:1: error: anthology-unknown-key: unknown key `titel`"
        " (did you mean `title`?)"
    ) in messages(anthology)


def test_invalid_utf8_is_reported_not_raised(make_project: ProjectMaker) -> None:
    anthology = make_project({"a.md": review()})
    (anthology.parent / "reviews" / "b.md").write_bytes(b'---\ntitle: "caf\xe9"\n---\n')
    assert messages(anthology) == [
        "manuscripts/reviews/b.md:2: error: encoding: file is not valid UTF-8 text"
    ]


MINI_TOML_NO_TITLE = "\n".join(
    line for line in MINI_TOML.splitlines() if not line.startswith("title")
)

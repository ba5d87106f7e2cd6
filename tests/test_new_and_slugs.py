"""Names: slugs for every script, the `slug` key, and `publisher new` (checked arguments,
unique file names, placement by the parts' rules, `--part` by id or title, the placeholder)."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.base.diagnostics import BuildFailed, Severity
from publisher.base.project import today
from publisher.base.text import slugify
from publisher.pipeline import load

from .conftest import DEFAULT_ANTHOLOGY, MINI_TOML, ProjectMaker, review
from .test_cli import run

ES = "Escriba aquí la reseña."


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Иди и смотри", "idi-i-smotri"),  # Russian
        ("火垂るの墓", "huo-chui-runomu"),  # Japanese: Unidecode reads the kanji as Mandarin
        ("Ο Θίασος", "o-thiasos"),  # Greek
        ("ואלס עם באשיר", "vals-m-bashyr"),  # Hebrew, unvocalised as it is written
        ("عمر المختار", "mr-lmkhtr"),  # Arabic, unvocalised
        ("¡Ay, Carmela!", "ay-carmela"),
        ("Ispansi (¡Españoles!)", "ispansi-espanoles"),
        ("Las bicicletas son para el verano", "las-bicicletas-son-para-el-verano"),
        ("L'Espoir", "l-espoir"),
        ("🎬", "x"),  # nothing to transliterate: the fallback
    ],
)
def test_slugs_for_every_script(text: str, slug: str) -> None:
    assert slugify(text) == slug


def _slugs(anthology: Path) -> list[str]:
    book, _ = load(anthology)
    return sorted(review.manuscript.slug for review in book.reviews)


def _messages(anthology: Path) -> list[str]:
    with pytest.raises(BuildFailed) as failure:
        load(anthology)
    return [d.format() for d in sorted(failure.value.diagnostics)]


def test_a_cyrillic_file_name_gives_a_transliterated_slug(make_project: ProjectMaker) -> None:
    anthology = make_project({"Иди и смотри.md": review(film="Иди и смотри")})
    assert _slugs(anthology) == ["idi-i-smotri"]


def test_the_slug_key_overrides_the_file_name(make_project: ProjectMaker) -> None:
    toml = MINI_TOML.replace(
        'select = { tags = ["exilio"] }', 'select = { slugs = ["ven-y-mira"] }'
    )
    text = review(film="Иди и смотри", tags="[]", extra="slug: ven-y-mira\n")
    anthology = make_project({"a.md": review(), "borrador.md": text}, toml)
    book, _ = load(anthology)
    placed = {r.manuscript.slug: r.part_id for r in book.reviews}
    assert placed == {"a": "guerra", "ven-y-mira": "exilio"}  # `select.slugs` sees it too


def test_an_invalid_slug_key_is_an_error_with_a_suggestion(make_project: ProjectMaker) -> None:
    long = "a" * 121
    anthology = make_project(
        {
            "a.md": review(extra="slug: Ven y Mira\n"),
            "b.md": review(film="B", extra=f"slug: {long}\n"),
            "c.md": review(film="C", extra="slug: «»\n"),
        }
    )
    assert _messages(anthology) == [
        "manuscripts/reviews/a.md:11:1: error: slug-invalid: `slug` may hold only lowercase"
        " ASCII letters, digits and single hyphens, not `Ven y Mira` (did you mean `ven-y-mira`?)",
        "manuscripts/reviews/b.md:11:1: error: slug-too-long: `slug` is 121 characters; output"
        " file names need it at most 120",
        "manuscripts/reviews/c.md:11:1: error: slug-invalid: `slug` may hold only lowercase"
        " ASCII letters, digits and single hyphens, not `«»`",
    ]


def test_slug_collisions_name_both_files(make_project: ProjectMaker) -> None:
    anthology = make_project(
        {
            "a.md": review(film="A"),
            "b.md": review(film="B", extra="slug: a\n"),
            "Idi i smotri.md": review(film="C"),
            "Иди и смотри.md": review(film="D"),
        }
    )
    assert _messages(anthology) == [
        "manuscripts/reviews/b.md:11:1: error: duplicate-slug: slug `a` is already used by"
        " `manuscripts/reviews/a.md`",
        "manuscripts/reviews/Иди и смотри.md:1: error: duplicate-slug: slug `idi-i-smotri` is"
        " already used by `manuscripts/reviews/Idi i smotri.md`",
    ]


def _default_book(make_project: ProjectMaker) -> Path:
    """A project with the default anthology file (its five parts) and one review."""
    toml = DEFAULT_ANTHOLOGY.read_text(encoding="utf-8").replace(
        'front = ["prologo", "nota-editorial"]', "front = []"
    )
    others = {  # one review in every other part: no part is left empty (`part-empty`)
        f"{tag}.md": review(film=f"Película {tag}", tags=f"[{tag}]")
        for tag in ("retaguardia", "posguerra", "exilio", "memoria")
    }
    made = {"la-vaquilla.md": review(film="La vaquilla", tags="[frente]"), **others}
    anthology = make_project(made, toml)
    return anthology.parent.parent


def _new(root: Path, *args: str) -> tuple[int, str, str]:
    made = run("new", "Un infierno en Bielorrusia", "--film", "Иди и смотри", *args, cwd=root)
    return made.returncode, made.stdout, made.stderr


FILM = ("--year", "1985", "--director", "Elem Klímov")


def test_new_makes_a_unique_name_for_a_second_review_of_a_film(
    make_project: ProjectMaker,
) -> None:
    root = _default_book(make_project)
    reviews = root / "manuscripts" / "reviews"
    assert _new(root, *FILM, "--part", "frente")[0] == 0
    first = (reviews / "idi-i-smotri.md").read_text(encoding="utf-8")
    code, out, err = _new(root, *FILM, "--part", "frente", "--country", "URSS")
    assert (code, err) == (0, "")
    assert out == (
        "wrote manuscripts/reviews/idi-i-smotri-2.md: in part frente (El frente),"
        " by its tag `frente`\n"
    )
    assert (reviews / "idi-i-smotri.md").read_text(encoding="utf-8") == first  # untouched
    assert "country" not in first and "country: URSS" in (reviews / "idi-i-smotri-2.md").read_text(
        encoding="utf-8"
    )


def test_new_avoids_a_slug_another_file_sets(make_project: ProjectMaker) -> None:
    root = _default_book(make_project)
    reviews = root / "manuscripts" / "reviews"
    (reviews / "otra.md").write_text(
        review(film="Otra", tags="[frente]", extra="slug: idi-i-smotri\n"), encoding="utf-8"
    )
    code, out, _ = _new(root, *FILM, "--part", "frente")
    assert code == 0 and out.startswith("wrote manuscripts/reviews/idi-i-smotri-2.md:")
    assert run("check", cwd=root).returncode == 0


def test_new_refuses_a_bad_year_before_writing(make_project: ProjectMaker) -> None:
    root = _default_book(make_project)
    reviews = root / "manuscripts" / "reviews"
    before = sorted(p.name for p in reviews.iterdir())
    code, out, err = _new(
        root, "--year", "1857", "--director", "Elem Klímov", "--director", " ", "--runtime", "0"
    )
    assert (code, out) == (2, "")  # a bad argument: a usage error
    assert err == (
        "publisher: error: --director: `film.directors` must be a list of names, e.g. "
        '["…", "…"]\n'
        f"publisher: error: --year: `film.year` 1857 is outside 1895..{today().year + 1}\n"
        "publisher: error: --runtime: `film.runtime_min` must be 1..1500\n"
        "publisher: nothing was written\n"
    )
    assert sorted(p.name for p in reviews.iterdir()) == before


@pytest.mark.parametrize("part", ["La retaguardia", "retaguardia", "LA RETAGUARDIA", "Retaguardía"])
def test_new_takes_a_part_by_title_or_id(make_project: ProjectMaker, part: str) -> None:
    root = _default_book(make_project)
    code, out, err = _new(root, *FILM, "--part", part)
    assert (code, err) == (0, "")
    assert out == (
        "wrote manuscripts/reviews/idi-i-smotri.md: in part retaguardia (La retaguardia),"
        " by its tag `retaguardia`\n"
    )
    listing = run("list", cwd=root).stdout.splitlines()
    rows = [line.split("  ") for line in listing if "Иди и смотри" in line]
    assert len(rows) == 1 and "La retaguardia" in rows[0]
    text = (root / "manuscripts" / "reviews" / "idi-i-smotri.md").read_text(encoding="utf-8")
    assert "tags: [retaguardia]" in text and "section" not in text


def test_new_names_the_parts_for_an_unknown_one(make_project: ProjectMaker) -> None:
    root = _default_book(make_project)
    code, _, err = _new(root, *FILM, "--part", "Retaguarda")
    assert code == 2
    assert err == (
        "publisher: error: unknown part `Retaguarda` (did you mean `retaguardia`?); the parts"
        " are: frente (El frente), retaguardia (La retaguardia), posguerra (Posguerra y"
        " maquis), exilio (Exilio y División Azul), memoria (La memoria)\n"
        "publisher: nothing was written\n"
    )
    assert not (root / "manuscripts" / "reviews" / "idi-i-smotri.md").exists()


YEARS_TOML = MINI_TOML.replace(
    'select = { tags = ["guerra"] }', "select = { years = [1895, 1945] }"
).replace('select = { tags = ["exilio"] }', "select = { years = [1946, 2030] }")


def test_new_lets_a_part_that_selects_by_year_place_the_review(
    make_project: ProjectMaker,
) -> None:
    anthology = make_project({"a.md": review(tags="[]")}, YEARS_TOML)
    root = anthology.parent.parent
    code, out, err = _new(root, *FILM)  # no --part: the year says where
    assert (code, err) == (0, "")
    assert out == (
        "wrote manuscripts/reviews/idi-i-smotri.md: in part exilio (El exilio), by its year\n"
    )
    text = (root / "manuscripts" / "reviews" / "idi-i-smotri.md").read_text(encoding="utf-8")
    assert "tags" not in text and "section" not in text
    code, _, err = _new(root, *FILM, "--part", "La guerra")
    assert code == 2
    assert err == (
        "publisher: error: part `guerra` (La guerra) takes films of 1895..1945; --year 1985 is"
        " outside\npublisher: nothing was written\n"
    )


def test_a_fresh_skeleton_gives_exactly_the_placeholder_warning(
    make_project: ProjectMaker,
) -> None:
    root = _default_book(make_project)
    assert _new(root, *FILM, "--part", "memoria")[0] == 0
    checked = run("check", cwd=root)
    assert checked.returncode == 0
    assert checked.stderr == (
        "manuscripts/reviews/idi-i-smotri.md:11:1: warning: placeholder-text: `Escriba aquí la"
        " reseña.` is the placeholder `publisher new` wrote: the text is not written yet\n"
        "publisher: 1 warning\n"
    )
    skeleton = root / "manuscripts" / "reviews" / "idi-i-smotri.md"
    written = skeleton.read_text(encoding="utf-8").replace(
        ES, "Klímov filma la aldea bielorrusa quemada con los ojos de un niño."
    )
    skeleton.write_text(written, encoding="utf-8")
    checked = run("check", cwd=root)
    assert (checked.returncode, checked.stderr) == (0, "")


def test_the_placeholder_is_found_in_any_language_and_not_in_code(
    make_project: ProjectMaker,
) -> None:
    body = "Texto escrito.\n\n`Write the review here.`\n\nY luego: Write the review here."
    anthology = make_project({"a.md": review(body=body)})
    _, found = load(anthology)
    assert [(d.severity, d.line, d.col, d.code) for d in found if d.code != "part-empty"] == [
        (Severity.WARNING, 17, 10, "placeholder-text")
    ]


def test_a_film_without_country_has_no_country_row(make_project: ProjectMaker) -> None:
    without = review(film="Иди и смотри").replace('  country: "España"\n', "")
    anthology = make_project({"a.md": without, "b.md": review(film="B")})
    root = anthology.parent.parent
    built = run("build", "--format", "html", "--out", "salida", cwd=root)
    assert built.returncode == 0, built.stderr
    html = (root / "salida" / "antologia-de-prueba.html").read_text(encoding="utf-8")
    cards = [html[html.index(f'id="{slug}"') :].split("</dl>")[0] for slug in ("a", "b")]
    assert ["<dt>País</dt>" in card for card in cards] == [False, True]

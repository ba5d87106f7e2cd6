"""Messages (issue 14): every problem of a file at once, at its line and column, in plain words,
with a "did you mean" wherever a closest valid value exists, and a final count.

Anthology-file problems are placed by `load/toml_positions.py`, TOML syntax errors worded by
`load/toml_errors.py`, manuscripts recovered block by block by `load/frontmatter.py`.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import pytest

from publisher.base.diagnostics import BuildFailed, Diagnostic, error, warning
from publisher.base.languages import parse_lang
from publisher.base.project import today
from publisher.cli import main
from publisher.cli.common import count_line
from publisher.load.toml_positions import toml_positions
from publisher.pipeline import load, read_spec

from .conftest import MINI_TOML, ProjectMaker, review

ANTHOLOGY = "manuscripts/anthology.toml"


def messages(anthology: Path) -> list[str]:
    with pytest.raises(BuildFailed) as failure:
        load(anthology)
    return [d.format() for d in sorted(failure.value.diagnostics)]


def check(anthology: Path) -> tuple[int, str]:
    """`publisher check` in this process, run from the project root: (exit code, stderr)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()) as out:
        code = main(["check", str(anthology)])
    assert "Traceback" not in err.getvalue()
    return code, err.getvalue() + out.getvalue()


@pytest.fixture
def in_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -- anthology file: positions -----------------------------------------------------------------


def test_part_table_typo_is_reported_at_its_header(make_project: ProjectMaker) -> None:
    toml = MINI_TOML.replace('[[parts]]\nid = "exilio"', '[[part]]\nid = "exilio"')
    anthology = make_project({"a.md": review()}, toml=toml)
    assert messages(anthology) == [
        f"{ANTHOLOGY}:16:3: error: anthology-unknown-key: unknown table `part`"
        " (did you mean `parts`?)"
    ]


def test_unknown_keys_at_every_depth(make_project: ProjectMaker) -> None:
    toml = (
        MINI_TOML.replace("front = []", 'front = []\nthem = "clasico"')
        .replace('id = "guerra"', 'id = "guerra"\n  titel = "x"')
        .replace('select = { tags = ["exilio"] }', 'select = { tags = ["exilio"], yaers = [1, 2] }')
        + '\n[print]\ntrim = "148x210mm"\npdf_varient = "pdf/x-4"\n'
        + '\n[identifiers]\nisbn = "978"\n'
        + "\n[limits]\nmax_nesting_dept = 3\n"
    )
    anthology = make_project({"a.md": review()}, toml=toml)
    assert messages(anthology) == [
        f"{ANTHOLOGY}:10:1: error: anthology-unknown-key: unknown key `them`"
        " (did you mean `theme`?)",
        f"{ANTHOLOGY}:14:3: error: anthology-unknown-key: unknown key `parts.titel`"
        " (did you mean `title`?)",
        f"{ANTHOLOGY}:21:31: error: anthology-unknown-key: unknown selector `yaers`"
        " (did you mean `years`?)",
        f"{ANTHOLOGY}:26:1: error: anthology-unknown-key: unknown key `print.pdf_varient`"
        " (did you mean `pdf_variant`?)",
        f"{ANTHOLOGY}:29:1: error: anthology-unknown-key: unknown key `identifiers.isbn`"
        " (did you mean `isbn_epub`?)",
        f"{ANTHOLOGY}:32:1: error: anthology-unknown-key: unknown key `limits.max_nesting_dept`"
        " (did you mean `max_nesting_depth`?)",
    ]


def test_wrong_types_and_values_at_their_key(make_project: ProjectMaker) -> None:
    toml = (
        MINI_TOML.replace("date = 2026-01-15", 'date = "2026-01-15"')
        .replace('editors = ["Ana Editora"]', 'editors = "Ana Editora"')
        .replace('order = "title"', 'order = "titel"')
        .replace("front = []", "front = []\ninclude_all = 1")
        .replace('lang = "es"', 'lang = "English"')
    )
    anthology = make_project({"a.md": review()}, toml=toml)
    assert messages(anthology) == [
        f"{ANTHOLOGY}:2:1: error: anthology-type: `editors` must be a list of text",
        f"{ANTHOLOGY}:4:1: error: anthology-value: `lang` must be a language tag (BCP 47) such as `en`, `es` or `pt-BR`"
        " (did you mean `en`?)",
        f"{ANTHOLOGY}:5:1: error: anthology-type: `date` must be a TOML date like 2026-11-20"
        " without quotes: date = 2026-01-15",
        f"{ANTHOLOGY}:10:1: error: anthology-type: `include_all` must be true or false",
        f"{ANTHOLOGY}:21:1: error: anthology-value: `order` must be year, title or explicit,"
        " not `titel` (did you mean `title`?)",
    ]


def test_front_missing_is_reported_at_its_entry(make_project: ProjectMaker) -> None:
    toml = MINI_TOML.replace("front = []", 'front = [\n  "prologo",\n  "prolgo",\n  "nota",\n]')
    front = {"prologo.md": '---\ntitle: "Prólogo"\n---\n\nUnas palabras.\n'}
    anthology = make_project({"a.md": review()}, toml=toml, front=front)
    assert messages(anthology) == [
        f"{ANTHOLOGY}:11:3: error: front-missing: front matter piece `prolgo` not found in"
        " `manuscripts/front` (did you mean `prologo`?)",
        f"{ANTHOLOGY}:12:3: error: front-missing: front matter piece `nota` not found in"
        " `manuscripts/front` (it has: prologo)",
    ]


def test_missing_required_keys_are_named_all_at_once(make_project: ProjectMaker) -> None:
    toml = "\n".join(
        line
        for line in MINI_TOML.splitlines()
        if not line.startswith(("date", "publisher", "description"))
    )
    anthology = make_project({"a.md": review()}, toml=toml)
    assert messages(anthology) == [
        f"{ANTHOLOGY}:1: error: anthology-missing-key: missing required key `date`"
        " (a date like 2026-11-20)",
        f"{ANTHOLOGY}:1: error: anthology-missing-key: missing required key `publisher`"
        ' (text: publisher = "…")',
        f"{ANTHOLOGY}:1: error: anthology-missing-key: missing required key `description`"
        " (text: a sentence or two about the book)",
    ]


def test_missing_part_title_is_reported_at_the_part(make_project: ProjectMaker) -> None:
    toml = MINI_TOML.replace('title = "El exilio"\n', "")
    anthology = make_project({"a.md": review()}, toml=toml)
    assert messages(anthology) == [
        f"{ANTHOLOGY}:16:3: error: anthology-missing-key: missing required key `title`"
        ' (text: title = "…")'
    ]


# -- anthology file: TOML syntax ---------------------------------------------------------------

SYNTAX = [
    (
        'title = "Antología de prueba"',
        'title = "Antología de prueba',
        "1:9: error: toml-syntax: unterminated string: close the quote on the same line",
    ),
    (
        'rights = "© 2026"',
        'rights = "© 2026"\ntitle = "Otra"',
        "7:1: error: toml-syntax: `title` is set twice (first at line 1)",
    ),
    (
        "2026-01-15",
        "2026-13-45",
        "5:8: error: toml-syntax: `2026-13-45` is not a date: there is no month 13",
    ),
    (
        "2026-01-15",
        "2026-11-31",
        "5:8: error: toml-syntax: `2026-11-31` is not a date: that month has 30 days",
    ),
    (
        "2026-01-15",
        "2026-1-15",
        "5:8: error: toml-syntax: `2026-1-15` is not a date: write YYYY-MM-DD, e.g. 2026-11-20",
    ),
    (
        '[[parts]]\nid = "exilio"',
        '[[parts]\nid = "exilio"',
        "16:8: error: toml-syntax: the table header is not closed: end it with `]]`",
    ),
    (
        'lang = "es"',
        "lang = English",
        '4:8: error: toml-syntax: text must be in quotes: write "English"',
    ),
    (
        'subjects = ["Cine"]',
        'subjects = ["Cine",\n  "Guerra"\n',
        "8:12: error: toml-syntax: this list is never closed: end it with `]`",
    ),
    (
        '[[parts]]\nid = "exilio"',
        '[[parts]]\nid = "exilio"\n[parts]',
        "18:2: error: toml-syntax: `parts` is set twice (first at line 11)",
    ),
    (
        'select = { tags = ["guerra"] }',
        'select = { tags = ["guerra"], }',
        "14:31: error: toml-syntax: a `{…}` table cannot end with a comma: remove it",
    ),
]


@pytest.mark.parametrize(("good", "bad", "expected"), SYNTAX)
def test_toml_syntax_errors_in_plain_words(
    make_project: ProjectMaker, good: str, bad: str, expected: str
) -> None:
    assert good in MINI_TOML
    anthology = make_project({"a.md": review()}, toml=MINI_TOML.replace(good, bad, 1))
    assert messages(anthology) == [f"{ANTHOLOGY}:{expected}"]


def test_other_toml_errors_keep_the_parsers_words(make_project: ProjectMaker) -> None:
    toml = MINI_TOML.replace('lang = "es"', 'lang = "\\uZZZZ"')
    anthology = make_project({"a.md": review()}, toml=toml)
    assert messages(anthology) == [f"{ANTHOLOGY}:4:11: error: toml-syntax: invalid hex value"]


# -- the reviews folder ------------------------------------------------------------------------


def test_missing_reviews_folder_is_an_error_naming_it(
    make_project: ProjectMaker, in_project: Path
) -> None:
    anthology = make_project({"a.md": review()})
    shutil.rmtree(anthology.parent / "reviews")
    code, said = check(anthology.relative_to(in_project))
    assert code == 1
    assert said == (
        "manuscripts/reviews: error: reviews-missing: the reviews folder"
        " `manuscripts/reviews` does not exist\npublisher: 1 error\n"
    )


def test_empty_reviews_folder_of_a_stub_is_a_warning_not_ok(
    make_project: ProjectMaker, in_project: Path
) -> None:
    anthology = make_project({}, toml='reviews = "reviews"\nstub = true\n' + MINI_TOML)
    code, said = check(anthology.relative_to(in_project))
    assert code == 0
    assert said == (
        f"{ANTHOLOGY}:1:1: warning: no-reviews: the book has no reviews yet (`stub = true`;"
        " add manuscripts to `manuscripts/reviews`)\npublisher: 1 warning\n"
        f"{ANTHOLOGY}: 0 reviews in 0 parts\n"
    )


def test_empty_reviews_folder_is_an_error_at_the_reviews_key(make_project: ProjectMaker) -> None:
    toml = MINI_TOML.replace("front = []", 'front = []\nreviews = "reviews"')
    anthology = make_project({}, toml=toml)
    assert messages(anthology) == [
        f"{ANTHOLOGY}:10:1: error: no-reviews: the book would have no reviews: the reviews"
        " folder `manuscripts/reviews` holds no manuscript (a book without reviews must say `stub = true`)"
    ]


# -- manuscripts -------------------------------------------------------------------------------

BROKEN = """\
---
title: "Una reseña
film:
  title: "Una película"
  year: '1973'
  directors: ["Directora Uno"]
  country: "España"
date: 25/12/2025
lang: English
rating: 4,5
tags: [guerra]
---

# Título

Texto ![](foto.png).
"""


def test_a_yaml_error_does_not_hide_the_rest_of_the_file(make_project: ProjectMaker) -> None:
    anthology = make_project({"a.md": BROKEN})
    path = "manuscripts/reviews/a.md"
    assert messages(anthology) == [
        f"{path}:2:8: error: front-matter-syntax: the quote opened here is never closed",
        f"{path}:5:3: error: front-matter-type: `film.year` must be a whole number"
        " (did you mean `1973`, without quotes?)",
        f"{path}:8:1: error: front-matter-type: `date` must be an ISO date (YYYY-MM-DD)"
        " (did you mean `2025-12-25`?)",
        f"{path}:9:1: error: front-matter-value: `lang` must be a language tag (BCP 47) such as `en`, `es` or `pt-BR`"
        " (did you mean `en`?)",
        f"{path}:10:1: error: front-matter-value: `rating` must be a number from 0 to 5"
        " (did you mean `4.5`?)",
        f"{path}:14: error: markdown-heading-level: use `##` for headings; `#` is the review title",
        f"{path}:16:7: error: image-missing: image `foto.png` not found",
        f"{path}:16:7: error: image-missing-alt: image has no alt text: write ![description](…)",
    ]


def test_a_misaligned_key_is_reported_and_still_read(make_project: ProjectMaker) -> None:
    text = review(year=1850).replace('  directors: ["Directora Uno"]', ' directors: "Directora"')
    text = text.replace("tags: [guerra]", "tags: [guerra]\nlang: es_ES\ntags: [exilio]")
    anthology = make_project({"a.md": text})
    path = "manuscripts/reviews/a.md"
    assert messages(anthology) == [
        f"{path}:5:3: error: film-year-range: `film.year` 1850 is outside 1895..{today().year + 1}",
        f"{path}:6:2: error: front-matter-syntax: this line does not line up with the keys"
        " above it (indentation)",
        f"{path}:6:2: error: front-matter-type: `film.directors` must be a list of names,"
        ' e.g. ["…", "…"]',
        f"{path}:11:1: error: front-matter-value: `lang` must be a language tag (BCP 47) such as `en`, `es` or `pt-BR`"
        " (did you mean `es-ES`?)",
        f"{path}:12:1: error: front-matter-syntax: key `tags` appears twice (first at line 10)",
    ]


def test_the_film_year_bound_follows_the_anthologys_date_under_an_old_epoch(
    make_project: ProjectMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SOURCE_DATE_EPOCH=0 (1970) must not make a recent film an error: the bound is the
    year after the later of the build's day and the anthology's date."""
    anthology = make_project({"a.md": review(year=2001), "b.md": review(year=1850)})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    bound = read_spec(anthology).date.year + 1
    assert messages(anthology) == [
        f"manuscripts/reviews/b.md:5:3: error: film-year-range: `film.year` 1850 is outside"
        f" 1895..{bound}",
    ]


def test_a_broken_line_inside_film_costs_only_that_key(make_project: ProjectMaker) -> None:
    text = review(year=1850).replace('  title: "Una película"', '  title: "Una película')
    anthology = make_project({"a.md": text})
    path = "manuscripts/reviews/a.md"
    assert messages(anthology) == [
        f"{path}:4:10: error: front-matter-syntax: the quote opened here is never closed",
        f"{path}:5:3: error: film-year-range: `film.year` 1850 is outside 1895..{today().year + 1}",
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "title: Foo: bar",
            '2:11: a second `: ` in this line: put the value in quotes, e.g. "Foo: bar"',
        ),
        ("tags: [guerra, exilio", "10:7: this list is never closed: end it with `]`"),
        ("summary: @autor", "11:10: a value cannot start with `@`: put the value in quotes"),
    ],
)
def test_yaml_syntax_errors_in_plain_words(
    make_project: ProjectMaker, line: str, expected: str
) -> None:
    text = review(extra="summary: x\n")
    key = line.split(":")[0]
    text = "\n".join(line if old.startswith(f"{key}:") else old for old in text.split("\n"))
    anthology = make_project({"a.md": text})
    [found] = messages(anthology)
    where, message = expected.split(" ", 1)
    assert found == f"manuscripts/reviews/a.md:{where} error: front-matter-syntax: {message}"


# -- the final count ---------------------------------------------------------------------------


def test_count_line_counts_errors_and_warnings() -> None:
    one_error = error("a.md", 1, "x", "x")
    one_warning = warning("a.md", 1, "y", "y")
    cases: list[tuple[list[Diagnostic], str | None]] = [
        ([one_error, one_error, one_warning], "publisher: 2 errors, 1 warning"),
        ([one_error], "publisher: 1 error"),
        ([one_warning] * 3, "publisher: 3 warnings"),
        ([], None),
    ]
    for diagnostics, expected in cases:
        assert count_line(diagnostics) == expected


def test_check_ends_with_the_count(make_project: ProjectMaker, in_project: Path) -> None:
    anthology = make_project(
        {
            "a.md": review(extra="rating: 9\n"),
            "b.md": review(film="B", extra="lang: xx\n"),
            "c.md": review(film="C", body="Texto\x07 con un control."),
        }
    )
    code, said = check(anthology.relative_to(in_project))
    assert code == 1
    assert said.splitlines()[-1] == "publisher: 2 errors, 1 warning"


# -- the pieces --------------------------------------------------------------------------------


def test_parse_lang_suggests_the_closest_tag() -> None:
    assert parse_lang("es").tag == "es"
    assert parse_lang("en-x-editor").tag == "en-x-editor"
    assert (parse_lang("English").tag, parse_lang("English").suggestion) == (None, "en")
    assert parse_lang("español").suggestion == "es"
    assert parse_lang("es_ES").suggestion == "es-ES"
    assert parse_lang("xx") == parse_lang("xx").__class__(None, None)


def test_toml_positions_of_keys_tables_and_entries() -> None:
    text = (
        'front = ["a",\n   "b"]\n'
        "[print]\n"
        'trim = "6x9in"\n'
        "[[parts]]\n"
        'select.tags = ["x"]\n'
        "[other]\n"
        "[[parts]]\n"
        '  select = { tags = ["y"] }\n'
    )
    at = toml_positions(text)
    assert at.of("front", 1) == (2, 4)
    assert at.of("print") == (3, 2)
    assert at.of("print", "trim") == (4, 1)
    assert at.of("parts", 0) == (5, 3)
    assert at.of("parts", 0, "select", "tags") == (6, 1)
    assert at.of("parts", 1) == (8, 3)  # counted across the table between them
    assert at.of("parts", 1, "select", "tags") == (9, 14)
    assert at.of("parts", 1, "title") == (8, 3)  # missing: its part's header
    assert at.of("date") == (1, 0)


def test_paths_in_message_texts_are_shown_as_their_locations_are(
    make_project: ProjectMaker, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Run from `manuscripts/reviews/`, every path is relative to it: the location and the
    paths the text names (`Diagnostic.names`), never one from the project and one from here;
    the JSON report keeps both relative to the project."""
    toml = MINI_TOML.replace("front = []", 'front = ["prologo"]')
    anthology = make_project(
        {"c.md": review(film="C", tags="[ninguna]"), "d.md": review(extra="section: exili\n")},
        toml,
    )
    monkeypatch.chdir(anthology.parent / "reviews")
    assert main(["check", "--json", "-"]) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "../anthology.toml:9:10: error: front-missing: front matter piece `prologo` not found"
        " in `../front` (the folder has no pieces)",
        "c.md:1: error: unselected: no part of `../anthology.toml` selects this review"
        " (tags: ninguna)",
        "d.md:11: error: unknown-section: section `exili` is not a part of `../anthology.toml`"
        " (did you mean `exilio`?)",
        "publisher: 3 errors",
    ]
    [_, unselected, _] = json.loads(captured.out)["diagnostics"]
    assert unselected["path"] == "manuscripts/reviews/c.md"
    assert unselected["message"] == (
        "no part of `manuscripts/anthology.toml` selects this review (tags: ninguna)"
    )
    assert unselected["names"] == ["manuscripts/anthology.toml"]


def test_a_diagnostic_relocates_its_path_and_each_name_its_message_quotes() -> None:
    """Only a backticked name the diagnostic holds as a path changes; a longer name holding a
    shorter one is replaced whole (the backticks delimit it); a name the message does not quote is not kept."""
    problem = error(
        "manuscripts/anthology.toml", 3, "x",
        "`manuscripts/front` and `manuscripts/front/a.md`, not `front` nor manuscripts/front",
        names=("manuscripts/front", "manuscripts/front/a.md", "manuscripts/absent"),
    )  # fmt: skip
    assert problem.names == ("manuscripts/front", "manuscripts/front/a.md")
    moved = problem.relocated(lambda path: f"../{path.removeprefix('manuscripts/')}")
    assert moved.format() == (
        "../anthology.toml:3: error: x: `../front` and `../front/a.md`, not `front` nor"
        " manuscripts/front"
    )
    assert moved.names == ("../front", "../front/a.md")
    # The location quoted in its own message is a name without being told.
    alone = error("reviews/a.md", 0, "encoding", "`reviews/a.md` is not UTF-8 text")
    assert alone.names == ("reviews/a.md",)
    assert Diagnostic.from_json(moved.to_json()) == moved

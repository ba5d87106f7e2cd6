"""Bad input at the rendering end: a clear diagnostic with file and line, never a traceback.

Template faults in an override (README "Themes"), a stub book with no review in every format,
and manuscript file names too long for the EPUB's file names.
"""

from __future__ import annotations

import contextlib
import io
import zipfile
from pathlib import Path

import pytest

from publisher.cli import main
from publisher.validation import run_epubcheck

from .conftest import MINI_TOML, ProjectMaker, review

EPOCH = "1800000000"


@pytest.fixture(autouse=True)
def _in_the_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages name files relative to the working directory: run where the project is."""
    monkeypatch.chdir(tmp_path)


def run(*args: str) -> tuple[int, str]:
    """The CLI in this process: its exit code and standard error (no traceback allowed)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(list(args))
    assert "Traceback" not in err.getvalue()
    return code, err.getvalue()


# -- a stub book ----------------------------------------------------------------------------


def test_stub_book_without_reviews_builds_every_format(
    make_project: ProjectMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    anthology = make_project({}, "stub = true\n" + MINI_TOML)
    out = tmp_path / "dist"
    code, stderr = run("build", str(anthology), "--format", "html,epub,pdf", "--out", str(out))
    assert (code, stderr) == (
        0,
        "manuscripts/anthology.toml:1: warning: no-reviews: the book has no reviews yet"
        " (`stub = true`; add manuscripts to `manuscripts/reviews`)\npublisher: 1 warning\n",
    )
    assert {path.suffix for path in out.iterdir()} >= {".html", ".epub", ".pdf"}
    [epub] = out.glob("*.epub")
    with zipfile.ZipFile(epub) as archive:
        nav = archive.read("EPUB/nav.xhtml").decode("utf-8")
    # No part and no front piece: the body matter landmark opens on the filmography.
    assert 'epub:type="bodymatter" href="text/filmography.xhtml"' in nav
    checked = run_epubcheck(epub)
    assert checked.counts.get("fatal", 0) == 0
    assert checked.counts.get("error", 0) == 0
    assert checked.counts.get("warning", 0) == 0
    assert checked.diagnostics == ()


# -- slugs that name output files -------------------------------------------------------------


def test_overlong_review_file_name_is_a_check_error(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    name = "b" * 250 + ".md"
    anthology = make_project(
        {
            "la-vaquilla.md": review("Una vaquilla para dos Españas", "La vaquilla", 1985),
            name: review("El largo viaje", "Largo", 1990),
        }
    )
    code, stderr = run("check", str(anthology))
    assert code == 1
    assert stderr == (
        f"manuscripts/reviews/{name}: error: slug-too-long: the file name gives a slug of 250"
        " characters; output file names need it at most 120: rename the file or set a shorter"
        " `slug`\n"
        "publisher: 1 error\n"
    )
    code, stderr = run("build", str(anthology), "--format", "epub", "--out", str(tmp_path / "o"))
    assert code == 1
    assert "slug-too-long" in stderr
    assert not list(tmp_path.glob("o/*.epub"))


def test_overlong_front_piece_file_name_is_a_check_error(make_project: ProjectMaker) -> None:
    stem = "prologo-" + "c" * 120
    toml = MINI_TOML.replace("front = []", f'front = ["{stem}"]')
    anthology = make_project(
        {"la-vaquilla.md": review("Una vaquilla para dos Españas", "La vaquilla", 1985)},
        toml,
        front={
            f"{stem}.md": "---\ntitle: Prólogo\n---\n\nUn prólogo sobre el cine de la guerra.\n"
        },
    )
    code, stderr = run("check", str(anthology))
    assert code == 1
    assert f"manuscripts/front/{stem}.md: error: slug-too-long: " in stderr
    assert "a slug of 128 characters" in stderr


def test_slug_of_120_characters_is_accepted(make_project: ProjectMaker) -> None:
    anthology = make_project(
        {"d" * 120 + ".md": review("Una vaquilla para dos Españas", "La vaquilla", 1985)}
    )
    assert run("check", str(anthology)) == (0, "")


# -- faults in an override template ---------------------------------------------------------

COLOPHON = "manuscripts/style-overrides/templates/colophon.html.j2"


def _with_colophon(make_project: ProjectMaker, text: str) -> Path:
    """A valid one-review book whose override colophon template is `text`."""
    anthology = make_project(
        {"la-vaquilla.md": review("Una vaquilla para dos Españas", "La vaquilla", 1985)}
    )
    templates = anthology.parent / "style-overrides" / "templates"
    templates.mkdir(parents=True)
    (templates / "colophon.html.j2").write_text(text, encoding="utf-8")
    return anthology


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        (
            '<p>Colofón.</p>\n{% include "/etc/hostname" %}\n',
            f"{COLOPHON}:2: error: path-outside-project: template `/etc/hostname` is outside the"
            " theme: name templates relative to its `templates/` folder",
        ),
        (
            '<p>Colofón.</p>\n\n{% include "../../anthology.toml" %}\n',
            f"{COLOPHON}:3: error: path-outside-project: template `../../anthology.toml` is"
            " outside the theme: name templates relative to its `templates/` folder",
        ),
        (
            '<p>Colofón.</p>\n{% include "sello.html.j2" %}\n',
            f"{COLOPHON}:2: error: template-missing: template `sello.html.j2` not found in the"
            " theme (`manuscripts/style-overrides/templates`, `{styles}/clasico/templates`,"
            " `{styles}/base/templates`)",
        ),
        (
            "<p>Colofón.</p>\n<p>Impreso en Madrid.</p>\n{% if %}\n{% endif %}\n",
            f"{COLOPHON}:3: error: template-syntax: Expected an expression, got 'end of"
            " statement block'",
        ),
        (
            "<p>Colofón.</p>\n<p>{{ imprenta.nombre }}</p>\n",
            f"{COLOPHON}:2: error: template-error: UndefinedError: 'imprenta' is undefined",
        ),
        (
            '<p>Colofón.</p>\n\n\n<p>{{ "MCMLXXXV"|roman }}</p>\n',
            f"{COLOPHON}:4: error: template-error: TypeError: '>=' not supported between"
            " instances of 'str' and 'int'",
        ),
    ],
    ids=["absolute-include", "parent-include", "missing-include", "syntax", "undefined", "type"],
)
def test_override_template_fault_names_file_and_line(
    make_project: ProjectMaker, tmp_path: Path, template: str, expected: str
) -> None:
    from publisher.base.project import BUILTIN_STYLES as TOOL_STYLES

    anthology = _with_colophon(make_project, template)
    message = expected.format(styles=TOOL_STYLES) + "\npublisher: 1 error\n"
    assert run("check", str(anthology)) == (1, message)
    out = tmp_path / "dist"
    assert run("build", str(anthology), "--format", "html,epub", "--out", str(out)) == (1, message)
    assert not list(tmp_path.glob("dist/*.*"))


def test_included_template_with_a_syntax_error_is_named(make_project: ProjectMaker) -> None:
    anthology = _with_colophon(make_project, '<p>Colofón.</p>\n{% include "sello.html.j2" %}\n')
    sello = anthology.parent / "style-overrides" / "templates" / "sello.html.j2"
    sello.write_text("<p>Sello</p>\n<p>{{ spec.title }</p>\n", encoding="utf-8")
    code, stderr = run("check", str(anthology))
    assert code == 1
    assert stderr.startswith(
        "manuscripts/style-overrides/templates/sello.html.j2:2: error: template-syntax: "
    )

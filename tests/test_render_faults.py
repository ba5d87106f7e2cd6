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
    assert (code, stderr) == (0, "")
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
        " characters; output file names need it at most 120: rename the file\n"
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
        front={f"{stem}.md": "---\ntitle: Prólogo\n---\n\nUn prólogo sobre el cine de la guerra.\n"},
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

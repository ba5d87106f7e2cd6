"""The cover wrap after a new user's trial (issue 16): an error on the wrap writes nothing,
the back cover's typography, the barcode's human-readable ISBN, the spine's direction, the
front image's print resolution and the anthology file's messages."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from publisher.base.diagnostics import BuildFailed
from publisher.pipeline import BuildRequest, build
from tests.conftest import ONE_PART_TOML, ProjectMaker, review

SENTENCE = (
    "En las películas de la retirada, la frontera de los Pirineos aparece siempre nevada,"
    " aunque los refugiados la cruzaron en pleno invierno y bajo la lluvia."
)


def test_an_error_on_the_wrap_writes_no_output_and_caches_none(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    toml = ONE_PART_TOML.replace("Una antología mínima.", " ".join([SENTENCE] * 40))
    anthology = make_project({"a.md": review()}, toml)
    out = tmp_path / "out"
    for _ in range(2):  # the second build fails the same way: nothing was recorded as done
        with pytest.raises(BuildFailed) as failed:
            build(BuildRequest(anthology, frozenset(), out, cover=True))
        codes = [d.code for d in failed.value.diagnostics]
        assert "back-cover-overflow" in codes
        assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == []


def _text(pdf: Path) -> str:
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


def test_the_back_cover_has_the_books_typography(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    description = '"Sobre la película de Kubrick\'s \\"Senderos de gloria\\" -- 1957."'
    toml = ONE_PART_TOML.replace('"Una antología mínima."', description).replace(
        'title = "', 'title = "\\"Guerra\\" -- ', 1
    )
    anthology = make_project({"a.md": review()}, toml)
    out = tmp_path / "out"
    build(BuildRequest(anthology, frozenset(), out, cache=False, cover=True))
    (wrap,) = out.glob("*-cover.pdf")
    text = _text(wrap)
    assert "Kubrick’s «Senderos de gloria» – 1957." in text
    assert "«Guerra» – " in text
    assert '"' not in text and "'" not in text and "--" not in text

"""The cover wrap after a new user's trial (issue 16): an error on the wrap writes nothing,
the back cover's typography, the barcode's human-readable ISBN, the spine's direction, the
front image's print resolution and the anthology file's messages."""

from __future__ import annotations

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

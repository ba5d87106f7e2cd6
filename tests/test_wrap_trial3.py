"""The cover wrap after a second user's trial (issue 16): the wrap PDF's metadata, the spine's
text fitted to its length, one pixel size for both cover rules, and the `cover-wrap` line."""

from __future__ import annotations

from pathlib import Path

import pikepdf

from publisher.pipeline import BuildRequest, build
from tests.conftest import ONE_PART_TOML, ProjectMaker, review


def _docinfo(pdf: Path) -> dict[str, str]:
    with pikepdf.open(pdf) as document:
        return {key: str(document.docinfo.get(f"/{key}", "")) for key in INFO_KEYS}


INFO_KEYS = ("Title", "Author", "Subject", "Keywords")


def test_the_wrap_pdf_has_the_interiors_metadata(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    toml = (
        ONE_PART_TOML.replace('editors = ["Ana Editora"]', 'editors = ["Ana Editora", "Luis Otro"]')
        .replace('subjects = ["Cine"]', 'subjects = ["Cine", "Guerra Civil española, 1936-1939"]')
        .replace(
            'description = "Una antología mínima."',
            'subtitle = "El \\"frente\\" en pantalla"\ndescription = "Sobre \\"Raza\\" -- y otras."',
        )
    )
    anthology = make_project({"a.md": review()}, toml)
    out = tmp_path / "out"
    build(BuildRequest(anthology, frozenset(), out, cache=False, cover=True))
    interior = _docinfo(out / "antologia-de-prueba-print.pdf")
    wrap = _docinfo(out / "antologia-de-prueba-cover.pdf")
    assert interior == {
        "Title": "Antología de prueba. El «frente» en pantalla",
        "Author": "Ana Editora, Luis Otro",
        "Subject": "Sobre «Raza» – y otras.",
        "Keywords": "Cine, Guerra Civil española, 1936-1939",
    }
    assert wrap == interior

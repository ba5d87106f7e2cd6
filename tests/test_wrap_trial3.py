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


SENTENCE = (
    "En las películas de la retirada, la frontera de los Pirineos aparece siempre nevada,"
    " aunque los refugiados la cruzaron en pleno invierno y bajo la lluvia."
)


def _cli(anthology: Path, out: Path, *options: str) -> tuple[int, list[str]]:
    """`publisher build --format cover` (cache ignored): its exit code and standard error's lines."""
    import contextlib
    import io

    from publisher.cli.main import main

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["build", str(anthology), "--format", "cover", "--out", str(out), *options])
    return code, err.getvalue().splitlines()


def test_the_cover_wrap_line_only_for_a_wrap_written_and_never_with_quiet(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    anthology = make_project({"a.md": review()})
    code, lines = _cli(anthology, tmp_path / "out", "--clean")
    assert code == 0
    assert [line.split(": ", 2)[1] for line in lines if "cover-wrap" in line] == ["info"]
    code, lines = _cli(anthology, tmp_path / "quiet", "--clean", "-q")
    assert code == 0
    assert [line for line in lines if "cover-wrap" in line] == []
    assert any("warning: print-too-short" in line for line in lines)  # problems still said
    long = ONE_PART_TOML.replace("Una antología mínima.", " ".join([SENTENCE] * 40))
    (anthology.parent / "anthology.toml").write_text(long, encoding="utf-8")
    code, lines = _cli(anthology, tmp_path / "failed", "--clean")
    assert code == 1
    assert any("error: back-cover-overflow" in line for line in lines)
    assert [line for line in lines if "cover-wrap" in line] == []

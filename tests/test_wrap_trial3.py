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


def test_both_cover_size_rules_give_one_size_that_meets_both(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    """A5 with KDP's 3.175 mm bleed (the user's trial): the front needs 1786×2556 px at 300
    ppi, the stores 1:1.6; 1786×2858 px meets both, and each message says so."""
    from PIL import Image

    from publisher.base.access import Access
    from publisher.base.cover_size import COVER_RATIO, COVER_RATIO_SLACK, store_and_print
    from publisher.export.cover_art import cover_art
    from publisher.export.wrap import export_cover_wrap
    from publisher.pipeline import load

    toml = 'cover_image = "cover.png"\n' + ONE_PART_TOML + "\n[print]\nbleed = 3.175\n"
    anthology = make_project({"a.md": review()}, toml)
    for size, expected in (
        (
            (1600, 2560),
            [
                "cover-low-resolution: `cover_image` (1600×2560 px) prints at 269 ppi on the"
                " wrap's front (151.2 × 216.3 mm with the bleed): printers ask for 300 ppi and"
                " stores for 1:1.6, at least 1600×2560 px: an image of at least 1786×2858 px"
                " meets both"
            ],
        ),
        (
            (1000, 1600),
            [
                "cover-small: cover image `cover.png` is 1000×1600 px (1:1.60): stores ask for"
                " at least 1600×2560 px (1:1.6) and the print wrap's front 1786×2556 px (300"
                " ppi): 1786×2858 px meets both",
                "cover-low-resolution: `cover_image` (1000×1600 px) prints at 168 ppi on the"
                " wrap's front (151.2 × 216.3 mm with the bleed): printers ask for 300 ppi and"
                " stores for 1:1.6, at least 1600×2560 px: an image of at least 1786×2858 px"
                " meets both",
            ],
        ),
        ((1786, 2858), []),  # the size advised: neither rule applies
    ):
        Image.new("RGB", size, (120, 30, 30)).save(anthology.parent / "cover.png")
        book, loaded = load(anthology)
        spec = book.spec
        wrap = export_cover_wrap(spec, 200, cover_art(spec, Access.for_spec(spec)))
        found = [*loaded, *wrap.diagnostics]
        said = [f"{d.code}: {d.message}" for d in found if d.code.startswith("cover-") and d.line]
        assert said == expected
    width, height = store_and_print((1786, 2556))
    assert abs(height / width - COVER_RATIO) <= COVER_RATIO_SLACK


TRENCHES = (
    "Trincheras, retaguardias y exilios: el cine de la Guerra Civil española visto desde"
    " ochenta años de memoria, olvido, censura y propaganda en las pantallas de todo el mundo"
)
PRESS = "Prensa de Pruebas de la Universidad Complutense de Madrid"


def _spine_read(spec: object, pages: int, tmp_path: Path) -> tuple[str, list[str]]:
    """The spine's words as pdftotext reads them in the wrap, and its `spine-text-shortened`
    messages."""
    import subprocess

    from publisher.export.wrap import BLEED, export_cover_wrap, wrap_size

    size = wrap_size(spec, pages)  # type: ignore[arg-type]
    exported = export_cover_wrap(spec, pages)  # type: ignore[arg-type]
    pdf = tmp_path / "cover.pdf"
    pdf.write_bytes(exported.data)
    mm = 72 / 25.4
    area = ["-x", str(int((BLEED + size.trim_width) * mm)), "-y", "0"]
    area += ["-W", str(int(size.spine * mm) + 1), "-H", str(int(size.height * mm))]
    out = subprocess.run(["pdftotext", *area, str(pdf), "-"], capture_output=True, text=True)
    said = [d.message for d in exported.diagnostics if d.code == "spine-text-shortened"]
    return " ".join(out.stdout.split()), said


def test_a_long_spine_text_shrinks_then_drops_pieces_and_says_so(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    import dataclasses

    from publisher.export.spine import FONT_MIN
    from publisher.pipeline import read_spec

    spec = read_spec(make_project({"a.md": review()}))
    assert round(FONT_MIN / 25.4 * 72, 1) == 6.3
    # Long, but within the spine once the font shrinks: all of it, no warning.
    shrunk = dataclasses.replace(
        spec,
        title=TRENCHES.split(" de memoria")[0],
        editors=("Ana María Editora de la Fuente", "Luis Otro Serrano", "Carmen Tercera"),
        publisher="Ediciones de la Filmoteca Universitaria de Valladolid",
    )
    read, said = _spine_read(shrunk, 200, tmp_path)
    assert said == []
    assert read == (
        f"{shrunk.title} · Ana María Editora de la Fuente, Luis Otro Serrano y Carmen Tercera"
        " · Ediciones de la Filmoteca Universitaria de Valladolid"
    )
    # Too long even at 6.3 pt: the publisher goes first.
    long = dataclasses.replace(
        spec, title=TRENCHES, editors=("Ana Editora", "Luis Otro"), publisher=PRESS
    )
    read, said = _spine_read(long, 200, tmp_path)
    assert read == f"{TRENCHES} · Ana Editora y Luis Otro"
    assert said == [
        "the spine's 197 mm cannot hold the title, editors and publisher at 6.3 pt or more: it"
        f" leaves out `{PRESS}` and reads `{TRENCHES} · Ana Editora y Luis Otro`"
        " at 7.4 pt"
    ]
    # Then the editors after the first, then all of them.
    names = ("Ana María Editora de la Fuente", "Luis Otro Serrano", "Carmen Tercera Villanueva")
    many = dataclasses.replace(long, editors=names)
    read, said = _spine_read(many, 200, tmp_path)
    assert read == f"{TRENCHES} · {names[0]}"
    assert said[0].endswith(
        f"it leaves out `{PRESS}`, `{names[1]}`, `{names[2]}` and reads"
        f" `{TRENCHES} · {names[0]}` at 7.2 pt"
    )
    crowded = dataclasses.replace(
        long, title=f"{TRENCHES}, con sus noticiarios, sus carteles y sus documentales"
    )
    read, said = _spine_read(crowded, 200, tmp_path)
    assert read == crowded.title
    assert f"it leaves out `{PRESS}`, `Ana Editora`, `Luis Otro` and reads" in said[0]
    # A title too long alone even at 6.3 pt: clipped at the spine's end, and said.
    endless = dataclasses.replace(long, title=f"{TRENCHES}; {TRENCHES}")
    read, said = _spine_read(endless, 200, tmp_path)
    assert endless.title.startswith(read) and len(TRENCHES) < len(read) < len(endless.title)
    assert said == [
        "the spine's 197 mm cannot hold the title, editors and publisher at 6.3 pt or more: it"
        f" leaves out `{PRESS}`, `Ana Editora`, `Luis Otro` and cuts the title short"
    ]

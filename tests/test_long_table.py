"""The filmography of more than LONG_ENTRIES films laid out in parts (export/parts.py,
export/pdf/columns.py; issue 17: peak RSS): every part with the whole table's column widths,
the header repeated, each part cut where a page of the whole layout opens at a row. The PDF
reads as the table laid out whole (tests/test_long_parts.py `_reading`), screen and print.
"""

from __future__ import annotations

import pytest

from publisher.base.rendered import Pagination, Target
from publisher.export import parts, pool
from publisher.export.chunked import export_chunked
from publisher.pipeline import load, render
from tests.conftest import ProjectMaker, review
from tests.test_long_parts import _reading

# Real films of the Spanish Civil War and its aftermath, with their directors: titles and
# names of very different lengths, so that each part's rows alone would size the columns
# otherwise than the whole table does.
FILMS = (
    ("¡Ay, Carmela!", ["Carlos Saura"]),
    ("Tierra y libertad", ["Ken Loach"]),
    ("El espíritu de la colmena", ["Víctor Erice"]),
    ("La lengua de las mariposas", ["José Luis Cuerda"]),
    ("Las bicicletas son para el verano", ["Jaime Chávarri"]),
    ("Libertarias", ["Vicente Aranda"]),
    ("La vaquilla", ["Luis García Berlanga"]),
    ("Soldados de Salamina", ["David Trueba"]),
    ("El laberinto del fauno", ["Guillermo del Toro"]),
    ("Land", ["Ken Loach"]),
    ("Mientras dure la guerra", ["Alejandro Amenábar"]),
    ("La trinchera infinita", ["Jon Garaño", "Aitor Arregi", "José Mari Goenaga"]),
    ("Canciones para después de una guerra", ["Basilio Martín Patino"]),
    ("Pa negre", ["Agustí Villaronga"]),
    ("Los girasoles ciegos", ["José Luis Cuerda"]),
)


def _reviews(count: int) -> dict[str, str]:
    """`count` reviews, one film each: the titles sort in the order they are made (a number
    in front), so the longest title and the longest list of directors fall in late rows."""
    made = {}
    for i in range(count):
        title, directors = FILMS[i % len(FILMS)]
        if i == count - 7:  # one title far longer than the others, near the end
            title = "Canciones para después de una guerra y para antes de otra que no llegó"
        people = ", ".join(f'"{name}"' for name in directors)
        made[f"resena-{i:03d}.md"] = review(
            title=f"Reseña {i}", film=f"{i:03d} {title}", year=1936 + i % 50
        ).replace('["Directora Uno"]', f"[{people}]")
    return made


FILMS_IN_BOOK = 150
PART_ROWS = 80  # a part's rows: about three pages of the filmography, so a part is cut


def _book(
    make_project: ProjectMaker, rows: int, target: Target
) -> tuple[bytes, Pagination | None, list[str]]:
    """The PDF of a book of FILMS_IN_BOOK reviews laid out in chunks, its filmography in parts
    of `rows` rows (its indexes and contributors, in parts of 10**6 entries, are laid out
    whole), its pagination (the print PDF's) and the chunks laid out."""
    parts.PART_ENTRIES = parts.LONG_ENTRIES = rows
    anthology, _ = load(make_project(_reviews(FILMS_IN_BOOK)))
    laid: list[str] = []
    exported = export_chunked(render(anthology, target), 1, None, lambda name, _: laid.append(name))
    return exported.data, exported.pagination, laid


@pytest.mark.parametrize("target", [Target.PRINT_PDF, Target.SCREEN_PDF])
def test_a_long_filmography_laid_out_in_parts_reads_as_laid_out_whole(
    make_project: ProjectMaker, monkeypatch: pytest.MonkeyPatch, target: Target
) -> None:
    monkeypatch.setattr(pool, "_may_fork", lambda count: False)  # the layouts in this process
    monkeypatch.setattr(parts, "PART_ENTRIES", parts.PART_ENTRIES)
    monkeypatch.setattr(parts, "LONG_ENTRIES", parts.LONG_ENTRIES)
    monkeypatch.setattr(parts, "LONG_KINDS", frozenset())  # the filmography alone in parts
    whole, whole_pagination, laid_whole = _book(make_project, 10**6, target)
    split_up, pagination, laid = _book(make_project, PART_ROWS, target)
    assert not any("." in name for name in laid_whole)
    continued = [name for name in laid if "." in name]
    assert len({name.split(".")[0] for name in continued}) == 1 and len(continued) >= 2, laid
    assert pagination == whole_pagination
    assert _reading(split_up) == _reading(whole)

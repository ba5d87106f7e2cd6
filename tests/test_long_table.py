"""The filmography of more than LONG_ENTRIES films laid out in parts (export/parts.py,
export/pdf/columns.py; issue 17: peak RSS): every part with the whole table's column widths,
the header repeated, each part cut where a page of the whole layout opens at a row. The PDF
reads as the table laid out whole (tests/test_long_parts.py `_reading`), screen and print.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.base.access import Access
from publisher.base.rendered import Pagination, Target
from publisher.export import parts, pool
from publisher.export.chunked import export_chunked, jobs_for, split
from publisher.export.chunkstore import ChunkStore
from publisher.export.pdf import chunk_fonts, columns
from publisher.export.pdf.fetcher import ProjectFetcher
from publisher.pipeline import load, render
from tests.conftest import ONE_PART_TOML, ProjectMaker, review
from tests.test_chunked_layout import _build, _chunks, _pdfs
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
    """`count` reviews, one film each, of years 1936 to 1985 (the filmography runs by year,
    then title): the one far longer title, of 1979, falls in the table's last rows."""
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


@pytest.fixture(autouse=True)
def _in_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The layouts in this process; the filmography alone in parts (parts.LONG_KINDS: the
    indexes and the contributors are laid out whole); the part size as each test sets it."""
    monkeypatch.setattr(pool, "_may_fork", lambda count: False)
    monkeypatch.setattr(parts, "PART_ENTRIES", parts.PART_ENTRIES)
    monkeypatch.setattr(parts, "LONG_ENTRIES", parts.LONG_ENTRIES)
    monkeypatch.setattr(parts, "LONG_KINDS", frozenset())


def _book(
    make_project: ProjectMaker,
    rows: int,
    target: Target,
    store: ChunkStore | None = None,
    toml: str = ONE_PART_TOML,
) -> tuple[bytes, Pagination | None, list[str]]:
    """The PDF of a book of FILMS_IN_BOOK reviews laid out in chunks (kept in `store`), its
    filmography in parts of `rows` rows, its pagination (the print PDF's) and the chunks laid
    out."""
    parts.PART_ENTRIES = parts.LONG_ENTRIES = rows
    anthology, _ = load(make_project(_reviews(FILMS_IN_BOOK), toml))
    laid: list[str] = []
    book = render(anthology, target)

    def tell(name: str, fresh: bool) -> None:
        if fresh:
            laid.append(name)

    exported = export_chunked(book, 1, store, tell)
    return exported.data, exported.pagination, laid


def test_a_long_filmography_laid_out_in_parts_reads_as_laid_out_whole(
    make_project: ProjectMaker,
) -> None:
    whole, whole_pagination, laid_whole = _book(make_project, 10**6, Target.PRINT_PDF)
    split_up, pagination, laid = _book(make_project, PART_ROWS, Target.PRINT_PDF)
    assert not any("." in name for name in laid_whole)
    # The filmography's continuations (the contents, as long, are in parts too).
    continued = [name for name in laid if "." in name and name.startswith("back-")]
    assert len({name.split(".")[0] for name in continued}) == 1 and len(continued) >= 2, laid
    assert pagination == whole_pagination
    assert _reading(split_up) == _reading(whole)


def test_both_pdfs_of_one_layout_in_parts_read_as_laid_out_whole(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    # A build lays the print book out once and writes each chunk twice, as the print PDF's
    # and as the screen PDF's (export/editions.py): each part too.
    parts.PART_ENTRIES = parts.LONG_ENTRIES = 10**6
    anthology = make_project(_reviews(FILMS_IN_BOOK))
    _build(anthology, tmp_path / "whole", 1, clean=True)
    parts.PART_ENTRIES = parts.LONG_ENTRIES = PART_ROWS
    events = _build(anthology, tmp_path / "parts", 1, clean=True)
    assert any("." in name for name in _chunks(events, "laid out"))
    whole, split_up = _pdfs(tmp_path / "whole"), _pdfs(tmp_path / "parts")
    assert sorted(whole) == sorted(split_up) and len(whole) == 2
    for name, data in whole.items():
        assert _reading(split_up[name]) == _reading(data), name


def test_the_first_parts_own_columns_are_not_the_whole_tables(
    make_project: ProjectMaker,
) -> None:
    # What the test above proves needs each part laid out with the whole table's columns:
    # here the first part's rows alone would make them otherwise (the longest title is in the
    # second slice). Laid out with their own, pages 316 to 321 of the book drew otherwise
    # (seen when written).
    parts.PART_ENTRIES = parts.LONG_ENTRIES = PART_ROWS
    anthology, _ = load(make_project(_reviews(FILMS_IN_BOOK)))
    book = render(anthology, Target.PRINT_PDF)
    pieces = split(book)
    table = next(p.name for p in pieces if p.long is not None and p.long.rows)
    job = jobs_for(book, pieces, None)[table]
    assert job.part is not None and job.part.depth == 2 and job.part.table
    fetcher, fonts = ProjectFetcher(Access.for_spec(anthology.spec)), chunk_fonts()
    own = columns.measured([job.page], job.part, job.base_url, fetcher, fonts)
    others = columns.measured(parts.table_slices(job), job.part, job.base_url, fetcher, fonts)
    assert len(own) == len(others) == 4
    whole = columns.widest(own, others)
    assert own != whole and others != own
    assert whole[0][1] > own[0][1]  # the title column's max-content width: the long title


def test_a_table_with_a_percentage_column_is_laid_out_whole(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    # A column with a percentage width takes its share of the table's width from every row
    # (css-tables-3 §3.9): the parts' figures do not make the whole's, so the first part is
    # cut nowhere and the filmography is laid out again whole.
    (tmp_path / "manuscripts").mkdir()
    (tmp_path / "manuscripts" / "casa.css").write_text(
        ".filmography-table td:first-child { width: 40% }\n", encoding="utf-8"
    )
    toml = ONE_PART_TOML.replace("front = []", 'front = []\nextra_css = ["casa.css"]')
    whole, _, _ = _book(make_project, 10**6, Target.PRINT_PDF, toml=toml)
    fallen_back, _, laid = _book(make_project, PART_ROWS, Target.PRINT_PDF, toml=toml)
    # (The contents, as long, are in parts: front-….)
    assert not any("." in name for name in laid if name.startswith("back-"))
    twice = [name for name in laid if name.startswith("back") and laid.count(name) == 2]
    assert twice == ["back-018", "back-018"]
    assert _reading(fallen_back) == _reading(whole)


def test_a_rebuild_takes_every_part_of_the_table_from_the_cache(
    make_project: ProjectMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first part's columns (Shape.columns) come back from the chunk store, so the next
    # parts' jobs, keyed with them, are found there too.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # the same dates in both builds
    store = ChunkStore(tmp_path / "chunks")
    first, _, laid = _book(make_project, PART_ROWS, Target.PRINT_PDF, store)
    assert any("." in name for name in laid)
    again, _, laid_again = _book(make_project, PART_ROWS, Target.PRINT_PDF, store)
    assert laid_again == []
    assert again == first

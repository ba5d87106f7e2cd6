"""The contents laid out in parts (export/parts.py `nested_text`; issue 17: peak RSS).

Contents of more than LONG_ENTRIES entries (the leaf items of its nested lists: a part's
reviews, the front and back pieces) are a chunk of their own, laid out in parts, each cut where
a page of the whole layout opens at an entry; the PDF reads as the contents laid out whole
(tests/test_long_parts.py `_reading`: every page's drawing, links, destinations, outline, tags,
page labels), and the print pagination is the same.
"""

from __future__ import annotations

from typing import Any

import lxml.html
import pytest

from publisher.base.rendered import Pagination, Target
from publisher.export import parts, pool
from publisher.export.chunkdata import ChunkPdf, Shape
from publisher.export.chunked import export_chunked, jobs_for, lay_out, split
from publisher.export.nested_parts import nested_list, nested_text
from publisher.export.part_marks import CONTINUED, ENCLOSING, HIDDEN, MARK
from publisher.export.pool import Answer, Finish, Task
from publisher.pipeline import load, render
from tests.conftest import MINI_TOML, ProjectMaker, review
from tests.test_long_parts import _reading

# A contents page holds about 18 entries: parts of 45 entries are cut on their third page or so.
SMALL_PART = 45
REVIEWS = 150
TOML = MINI_TOML.replace("front = []", 'front = ["prologo"]\nextra_css = ["numeros.css"]')
# The entries numbered (CSS Lists 3 markers), so that a part's numbering is seen.
NUMBERS = ".toc li { list-style: decimal inside }\n"
PROLOGUE = '---\ntitle: "Prólogo"\n---\n\nUn prólogo breve sobre el cine de la guerra.\n'


def _reviews(count: int) -> dict[str, str]:
    # Titles of different lengths: some entries take one line, some two (pages break
    # between entries at different places).
    return {
        f"resena-{i:03d}.md": review(
            title=f"Reseña {i}" + (" sobre una película de largo título" * (i % 3)),
            film=f"Película {i}",
            year=1930 + i % 90,
            tags="[exilio]" if i % 5 == 0 else "[guerra]",
        )
        for i in range(count)
    }


def _book(
    make_project: ProjectMaker, size: int, target: Target
) -> tuple[bytes, Pagination | None, list[str]]:
    """The PDF of the book laid out in chunks with parts of `size` entries, its pagination
    (the print PDF's) and the chunks laid out, in the order laid out."""
    parts.PART_ENTRIES = parts.LONG_ENTRIES = size
    path = make_project(_reviews(REVIEWS), toml=TOML, front={"prologo.md": PROLOGUE})
    (path.parent / "numeros.css").write_text(NUMBERS, encoding="utf-8")
    anthology, _ = load(path)
    laid: list[str] = []
    exported = export_chunked(render(anthology, target), 1, None, lambda name, _: laid.append(name))
    return exported.data, exported.pagination, laid


def test_the_contents_laid_out_in_parts_read_as_laid_out_whole(
    make_project: ProjectMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool, "_may_fork", lambda count: False)  # the layouts in this process
    monkeypatch.setattr(parts, "PART_ENTRIES", parts.PART_ENTRIES)
    monkeypatch.setattr(parts, "LONG_ENTRIES", parts.LONG_ENTRIES)
    for target in (Target.SCREEN_PDF, Target.PRINT_PDF):
        whole, whole_pagination, laid_whole = _book(make_project, 10**6, target)
        split_up, pagination, laid = _book(make_project, SMALL_PART, target)
        # Whole: the front matter one chunk; in parts: the contents a chunk of their own (the
        # half-title to the copyright page before, the prologue after), in several parts.
        assert {name for name in laid_whole if name.startswith("front")} == {"front-000"}
        assert {"front-000", "front-001", "front-002"} < set(laid)
        assert len({name for name in laid if name.startswith("front-001.")}) >= 2, laid
        assert pagination == whole_pagination
        assert _reading(split_up) == _reading(whole), target


CONTENTS = (
    '<nav id="contents"><h1>Índice</h1>\n<ol class="toc">\n'
    '<li class="toc-front"><a href="#p">Prólogo</a></li>\n'
    '<li class="toc-part"><a href="#i">Parte I</a>\n<ol start="3">\n'
    '<li><a href="#r1">Uno</a></li>\n<li value="7"><a href="#r2">Dos</a></li>\n'
    '<li><a href="#r3">Tres</a></li>\n<li><a href="#r4">Cuatro</a></li>\n</ol>\n</li>\n'
    '<li class="toc-part"><a href="#ii">Parte II</a>\n<ol>\n<li><a href="#r5">Cinco</a></li>\n'
    "</ol>\n</li>\n"
    '<li class="toc-back"><a href="#x">Índice de películas</a></li>\n</ol>\n</nav>'
)


def _elements(markup: str) -> list[tuple[tuple[int, ...], str, str | None, str | None, str]]:
    """Each element: its path (element indices from the root), tag, mark, `value`, own text."""
    root = lxml.html.fragment_fromstring(markup)
    found = []

    def walk(element: Any, path: tuple[int, ...]) -> None:
        mark, value = element.get(MARK), element.get("value")
        found.append((path, element.tag, mark, value, (element.text or "").strip()))
        children = [child for child in element if isinstance(child.tag, str)]
        for index, child in enumerate(children):
            walk(child, (*path, index))

    walk(root, ())
    return found


def test_a_part_of_nested_lists_keeps_the_paths_and_numbers_of_the_whole() -> None:
    assert nested_list(CONTENTS) == ("contents", 1, 7)
    whole = {path: tag for path, tag, *_ in _elements(CONTENTS)}
    # The entries Tres and Cuatro: the items before them left empty and hidden, the part they
    # are in ENCLOSING (its link hidden), Tres CONTINUED and numbered as in the whole (after
    # `value="7"`: 8; the part, the toc's second item: 2); what follows Cuatro dropped.
    part = _elements(nested_text(CONTENTS, 1, 3, 2))
    assert all(whole[path] == tag for path, tag, *_ in part)
    assert part == [
        ((), "nav", ENCLOSING, None, ""),
        ((0,), "h1", HIDDEN, None, "Índice"),
        ((1,), "ol", ENCLOSING, None, ""),
        ((1, 0), "li", HIDDEN, None, ""),
        ((1, 1), "li", ENCLOSING, "2", ""),
        ((1, 1, 0), "a", HIDDEN, None, "Parte I"),
        ((1, 1, 1), "ol", ENCLOSING, None, ""),
        ((1, 1, 1, 0), "li", HIDDEN, None, ""),
        ((1, 1, 1, 1), "li", HIDDEN, "7", ""),
        ((1, 1, 1, 2), "li", CONTINUED, "8", ""),
        ((1, 1, 1, 2, 0), "a", None, None, "Tres"),
        ((1, 1, 1, 3), "li", None, None, ""),
        ((1, 1, 1, 3, 0), "a", None, None, "Cuatro"),
    ]
    # The first part: nothing marked, the entries after its last dropped.
    first = _elements(nested_text(CONTENTS, 1, 0, 2))
    assert [text for *_, text in first if text] == ["Índice", "Prólogo", "Parte I", "Uno"]
    assert not any(mark for _, _, mark, _, _ in first)


def test_the_contents_settle_when_a_parts_cut_moves_with_the_numbers(
    make_project: ProjectMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The planner alone (layouts faked): a part of the contents is cut one entry later once it
    prints the page numbers than when measured (its numbers wider), so the parts after it are
    planned again while the numbers are not known (the chunks after them have no start yet)."""
    monkeypatch.setattr(parts, "PART_ENTRIES", 20)
    monkeypatch.setattr(parts, "LONG_ENTRIES", 20)
    monkeypatch.setattr(pool, "_may_fork", lambda count: False)
    anthology, _ = load(make_project(_reviews(60), toml=MINI_TOML))
    book = render(anthology, Target.PRINT_PDF)
    pieces = split(book)
    jobs = jobs_for(book, pieces, None)
    ids = {piece.name: piece.ids for piece in pieces}
    shapes: dict[str, Shape] = {}

    def laid_out(task: Task, held: Any, access: Any) -> Answer:
        if isinstance(task, Finish):
            return ChunkPdf(shapes[task.name], task.start, (), b"", ())
        job = task.job
        known = all(number for _, number in job.externals)
        cut = 0
        if job.part is not None and not job.part.last:
            cut = job.part.first + (11 if known else 10)
        anchors = tuple(sorted((anchor, 0) for anchor in ids.get(job.name, ())))
        shape = Shape(3, anchors, (), job.externals, False, (), cut)
        shapes[job.name] = shape
        if task.hold or task.measure:
            return shape
        return ChunkPdf(shape, job.start, (), b"", ())

    monkeypatch.setattr(pool, "_run", laid_out)
    laid: list[str] = []
    chunks = lay_out(book, jobs, pieces, 1, None, lambda name, _: laid.append(name))
    # Measured at 10, 20, 30, … entries; written at 11, 22, 33, …
    firsts = {name[len("front-001.") :][:5] for name in laid if name.startswith("front-001.")}
    assert {"00010", "00020", "00011", "00022", "00033"} <= firsts, laid
    # The contents (the book's second chunk, 64 entries): 5 parts, cut where they were written.
    assert [chunk.shape.cut for chunk in chunks[1:6]] == [11, 22, 33, 44, 0]

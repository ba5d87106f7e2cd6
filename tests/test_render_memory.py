"""What the web edition's and the EPUB's rendering holds (issue 17: the build process's peak
RSS flat as the book grows; at 1,000 reviews its peak was the web edition's page markers).

- The page markers are placed one document at a time (render/pagemarks.py `mark_pages`): a
  document's tree is let go of before the next one's is parsed, so at most one is alive
  however long the book, and each document's unmarked body is let go of once it is marked.
- What a document prints (render/printed.py `document_text`) is kept by the body's digest:
  once a rendered book is let go of, nothing holds its documents' text.
- A build makes the web edition's page as UTF-8 (`RenderedBook.encoded`), never as one string
  (its stylesheet quotes an emoji: 4 bytes a character), and writes the same bytes.
- A build's EPUB book keeps its documents without their bodies (their text is in its XHTML
  files), and the EPUB has the same bytes.
- When both PDFs come from one layout, what their chunks need of the screen book's page is
  taken as soon as it is rendered (export/handed.py `screen_part`): while the print book is
  rendered, no screen book with its page is alive; the print page is cut into pieces with a
  head of their own (export/editions.py `HEADLESS`), so they do not take 4 bytes a character
  like the page, whose head quotes an emoji.

lxml's trees are counted by walking what the collector tracks (each element Python holds is
a tracked object; a tree nobody holds is freed with its last element).
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from publisher import passes
from publisher.base.rendered import (
    Document,
    Exported,
    Kind,
    PageStart,
    Pagination,
    RenderedBook,
    Target,
)
from publisher.export import chunked, editions, epub
from publisher.pipeline import BuildRequest, Format, build, load, render
from publisher.render import pagemarks, renderer
from tests.conftest import ONE_PART_TOML, review

PARSE = pagemarks._parse


def _documents(count: int) -> list[Document]:
    return [
        Document(
            f"resena-{i}",
            Kind.REVIEW,
            f"Reseña {i}",
            "es",
            f'<article id="resena-{i}"><h1>Reseña {i}</h1>'
            f"<p>Raza cuenta la guerra como una lección de familia, escena {i}.</p>"
            f"<p>La vaquilla se ríe de las dos trincheras a la vez, escena {i}.</p></article>",
        )
        for i in range(count)
    ]


def _pagination(documents: list[Document]) -> Pagination:
    """Two pages a document (the second starts at its second paragraph), then a blank one."""
    pages: list[PageStart] = []
    for doc in documents:
        pages += [PageStart(str(len(pages) + 1), doc.id, (1,), 0)]
        pages += [PageStart(str(len(pages) + 1), doc.id, (2,), 0)]
    return Pagination((*pages, PageStart(str(len(pages) + 1))))


def _trees_alive() -> int:
    """How many distinct lxml trees Python holds an element of."""
    roots = {
        thing.getroottree().getroot()
        for thing in gc.get_objects()
        if isinstance(thing, etree._Element)
    }
    return len(roots)


def _most_trees(count: int, patch: pytest.MonkeyPatch) -> tuple[int, int]:
    """(the most trees alive when a document was parsed, how many parses) while marking the
    pages of `count` documents."""
    seen: list[int] = []

    def watched_parse(body: str) -> etree._Element:
        wrapper = PARSE(body)
        gc.collect()
        seen.append(_trees_alive())
        return wrapper

    patch.setattr(pagemarks, "_parse", watched_parse)
    documents = _documents(count)
    marks = pagemarks.mark_pages(documents, _pagination(documents), "textless-page")
    assert len(marks) == 2 * count + 1
    assert all('id="page-' in doc.body for doc in documents)  # each replaced, marked
    return max(seen), len(seen)


def test_one_document_tree_at_a_time_however_long_the_book(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gc.collect()
    before = _trees_alive()
    small = _most_trees(3, monkeypatch)
    large = _most_trees(12, monkeypatch)
    assert small == (before + 1, 3)
    assert large == (before + 1, 12)  # each document parsed once


def test_marked_bodies_come_out_as_one_parse_of_all_would_make() -> None:
    """Parsed one at a time, each body is serialized as it was when all were held at once:
    markers in the right places, the last blank page's at the end of the book."""
    documents = _documents(2)
    marks = pagemarks.mark_pages(documents, _pagination(documents), "textless-page")
    assert [(mark.label, mark.document_id) for mark in marks] == [
        ("1", "resena-0"),
        ("2", "resena-0"),
        ("3", "resena-1"),
        ("4", "resena-1"),
        ("5", "resena-1"),
    ]
    marker = '<span epub:type="pagebreak" role="doc-pagebreak" id="page-{0}" aria-label="{0}">'
    assert documents[1].body == (
        '<article id="resena-1"><h1>Reseña 1</h1>'
        f"{marker.format(3)}</span>"
        "<p>Raza cuenta la guerra como una lección de familia, escena 1.</p>"
        f"{marker.format(4)}</span>"
        "<p>La vaquilla se ríe de las dos trincheras a la vez, escena 1.</p>"
        f"{marker.format(5)}</span></article>"
    )


def _project(root: Path) -> Path:
    manuscripts = root / "manuscripts"
    (manuscripts / "reviews").mkdir(parents=True)
    (manuscripts / "front").mkdir()
    anthology = manuscripts / "anthology.toml"
    anthology.write_text(ONE_PART_TOML, encoding="utf-8")
    for i in range(1, 4):
        body = f"El espinazo del diablo encierra la guerra en un orfanato: escena única {i}."
        text = review(title=f"Reseña {i}", film=f"Película {i}", year=1940 + i, body=body)
        (manuscripts / "reviews" / f"resena-{i}.md").write_text(text, encoding="utf-8")
    return anthology


@pytest.mark.parametrize("target", [Target.WEB, Target.EPUB, Target.SCREEN_PDF])
def test_nothing_holds_a_rendered_books_text_once_it_is_let_go(
    tmp_path: Path, target: Target
) -> None:
    anthology, _ = load(_project(tmp_path))
    book = render(anthology, target)
    assert any("escena única 2.</p>" in doc.body for doc in book.documents)  # looked for below
    del book
    gc.collect()
    held = [
        type(holder).__qualname__
        for holder in gc.get_objects()
        for thing in _referents(holder)
        if isinstance(thing, str) and len(thing) > 100 and "escena única 2.</p>" in thing
    ]
    assert held == []


def _referents(holder: object) -> list[object]:
    """What `holder` refers to, a dict's keys too (the collector skips a dict's str keys)."""
    keys = list(holder) if isinstance(holder, dict) else []
    return keys + gc.get_referents(holder)


def test_a_build_writes_the_web_page_without_making_it_a_string(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []
    template = renderer._Renderer.template

    def watched(self: renderer._Renderer, name: str, **context: object) -> str:
        made.append(name)
        return template(self, name, **context)

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    anthology = _project(tmp_path)
    expected = render(load(anthology)[0], Target.WEB).page.encode("utf-8")
    monkeypatch.setattr(renderer._Renderer, "template", watched)
    result = build(BuildRequest(anthology, frozenset({Format.HTML}), tmp_path / "dist"))
    assert "review.html.j2" in made and "book.html.j2" not in made
    [output] = result.outputs
    assert output.path.read_bytes() == expected


def _width(text: str) -> int:
    """Bytes a character `text` takes as a Python string (1, 2 or 4: PEP 393)."""
    return round(sys.getsizeof(text + "x") - sys.getsizeof(text))


def test_the_pdf_books_text_is_held_narrow_and_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the print book is rendered, no screen book with its page is alive; the print
    book's page (its head quotes an emoji: 4 bytes a character) is cut into pieces that take
    fewer (its own text: 1 for Latin-1, 2 with curly quotes)."""
    seen: list[tuple[str, list[str]]] = []
    widths: list[tuple[int, list[int]]] = []
    rendering = render  # the one passes.py calls
    splitting = chunked.split  # the one editions.py calls

    def watched(anthology: object, target: Target, *args: object) -> RenderedBook:
        gc.collect()
        whole = [
            thing.target.value
            for thing in gc.get_objects()
            if isinstance(thing, RenderedBook) and thing.page
        ]
        seen.append((target.value, whole))
        book = rendering(anthology, target, *args)  # type: ignore[arg-type]
        if target is Target.PRINT_PDF:
            widths.append((_width(book.page), []))
        return book

    def watched_split(book: RenderedBook) -> list[chunked.Piece]:
        pieces = splitting(book)
        widths[-1][1].extend(sorted({_width(piece.html) for piece in pieces}))
        return pieces

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setattr(passes, "render", watched)
    monkeypatch.setattr(editions, "split", watched_split)
    formats = frozenset({Format.PDF})
    request = BuildRequest(_project(tmp_path), formats, tmp_path / "dist", workers=1)
    assert len(build(request).outputs) == 2
    assert seen == [("screen", []), ("print", [])]
    assert widths == [(4, [1])]  # Spanish text in Latin-1: 1 byte a character


def test_a_build_holds_the_epubs_text_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bodies: list[list[int]] = []
    exporting = epub.export_epub

    def watched(book: RenderedBook, *args: Any) -> Exported:
        bodies.append([len(doc.body) for doc in book.documents])
        return exporting(book, *args)

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    anthology = _project(tmp_path)
    expected = exporting(render(load(anthology)[0], Target.EPUB)).data
    monkeypatch.setattr(epub, "export_epub", watched)
    result = build(BuildRequest(anthology, frozenset({Format.EPUB}), tmp_path / "dist"))
    assert len(bodies) == 1 and len(bodies[0]) > 3 and set(bodies[0]) == {0}
    [output] = result.outputs
    assert output.path.read_bytes() == expected

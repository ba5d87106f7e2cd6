"""The PDFs laid out in chunks (export/chunked.py), in parallel and from the build cache.

A chunked, cached, parallel build gives the bytes of a one-worker clean build; an edit re-lays
out only the edited review's chunk (seen through the build's progress events, not timings),
and the chunks its page numbers moved; and the merged PDF reads like the book laid out in one
piece: the text of every page (folios and running heads included), the outline, the links and
their destinations, the structure tree over every page, the print pagination.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from publisher.base.progress import Progress
from publisher.base.rendered import Target
from publisher.export.chunked import export_chunked, split
from publisher.export.pdf import export_pdf
from publisher.pipeline import BuildRequest, Format, build, load, render
from tests.conftest import ONE_PART_TOML, ProjectMaker, review

EPOCH = "1795046400"
# Sentences of our own about real films; each paragraph takes four, in its own order.
SENTENCES = (
    "La película mira la guerra desde una casa de pueblo, sin batallas a la vista.",
    "El miedo entra por las ventanas como entra el frío en el invierno de la meseta.",
    "Erice filma los silencios de la mesa y las cartas que nadie lee en voz alta.",
    "Los niños juegan a lo que oyen contar a los mayores en la cocina.",
    "En Las bicicletas son para el verano la ciudad sitiada se vuelve costumbre.",
    "Chávarri deja que la familia hable de comida mientras caen las bombas.",
    "La vaquilla convierte el frente del Ebro en una fiesta de pueblo sin toro.",
    "Berlanga ríe de los dos bandos con la misma ternura y el mismo desengaño.",
    "Ay, Carmela sigue a dos cómicos que actúan para quien les dé de comer.",
    "Saura pone el teatro dentro de la guerra y la guerra dentro del teatro.",
    "El laberinto del fauno cruza el cuento de hadas con el maquis de posguerra.",
    "Del Toro encierra a la niña entre el capitán y el bosque.",
    "Tierra y libertad discute la revolución en una asamblea de campesinos.",
    "Loach deja hablar a los milicianos durante minutos enteros sin cortar.",
)
PARAGRAPH = " ".join(SENTENCES[:4])

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler")


def _paragraph(seed: int) -> str:
    picked = [SENTENCES[(seed * 5 + step * 3) % len(SENTENCES)] for step in range(4)]
    return " ".join(picked)


def _body(index: int, paragraphs: int) -> str:
    text = "\n\n".join(_paragraph(index * 7 + n) for n in range(paragraphs))
    link = "" if index == 1 else "\n\nComo [la primera](resena-01.md), mira desde la casa."
    return f"{text}[^n]{link}\n\n[^n]: Nota de la reseña {index}.\n"


def _book(make_project: ProjectMaker) -> Path:
    reviews = {
        f"resena-{i:02d}.md": review(
            title=f"Reseña número {i}",
            film=f"Película {i}",
            year=1940 + i,
            body=_body(i, 3 + i % 3),
        )
        for i in range(1, 10)
    }
    return make_project(reviews)


def _build(anthology: Path, out: Path, workers: int, **options: object) -> list[Progress]:
    events: list[Progress] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        request = BuildRequest(
            anthology, frozenset({Format.PDF}), out, workers=workers,
            progress=events.append, **options,  # type: ignore[arg-type]
        )  # fmt: skip
        result = build(request)
    assert not [d for d in result.diagnostics if d.severity.value == "error"]
    return events


def _chunks(events: list[Progress], verb: str, label: str = "print PDF") -> set[str]:
    """Chunk names of the `laid out` / `reused` events of one PDF (the print PDF's include the
    one layout of both, `of the print and screen PDFs`), the screen PDF's cover left out."""
    endings = [f"of the {label}"]
    if label == "print PDF":
        endings.append("of the print and screen PDFs")
    found = set()
    for event in events:
        if event.what.startswith(f"{verb} chunk ") and event.what.endswith(tuple(endings)):
            found.add(event.what.split()[3 if verb == "laid out" else 2])
    return found - {"cover"}


def _pdfs(out: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(out.glob("*.pdf"))}


def test_chunked_parallel_cached_build_equals_one_worker_clean_build(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    anthology = _book(make_project)
    _build(anthology, tmp_path / "one", 1, clean=True)
    two = _build(anthology, tmp_path / "two", 2, clean=True)
    cached = _build(anthology, tmp_path / "cached", 2)
    clean = _pdfs(tmp_path / "one")
    assert len(clean) == 2
    assert _pdfs(tmp_path / "two") == clean
    assert _pdfs(tmp_path / "cached") == clean
    # The book was cut in several chunks, all laid out by the clean build, all reused after.
    chunks = _chunks(two, "laid out")
    assert len(chunks) >= 4
    assert _chunks(cached, "reused") == chunks
    assert _chunks(cached, "laid out") == set()


def test_an_edit_lays_out_only_the_edited_reviews_chunk(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    anthology = _book(make_project)
    _build(anthology, tmp_path / "out", 2)
    edited = anthology.parent / "reviews" / "resena-07.md"
    # The same number of letters: nothing moves but the words of one review.
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("pueblo", "aldea!", 1), encoding="utf-8"
    )
    events = _build(anthology, tmp_path / "out", 2)
    book = render(load(anthology)[0], Target.PRINT_PDF)
    holding = {piece.name for piece in split(book) if "resena-07" in piece.ids}
    assert len(holding) == 1
    assert _chunks(events, "laid out") == holding
    # …once, for both PDFs: the screen PDF is written from the print chunk's layout.
    assert _chunks(events, "laid out", "screen PDF") == set()
    # A longer review moves the pages after it: its chunk, the later ones and the contents
    # (their page numbers) are laid out again; the chunks before it are not.
    before = len(pikepdf.open(next((tmp_path / "out").glob("*-print.pdf"))).pages)
    edited.write_text(
        edited.read_text(encoding="utf-8") + "".join("\n\n" + _paragraph(n) for n in range(16)),
        encoding="utf-8",
    )
    events = _build(anthology, tmp_path / "out", 2)
    assert len(pikepdf.open(next((tmp_path / "out").glob("*-print.pdf"))).pages) > before
    pieces = [piece.name for piece in split(book)]
    position = pieces.index(next(iter(holding)))
    laid, reused = _chunks(events, "laid out"), _chunks(events, "reused")
    assert set(pieces[position:]) <= laid
    assert set(pieces[1:position]) <= reused
    assert pieces[0] in laid  # the contents print the moved page numbers
    # …and the result is the clean build's.
    _build(anthology, tmp_path / "clean", 1, clean=True)
    assert _pdfs(tmp_path / "out") == _pdfs(tmp_path / "clean")


def _page_texts(path: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")


def _outline(pdf: pikepdf.Pdf) -> list[tuple[int, str, int]]:
    pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
    found: list[tuple[int, str, int]] = []

    def walk(items: list[pikepdf.OutlineItem], depth: int) -> None:
        for item in items:
            found.append((depth, item.title, pages[item.destination[0].objgen]))
            walk(item.children, depth + 1)

    with pdf.open_outline() as outline:
        walk(outline.root, 1)
    return found


def _links(pdf: pikepdf.Pdf) -> list[tuple[int, int]]:
    """(page of the link, page its named destination is on) for every internal link."""
    pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
    names = pikepdf.NameTree(pdf.Root.Names.Dests)
    found = []
    for index, page in enumerate(pdf.pages):
        for annotation in page.obj.get("/Annots", []):
            if "/Dest" in annotation:
                found.append((index, pages[names[str(annotation.Dest)][0].objgen]))
    return found


def _tags(pdf: pikepdf.Pdf) -> list[int]:
    """Per page: how many marked-content items the ParentTree maps (every page has its own
    entry, keyed by its StructParents); then the links' StructParent entries, counted."""
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    entries = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    counts = [len(entries[int(page.obj.StructParents)]) for page in pdf.pages]
    annotations = [a for page in pdf.pages for a in page.obj.get("/Annots", [])]
    assert all(entries[int(a.StructParent)].objgen != (0, 0) for a in annotations)
    return [*counts, len(annotations)]


@pytest.mark.parametrize("target", [Target.SCREEN_PDF, Target.PRINT_PDF])
def test_merged_pdf_reads_like_one_layout(
    make_project: ProjectMaker, tmp_path: Path, target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    anthology = _book(make_project)
    _build(anthology, tmp_path / "out", 2, cache=False, validate=True)
    printed = target is Target.PRINT_PDF
    chunked = next(
        p for p in (tmp_path / "out").glob("*.pdf") if p.stem.endswith("-print") == printed
    )
    book = render(load(anthology)[0], target)
    whole_export = export_pdf(book)
    whole = tmp_path / "whole.pdf"
    whole.write_bytes(whole_export.data)
    assert _page_texts(chunked) == _page_texts(whole)
    with pikepdf.open(chunked) as merged, pikepdf.open(whole) as one:
        assert merged.pdf_version == one.pdf_version
        assert len(merged.pages) == len(one.pages)
        assert _outline(merged) == _outline(one)
        assert _links(merged) == _links(one)
        # The print PDF annotates no link (PDF/X: export/pdf/carried.py); the screen PDF does.
        assert len(_links(one)) >= 8 if target is Target.SCREEN_PDF else _links(one) == []
        if target is Target.SCREEN_PDF:
            assert _tags(merged) == _tags(one)
    if target is Target.PRINT_PDF:
        assert export_chunked(book, 2).pagination == whole_export.pagination


@pytest.mark.parametrize(
    "rule",
    [
        ".review { break-before: page; }",  # reviews no longer open on a recto
        "@page :right { @bottom-right { content: counter(page) ' / ' counter(pages); } }",
    ],
)
def test_a_book_that_cannot_be_chunked_is_laid_out_whole(
    make_project: ProjectMaker, monkeypatch: pytest.MonkeyPatch, rule: str
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    reviews = {f"resena-{i:02d}.md": review(title=f"R {i}", body=_body(i, 2)) for i in range(1, 5)}
    anthology = make_project(
        reviews, ONE_PART_TOML.replace("front = []", 'front = []\nextra_css = ["casa.css"]')
    )
    (anthology.parent / "casa.css").write_text(rule + "\n", encoding="utf-8")
    book = render(load(anthology)[0], Target.PRINT_PDF)
    assert export_chunked(book, 2).data == export_pdf(book).data


def test_workers_must_be_a_positive_number(capsys: pytest.CaptureFixture[str]) -> None:
    from publisher.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["build", "--workers", "0"])
    assert exited.value.code == 2
    expected = "argument --workers: a number of processes, 1 or more; got `0`"
    assert expected in capsys.readouterr().err

"""One font per face in the PDF laid out in chunks (export/font_union.py, issue 17).

Each chunk is written with its own font subsets; the merge makes one font, one program, per
face: as many as a whole layout embeds, drawing every page as the whole layout does, with the
same text layer and every glyph its source font's own (the glyph check). A union that loses
one chunk's glyphs is seen by the same checks.
"""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest

from publisher.base.rendered import RenderedBook, Target
from publisher.export import chunked, font_cmaps, font_programs, font_union
from publisher.export.chunkdata import ChunkPdf
from publisher.export.merge import merge
from publisher.export.pdf import book_id, export_pdf
from publisher.pipeline import load, render
from publisher.validation.glyphs import check_glyphs
from tests.conftest import ONE_PART_TOML, review
from tests.test_chunked_layout import EPOCH, _body

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("pdftotext")), reason="needs poppler"
)
PROGRAMS = ("/FontFile", "/FontFile2", "/FontFile3")


@dataclass(frozen=True)
class Laid:
    """A book's print PDF laid out in chunks (before the merge) and laid out whole."""

    book: RenderedBook
    chunks: list[ChunkPdf]
    whole: Path
    folder: Path


@pytest.fixture(scope="module")
def laid(tmp_path_factory: pytest.TempPathFactory) -> Laid:
    folder = tmp_path_factory.mktemp("fonts")
    manuscripts = folder / "manuscripts"
    (manuscripts / "reviews").mkdir(parents=True)
    (manuscripts / "front").mkdir()
    anthology = manuscripts / "anthology.toml"
    anthology.write_text(textwrap.dedent(ONE_PART_TOML), encoding="utf-8")
    for i in range(1, 8):
        # Italics and stars in some reviews only (the first and last in different chunks):
        # each chunk fills different glyphs. U+E000 is in no font: drawn as .notdef through
        # an encoding CMap in its chunk.
        extra = {1: "\n\nDos estrellas ☆☆.", 4: "\n\n*Cursiva: ¿quién?*", 7: "\n\n*Ya.* ★ \ue000"}
        text = review(
            title=f"Reseña {i}", film=f"Película {i}", body=_body(i, 2) + extra.get(i, "")
        )
        (manuscripts / "reviews" / f"resena-{i:02d}.md").write_text(text, encoding="utf-8")
    captured: list[list[ChunkPdf]] = []
    original = chunked.lay_out
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        patch.setattr(chunked, "lay_out", lambda *args: _kept(captured, original(*args)))
        book = render(load(anthology)[0], Target.PRINT_PDF)
        chunked.export_chunked(book, 1)
        whole = folder / "whole.pdf"
        whole.write_bytes(export_pdf(book).data)
    return Laid(book, captured[0], whole, folder)


def _kept(captured: list[list[ChunkPdf]], chunks: list[ChunkPdf]) -> list[ChunkPdf]:
    captured.append(chunks)
    return chunks


def _merged(laid: Laid, name: str) -> Path:
    path = laid.folder / name
    path.write_bytes(merge(laid.chunks, book_id(laid.book)))
    return path


def _programs_by_face(path: Path) -> dict[str, set[tuple[int, int]]]:
    """Face (BaseFont without its subset tag) → the font program streams its fonts embed."""
    found: dict[str, set[tuple[int, int]]] = defaultdict(set)
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for font in page.obj.Resources.get("/Font", {}).values():
                descriptor = font.DescendantFonts[0].FontDescriptor
                face = str(font.BaseFont).split("+", 1)[1]
                found[face] |= {descriptor[k].objgen for k in PROGRAMS if k in descriptor}
    return dict(found)


def _encodings(path: Path) -> dict[str, str]:
    """Face → the name of its embedded encoding CMap, for the faces not Identity-H."""
    found = {}
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for font in page.obj.Resources.get("/Font", {}).values():
                if isinstance(font.Encoding, pikepdf.Stream):
                    found[str(font.BaseFont).split("+", 1)[1]] = str(font.Encoding.CMapName)
    return found


def _embedded_programs(path: Path) -> int:
    """Font program streams written in the file, whoever uses them."""
    with pikepdf.open(path) as pdf:
        descriptors = [
            item
            for item in pdf.objects
            if isinstance(item, pikepdf.Dictionary) and item.get("/Type") == "/FontDescriptor"
        ]
        return len({d[k].objgen for d in descriptors for k in PROGRAMS if k in d})


def _pages(path: Path) -> list[bytes]:
    """Every page drawn at 70 dpi (PPM bytes)."""
    folder = path.with_suffix("")
    folder.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "70", str(path), str(folder / "page")], check=True)
    return [page.read_bytes() for page in sorted(folder.glob("page-*.ppm"))]


def _differing(pages: list[bytes], expected: list[bytes]) -> list[int]:
    """Indexes of the pages drawn otherwise (all of them when the counts differ)."""
    if len(pages) != len(expected):
        return list(range(max(len(pages), len(expected))))
    return [
        index for index, (page, own) in enumerate(zip(pages, expected, strict=True)) if page != own
    ]


def _text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_the_merged_pdf_embeds_one_font_per_face_drawn_as_one_layout(laid: Laid) -> None:
    merged = _merged(laid, "merged.pdf")
    chunk_faces = 0
    for chunk in laid.chunks:
        path = laid.folder / "chunk.pdf"
        path.write_bytes(chunk.data)
        chunk_faces += len(_programs_by_face(path))
    faces = _programs_by_face(merged)
    assert len(laid.chunks) >= 3
    assert chunk_faces > len(faces)  # the chunks held a subset of some face each
    assert {face: len(programs) for face, programs in faces.items()} == dict.fromkeys(faces, 1)
    assert set(faces) == set(_programs_by_face(laid.whole))
    assert {"EB-Garamond", "EB-Garamond-Italic", "Noto-Sans-Symbols2"} <= set(faces)
    assert _embedded_programs(merged) == len(faces) == _embedded_programs(laid.whole)
    assert merged.stat().st_size <= 1.05 * laid.whole.stat().st_size
    whole_pages = _pages(laid.whole)
    assert len(whole_pages) > 10
    assert _differing(_pages(merged), whole_pages) == []
    assert _text(merged) == _text(laid.whole)
    glyphs = check_glyphs(merged)
    assert [d.message for d in glyphs.errors] == [
        d.message for d in check_glyphs(laid.whole).errors
    ]
    assert [d.message.split(":")[0] for d in glyphs.errors] == [
        "“\ue000” (U+E000) in font EBGaramond12-Regular"
    ]
    assert glyphs.counts["glyphs"] > 50
    assert _encodings(merged) == _encodings(laid.whole) == {"EB-Garamond": "/WP-Encod-0"}
    assert _merged(laid, "again.pdf").read_bytes() == merged.read_bytes()


def test_a_union_that_drops_one_chunks_glyphs_is_seen(
    laid: Laid, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deliberate fault: the second program of each face adds none of its glyphs."""
    take = font_programs._take_glyphs
    donors: dict[int, int] = defaultdict(int)

    def dropping(base: object, donor: object, pairs: list[tuple[str, str]]) -> bool:
        donors[id(base)] += 1
        return True if donors[id(base)] == 1 else take(base, donor, pairs)

    monkeypatch.setattr(font_programs, "_take_glyphs", dropping)
    merged = _merged(laid, "faulty.pdf")
    drawn = _pages(merged)
    whole_pages = _pages(laid.whole)
    assert len(drawn) == len(whole_pages)
    assert _differing(drawn, whole_pages)
    messages = [d.message for d in check_glyphs(merged).errors]
    wrong = [message for message in messages if "is not the installed font's glyph" in message]
    assert wrong


def test_faces_that_cannot_be_joined_keep_a_subset_per_chunk_each_its_own_tag(
    laid: Laid, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the programs cannot be joined, each chunk's subset stays, tagged from its bytes
    (ISO 32000-1 §9.6.4: different subsets in one file, different tags), drawn as before."""
    monkeypatch.setattr(font_union, "union_program", lambda programs: None)
    merged = _merged(laid, "apart.pdf")
    with pikepdf.open(merged) as pdf:
        tags: dict[str, set[bytes]] = defaultdict(set)  # tag → its programs' bytes
        for page in pdf.pages:
            for font in page.obj.Resources.get("/Font", {}).values():
                descriptor = font.DescendantFonts[0].FontDescriptor
                assert str(descriptor.FontName) == str(font.BaseFont)
                tags[str(font.BaseFont)] |= {
                    descriptor[k].read_bytes() for k in PROGRAMS if k in descriptor
                }
    assert len(tags) > 3
    assert all(len(programs) == 1 for programs in tags.values())
    assert _differing(_pages(merged), _pages(laid.whole)) == []


def test_cmaps_read_back_what_they_write() -> None:
    texts = {3: " ", 0x42: "a", 0x2D1: "fi", 0x119: "☆", 0x1F600 % 0x10000: "😀"}
    texts |= {cid: chr(0x400 + cid) for cid in range(500, 730)}  # more than two blocks
    pdf = pikepdf.new()
    stream = pikepdf.Stream(pdf, font_cmaps.to_unicode_cmap(texts))
    assert font_cmaps.texts_of(stream) == texts
    cids = {cid: cid for cid in range(1, 250)} | {0xE000: 0}
    encoding = pikepdf.Stream(pdf, font_cmaps.cid_cmap(cids, "WP-Encod-0"))
    assert font_cmaps.cids_of(encoding) == cids
    ranged = b"2 beginbfrange <0010> <0012> <0041> <0020> <0021> [<0066006C> <00DF>] endbfrange"
    assert font_cmaps.texts_of(pikepdf.Stream(pdf, ranged)) == {
        0x10: "A",
        0x11: "B",
        0x12: "C",
        0x20: "fl",
        0x21: "ß",
    }

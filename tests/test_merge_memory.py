"""The merge of a chunked PDF holds one chunk at a time (export/merge.py, issue 17).

A tagged chunk is made here with pikepdf, shaped as WeasyPrint writes one (pages with marked
content, one structure element per marked run, a link tagged with an OBJR, a ParentTree, named
destinations): the merge of 16 copies of it must not take more memory than the merge of 4
copies, beyond the output's own bytes. Each merge runs in a fresh child process, whose peak
resident set size (`ru_maxrss`) is read before and after the merge.
"""

from __future__ import annotations

import io
import resource
import subprocess
import sys
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from publisher.export.chunkdata import ChunkPdf, Shape
from publisher.export.merge import merge

PAGES = 4
RUNS = 500  # marked runs (structure elements) per page
ROOT = Path(__file__).resolve().parent.parent
BOOK_ID = "0123456789abcdef0123456789abcdef"


def synthetic_chunk(
    pages: int = PAGES, runs: int = RUNS, prefix: str = "escena", last: str = "sin-caja",
    word: str = "Escena",
) -> ChunkPdf:  # fmt: skip
    """A tagged chunk of `pages` pages, each with `runs` marked runs of text (`word` and a
    number) and one link to the next page's named destination (`prefix`-page index); the
    last page's goes to `last` (by default a name no chunk holds)."""
    pdf = pikepdf.new()
    tree = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=tree))
    font = pdf.make_indirect(
        Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    )
    names = pikepdf.NameTree.new(pdf)
    kids: list[pikepdf.Object] = []
    page_parents: list[pikepdf.Object] = []
    link_parents: list[pikepdf.Object] = []
    for index in range(pages):
        page = pdf.add_blank_page(page_size=(420, 595)).obj
        runs_text = b"".join(
            b"/P <</MCID %d>> BDC BT /F1 6 Tf %d %d Td (%s %d) Tj ET EMC\n"
            % (run, 10 + 100 * (run % 4), 20 + (run // 4) % 560, word.encode(), run)
            for run in range(runs)
        )
        page.Contents = pdf.make_stream(runs_text)
        page.Resources = Dictionary(Font=Dictionary(F1=font))
        page.StructParents = index
        elements = [
            pdf.make_indirect(
                Dictionary(Type=Name.StructElem, S=Name.P, P=document, Pg=page, K=run)
            )
            for run in range(runs)
        ]
        target = f"{prefix}-{index + 1}" if index < pages - 1 else last
        link = pdf.make_indirect(
            Dictionary(
                Type=Name.Annot,
                Subtype=Name.Link,
                Rect=Array([10, 10, 60, 20]),
                Dest=String(target),
                StructParent=pages + index,
            )
        )
        page.Annots = Array([link])
        objr = Dictionary(Type=Name.OBJR, Obj=link, Pg=page)
        tagged = pdf.make_indirect(
            Dictionary(Type=Name.StructElem, S=Name.Link, P=document, Pg=page, K=Array([objr]))
        )
        kids += [*elements, tagged]
        page_parents.append(Array(elements))
        link_parents.append(tagged)
        names[f"{prefix}-{index}"] = Array([page, Name.XYZ, 0, 595, 0])
    numbers: list[pikepdf.Object | int] = []
    for key, value in enumerate([*page_parents, *link_parents]):
        numbers += [key, value]
    document.K = Array(kids)
    tree.K = Array([document])
    tree.ParentTree = pdf.make_indirect(Dictionary(Nums=Array(numbers)))
    pdf.Root.StructTreeRoot = tree
    pdf.Root.Names = Dictionary(Dests=names.obj)
    pdf.docinfo[Name.Title] = String("Escenas")
    buffer = io.BytesIO()
    pdf.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.generate, deterministic_id=True)
    shape = Shape(pages, (), (), (), False, ())
    return ChunkPdf(shape, 1, (), buffer.getvalue(), ())


def merge_growth(copies: int) -> tuple[int, int]:
    """(growth of the peak RSS over the merge of `copies` copies of one chunk, in KiB; the
    merged file's size in bytes). Run in a fresh process (`_main`)."""
    chunk = synthetic_chunk()
    chunks = [chunk] * copies
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    data = merge(chunks, BOOK_ID)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pikepdf.open(io.BytesIO(data)) as merged:
        assert len(merged.pages) == PAGES * copies
    return after - before, len(data)


def _child(copies: int) -> tuple[int, int]:
    code = f"from tests.test_merge_memory import merge_growth; print(*merge_growth({copies}))"
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    growth, size = run.stdout.split()
    return int(growth), int(size)


def test_the_merges_memory_does_not_grow_with_the_book() -> None:
    small, small_size = _child(4)
    large, large_size = _child(16)
    # The output's bytes grow with the book (held twice: the buffer and its value); the
    # objects of 12 more chunks (24,000 structure elements, ~2 KiB each in qpdf) must not.
    allowance = 2 * (large_size - small_size) // 1024 + 8 * 1024
    assert large - small <= allowance, (small, large, allowance)


def test_a_merged_synthetic_book_keeps_every_tag_and_drops_the_dangling_link() -> None:
    chunk = synthetic_chunk(pages=3, runs=5)
    with pikepdf.open(io.BytesIO(merge([chunk, chunk], BOOK_ID))) as merged:
        assert len(merged.pages) == 6
        tree = merged.Root.StructTreeRoot
        document = tree.K[0]
        assert len(document.K) == 2 * 3 * 6  # 5 runs and one link element per page
        assert all(kid.P.objgen == document.objgen for kid in document.K)
        nums = tree.ParentTree.Nums
        entries = {int(nums[position]): nums[position + 1] for position in range(0, len(nums), 2)}
        keys = [int(nums[position]) for position in range(0, len(nums), 2)]
        assert keys == sorted(keys)  # a number tree's keys ascend
        # Each page and each link kept is keyed by its own object number (unique in the file;
        # each chunk's last page's link is dropped).
        pages = [page.obj.objgen for page in merged.pages]
        links = [a for page in merged.pages for a in page.obj.get("/Annots", Array())]
        assert [int(page.obj.StructParents) for page in merged.pages] == [n for n, _ in pages]
        assert [int(link.StructParent) for link in links] == [link.objgen[0] for link in links]
        assert sorted(keys) == sorted([n for n, _ in pages] + [link.objgen[0] for link in links])
        assert len(keys) == 6 + 4
        assert [str(link.Dest) for link in links] == ["escena-1", "escena-2"] * 2
        for link in links:
            assert entries[int(link.StructParent)].K[0].Obj.objgen == link.objgen
        for page in merged.pages:
            marked = entries[int(page.obj.StructParents)]
            assert [int(element.K) for element in marked] == list(range(5))
            assert all(element.Pg.objgen == page.obj.objgen for element in marked)
        dests = pikepdf.NameTree(merged.Root.Names.Dests)
        assert sorted(dests.keys()) == ["escena-0", "escena-1", "escena-2"]
        assert dests["escena-2"][0].objgen == pages[2]  # the first chunk's wins
    assert merge([chunk, chunk], BOOK_ID) == merge([chunk, chunk], BOOK_ID)

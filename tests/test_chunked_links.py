"""Links across chunks to an anchor that has no box (issue 17): the merged PDF keeps no link to
a destination it does not hold, as WeasyPrint's one layout drops a link to an anchor it did not
place (`resolve_links`: "No anchor #… for internal URI reference").
"""

from __future__ import annotations

import io
import shutil

import pikepdf
import pytest

from publisher.base.rendered import Target
from publisher.export.chunked import export_chunked, split
from publisher.export.pdf import export_pdf
from publisher.pipeline import load, render
from tests.conftest import ONE_PART_TOML, ProjectMaker, review
from tests.test_chunked_layout import EPOCH, _body

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler")
# A heading of the first review, hidden by the project's stylesheet: it has no box. Nothing
# prints its page number (target-counter), so the book is still laid out in chunks.
HIDDEN = "#resena-01-rodaje { display: none; }\n"


def _names(pdf: pikepdf.Pdf) -> set[str]:
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return set()
    return set(pikepdf.NameTree(names.Dests).keys())


def _link_names(pdf: pikepdf.Pdf) -> list[str]:
    """The destination named by every link annotation, in page order (`/Dest`, or a GoTo
    action's `/D`)."""
    found: list[str] = []
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", []):
            if "/Dest" in annotation:
                found.append(str(annotation.Dest))
            elif "/A" in annotation and "/D" in annotation.A:
                found.append(str(annotation.A.D))
    return found


def _objr_targets(pdf: pikepdf.Pdf) -> list[pikepdf.Object]:
    """Every annotation an OBJR of the structure tree names."""
    found: list[pikepdf.Object] = []
    for item in pdf.objects:
        if isinstance(item, pikepdf.Dictionary) and item.get("/Type") == pikepdf.Name.OBJR:
            found.append(item.Obj)
    return found


@pytest.mark.parametrize("target", [Target.SCREEN_PDF, Target.PRINT_PDF])
def test_a_link_to_an_anchor_without_a_box_is_dropped_as_one_layout_drops_it(
    make_project: ProjectMaker, monkeypatch: pytest.MonkeyPatch, target: Target
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)

    bodies = {i: _body(i, 3) for i in range(1, 10)}
    bodies[1] = "## Rodaje\n\nSe rodó en un pueblo de Segovia.\n\n" + bodies[1]
    bodies[9] += "\nSobre [el rodaje](resena-01.md#rodaje) de la primera.\n"
    reviews = {
        f"resena-{i:02d}.md": review(title=f"Reseña {i}", film=f"Película {i}", body=text)
        for i, text in bodies.items()
    }
    toml = ONE_PART_TOML.replace("front = []", 'front = []\nextra_css = ["oculta.css"]')
    anthology = make_project(reviews, toml)
    (anthology.parent / "oculta.css").write_text(HIDDEN, encoding="utf-8")
    book = render(load(anthology)[0], target)
    pieces = split(book)
    holder = next(piece for piece in pieces if "resena-01-rodaje" in piece.ids)
    linking = [piece for piece in pieces if "resena-01-rodaje" in piece.targets]
    assert [piece.name for piece in linking] == [pieces[-5].name]  # review 9's chunk
    assert holder is not linking[0]
    chunked = export_chunked(book, 2)
    whole = export_pdf(book)
    assert chunked.pages == whole.pages
    with (
        pikepdf.open(io.BytesIO(chunked.data)) as merged,
        pikepdf.open(io.BytesIO(whole.data)) as one,
    ):
        assert "resena-01-rodaje" not in _names(one)
        assert "resena-01-rodaje" not in _link_names(one)
        assert set(_link_names(merged)) <= _names(merged)
        assert _link_names(merged) == _link_names(one)
        annotations = [a.objgen for page in merged.pages for a in page.obj.get("/Annots", [])]
        if target is Target.SCREEN_PDF:
            assert sorted(o.objgen for o in _objr_targets(merged)) == sorted(annotations)
            nums = merged.Root.StructTreeRoot.ParentTree.Nums
            keys = [int(nums[i]) for i in range(0, len(nums), 2)]
            # One key per page and per link kept: its own object number (export/merge.py).
            pages = [page.obj.objgen[0] for page in merged.pages]
            assert keys == sorted(pages + [number for number, _ in annotations])

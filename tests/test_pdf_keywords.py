"""Both PDFs carry the anthology's subjects as the document's Keywords (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pypdf

from publisher.pipeline import BuildRequest, Format, build

from .conftest import ONE_PART_TOML, ProjectMaker, review

# A subject with commas of its own, and one that repeats a part of it: each stays whole.
SUBJECTS = ("Cine bélico", "Guerra Civil española, 1936-1939, en el cine", "1936-1939")


def test_both_pdfs_carry_the_subjects_as_keywords(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    toml = ONE_PART_TOML.replace(
        'subjects = ["Cine"]', "subjects = [" + ", ".join(f'"{s}"' for s in SUBJECTS) + "]"
    )
    anthology = make_project({"belchite.md": review()}, toml)
    outputs = build(
        BuildRequest(anthology, frozenset({Format.PDF}), tmp_path / "dist", cache=False)
    ).outputs
    pdfs = sorted(output.path for output in outputs if output.path.suffix == ".pdf")
    assert len(pdfs) == 2, pdfs  # screen and print
    for pdf in pdfs:
        info = pypdf.PdfReader(pdf).metadata
        assert info is not None, pdf
        assert info.get("/Keywords") == ", ".join(SUBJECTS), pdf
    # The screen PDF is PDF/UA-1: its XMP packet says the same.
    [screen] = [pdf for pdf in pdfs if not pdf.name.endswith("-print.pdf")]
    xmp = pypdf.PdfReader(screen).xmp_metadata
    assert xmp is not None
    assert xmp.pdf_keywords == ", ".join(SUBJECTS)

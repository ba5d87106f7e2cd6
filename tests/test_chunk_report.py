"""What `publisher build -v` and `--json` say of the chunks of the PDFs (issue 17, a new
user's trial): each chunk once, with the editions it is for (the front matter is laid out twice
but said once; one layout serves both PDFs; the screen PDF's cover is a chunk of its own), and
per PDF edition how many chunks were laid out and how many were reused from the cache."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from publisher.base.rendered import Target
from publisher.cli.main import main
from publisher.export.chunked import split
from publisher.pipeline import load, render

from .conftest import ProjectMaker
from .test_chunked_layout import EPOCH, _book

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler")
TIME = re.compile(r"^publisher: \[ *[0-9.]+s\] ")


def _build(
    anthology: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[list[str], dict[str, object]]:
    """The `-v` lines about chunks (without their time), and each PDF's `chunks` in the
    JSON report, by file name."""
    report = anthology.parent.parent / "report.json"
    args = [str(anthology), "-f", "pdf", "-o", "out", "-v", "--workers", "1", "--json"]
    assert main(["build", *args, str(report)]) == 0
    said = [TIME.sub("", line) for line in capsys.readouterr().err.splitlines()]
    outputs = json.loads(report.read_text(encoding="utf-8"))["outputs"]
    chunks = {Path(output["path"]).name: output["chunks"] for output in outputs}
    return [line for line in said if " chunk " in line], chunks


def test_each_chunk_is_said_once_and_counted_per_pdf(
    make_project: ProjectMaker, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    anthology = _book(make_project)
    monkeypatch.chdir(anthology.parent.parent)
    pieces = [piece.name for piece in split(render(load(anthology)[0], Target.PRINT_PDF))]
    assert "front-000" in pieces and len(pieces) >= 4
    lines, chunks = _build(anthology, capsys)
    assert [line for line, times in Counter(lines).items() if times > 1] == []
    assert sorted(lines) == sorted(
        [f"laid out chunk {name} of the print and screen PDFs" for name in pieces]
        + ["laid out chunk cover of the screen PDF"]
    )
    every = len(pieces)
    assert chunks == {
        "antologia-de-prueba-print.pdf": {"laid_out": every, "reused": 0},
        "antologia-de-prueba.pdf": {"laid_out": every + 1, "reused": 0},
    }
    # One review edited (as many letters: nothing moves): its chunk alone is laid out again.
    edited = anthology.parent / "reviews" / "resena-07.md"
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("pueblo", "aldea!", 1), encoding="utf-8")
    holding = next(
        p.name for p in split(render(load(anthology)[0], Target.PRINT_PDF)) if "resena-07" in p.ids
    )
    lines, chunks = _build(anthology, capsys)
    assert sorted(lines) == sorted(
        [f"laid out chunk {holding} of the print and screen PDFs"]
        + [
            f"reused chunk {name} of the print and screen PDFs"
            for name in pieces
            if name != holding
        ]
        + ["reused chunk cover of the screen PDF"]
    )
    assert chunks == {
        "antologia-de-prueba-print.pdf": {"laid_out": 1, "reused": every - 1},
        "antologia-de-prueba.pdf": {"laid_out": 1, "reused": every},
    }
    # Nothing changed: nothing laid out, the outputs up to date (no chunks in this build).
    lines, chunks = _build(anthology, capsys)
    assert lines == []
    assert chunks == {"antologia-de-prueba-print.pdf": None, "antologia-de-prueba.pdf": None}

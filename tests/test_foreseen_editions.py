"""After an edit, the web edition and the EPUB are made while the PDFs' chunks are laid out,
on the print pagination the last build recorded (passes.py `render_and_export`, issue 17:
the edit's tail), and kept when the print PDF's pagination comes out the same; made again when
the edit moved it. Either way the files are those of a clean build. A build that keeps every
worker busy (every chunk laid out again) makes them after the layout, as a cold build does.

Seen through the order of what the build did (its renders and progress events), not timings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from publisher import passes, pipeline
from publisher.base.progress import Progress
from publisher.base.rendered import Target
from publisher.pipeline import BuildRequest, Format
from tests.conftest import ProjectMaker
from tests.test_chunked_layout import EPOCH, SENTENCES, _book

# Appended to one review: a sentence (the book's pages stay where they were), or enough
# paragraphs to give that review more pages (every page after it moves).
SENTENCE = "\n\nGarci filma la posguerra con una melancolía que no pide perdón.\n"
EDITIONS = ["web edition", "EPUB", "print PDF", "screen PDF"]  # said done in that order
PAGES = "".join(f"\n\n{' '.join(SENTENCES)}" for _ in range(8)) + "\n"


def _build(anthology: Path, out: Path, log: list[str], **options: object) -> None:
    """All formats, two workers; `log` gets `render <target>` for each render and the what
    of each progress event, in order."""

    def told(event: Progress) -> None:
        log.append(event.what)

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        rendering = passes.render  # what the passes render each edition with

        def render(anthology: Any, target: Target, *args: Any) -> Any:
            log.append(f"render {target.value}")
            return rendering(anthology, target, *args)

        patch.setattr(passes, "render", render)
        request = BuildRequest(
            anthology, frozenset(Format), out, workers=2, progress=told,
            **options,  # type: ignore[arg-type]
        )  # fmt: skip
        result = pipeline.build(request)
    assert not [d for d in result.diagnostics if d.severity.value == "error"]


def _files(out: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(out.iterdir()) if path.is_file()}


def _edited(make_project: ProjectMaker, tmp_path: Path, added: str) -> tuple[list[str], bool]:
    """A warm build, then `added` appended to one review and the book built again: what that
    build did, and whether its files are a clean build's."""
    anthology = _book(make_project)
    _build(anthology, tmp_path / "out", [])
    edited = anthology.parent / "reviews" / "resena-05.md"
    edited.write_text(edited.read_text(encoding="utf-8") + added, encoding="utf-8")
    log: list[str] = []
    _build(anthology, tmp_path / "out", log)
    _build(anthology, tmp_path / "clean", [], clean=True)
    return log, _files(tmp_path / "out") == _files(tmp_path / "clean")


def _done(log: list[str]) -> list[str]:
    return [line for line in log if " done" in line]


def test_an_edit_makes_the_paginated_editions_while_its_chunk_is_laid_out(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    log, same = _edited(make_project, tmp_path, SENTENCE)
    laid = [i for i, line in enumerate(log) if line.startswith("laid out chunk ")]
    renders = [line for line in log if line.startswith("render ")]
    assert len(laid) == 1  # the edited review's chunk
    # Rendered once each, before the pool's answer for that chunk was read; kept.
    assert renders == ["render screen", "render print", "render web", "render epub"]
    assert log.index("render epub") < laid[0]
    assert log.index("writing the EPUB") < laid[0]
    # Each edition said done once, in order, only once the print pagination was known.
    assert [line.split(" done")[0] for line in _done(log)] == EDITIONS
    assert log.index("web edition done") > laid[0]
    assert same


def test_an_edit_that_moves_the_pages_makes_the_paginated_editions_again(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    log, same = _edited(make_project, tmp_path, PAGES)
    assert same  # not the editions made on the pages as they were
    laid = [i for i, line in enumerate(log) if line.startswith("laid out chunk ")]
    renders = [line for line in log if line.startswith("render ")]
    assert len(laid) > 1  # the edited chunk, and those after it (their folios moved)
    # Made on the last build's pagination while the edited chunk was laid out, then again on
    # the new one: each said done once.
    assert renders == ["render screen", "render print"] + ["render web", "render epub"] * 2
    assert log.index("render epub") < laid[0]
    assert [line.split(" done")[0] for line in _done(log)] == EDITIONS


def test_a_build_that_lays_out_every_chunk_does_not_make_them_meanwhile(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    anthology = _book(make_project)
    _build(anthology, tmp_path / "out", [])
    for edited in sorted((anthology.parent / "reviews").glob("*.md")):
        edited.write_text(edited.read_text(encoding="utf-8") + SENTENCE, encoding="utf-8")
    log: list[str] = []
    _build(anthology, tmp_path / "out", log)
    laid = [i for i, line in enumerate(log) if line.startswith("laid out chunk ")]
    # Every review edited (a theme change does the same): every worker busy laying out, so
    # the paginated editions wait for the print pagination, as in a cold build.
    assert len(laid) >= 4
    assert log.index("render web") > laid[-1]
    assert [line for line in log if line.startswith("render ")][2:] == ["render web", "render epub"]

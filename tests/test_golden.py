"""Golden test: the semantic HTML of a small anthology, one file per document, compared by diff.

Regenerate with `make golden` (pytest --update-golden) and review the diff before committing.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from publisher.base.rendered import Target
from publisher.pipeline import load, render

CASE = Path(__file__).parent / "golden" / "mini"


def rendered_documents() -> dict[str, str]:
    anthology, _ = load(CASE / "in" / "manuscripts" / "anthology.toml")
    book = render(anthology, Target.WEB)
    return {f"{index:02d}-{doc.id}.html": doc.body for index, doc in enumerate(book.documents)}


def test_html_matches_golden(request: pytest.FixtureRequest) -> None:
    documents = rendered_documents()
    golden_dir = CASE / "golden"
    if request.config.getoption("--update-golden"):
        golden_dir.mkdir(exist_ok=True)
        for stale in golden_dir.glob("*.html"):
            stale.unlink()
        for name, body in documents.items():
            (golden_dir / name).write_text(body, encoding="utf-8")
    expected = {path.name: path.read_text(encoding="utf-8") for path in golden_dir.glob("*.html")}
    assert sorted(documents) == sorted(expected), "documents added or removed: run make golden"
    for name, body in documents.items():
        diff = "".join(
            difflib.unified_diff(
                expected[name].splitlines(keepends=True),
                body.splitlines(keepends=True),
                f"golden/{name}",
                f"rendered/{name}",
            )
        )
        assert not diff, diff

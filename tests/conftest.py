"""Shared fixtures: small throwaway projects built in tmp_path."""

from __future__ import annotations

import gc
import textwrap
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
DEFAULT_ANTHOLOGY = REPO / "manuscripts" / "anthology.toml"

MINI_TOML = """\
title = "Antología de prueba"
editors = ["Ana Editora"]
publisher = "Prensa de Pruebas"
lang = "es"
date = 2026-01-15
rights = "© 2026"
description = "Una antología mínima."
subjects = ["Cine"]
front = []

[[parts]]
id = "guerra"
title = "La guerra"
select = { tags = ["guerra"] }

[[parts]]
id = "exilio"
title = "El exilio"
select = { tags = ["exilio"] }
order = "title"
"""
# The book `make_project` makes unless told otherwise: MINI_TOML's first part alone, so that a
# book of reviews tagged `guerra` has no empty part (`part-empty`, a warning). Tests that file
# reviews under `exilio` pass MINI_TOML.
ONE_PART_TOML = MINI_TOML.split('\n[[parts]]\nid = "exilio"')[0]


def review(
    title: str = "Una reseña",
    film: str = "Una película",
    year: object = 1990,
    tags: str = "[guerra]",
    extra: str = "",
    body: str = "Texto de la reseña.",
) -> str:
    return (
        "---\n"
        f'title: "{title}"\n'
        "film:\n"
        f'  title: "{film}"\n'
        f"  year: {year}\n"
        '  directors: ["Directora Uno"]\n'
        '  country: "España"\n'
        "  runtime_min: 95\n"
        "date: 2026-01-10\n"
        f"tags: {tags}\n"
        f"{extra}"
        "---\n\n"
        f"{body}\n"
    )


ProjectMaker = Callable[..., Path]


@pytest.fixture
def make_project(tmp_path: Path) -> ProjectMaker:
    """Write `manuscripts/anthology.toml` and reviews; return the anthology file path."""

    def make(
        reviews: dict[str, str], toml: str = ONE_PART_TOML, front: dict[str, str] | None = None
    ) -> Path:
        manuscripts = tmp_path / "manuscripts"
        (manuscripts / "reviews").mkdir(parents=True, exist_ok=True)
        (manuscripts / "front").mkdir(exist_ok=True)
        anthology = manuscripts / "anthology.toml"
        anthology.write_text(textwrap.dedent(toml), encoding="utf-8")
        for name, text in reviews.items():
            (manuscripts / "reviews" / name).write_text(text, encoding="utf-8")
        for name, text in (front or {}).items():
            (manuscripts / "front" / name).write_text(text, encoding="utf-8")
        return anthology

    return make


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite golden files from current output"
    )


def traced_layout(job: Any, access: Any, fonts: Any) -> tuple[float, float, Any]:
    """A chunk job's layout (export/pdf `lay_out_chunk`) measured once WeasyPrint's caches and
    the fonts are warm (a first layout, let go): the peak and what the layout keeps, in KiB of
    Python objects (tracemalloc), and the laid-out chunk."""
    from publisher.export import pdf

    pdf.lay_out_chunk(job, access, fonts)
    gc.collect()
    tracemalloc.start()
    try:
        laid, _ = pdf.lay_out_chunk(job, access, fonts)
        gc.collect()
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1024, kept / 1024, laid

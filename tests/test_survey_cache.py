"""The loader's Markdown readings kept in the build cache (`publisher/survey_cache.py`): a
build after an edit reads only the edited body again; an edit to a manuscript, to the
anthology's language or to the package is seen; a cached manuscript's diagnostics are still
reported, at the same lines and columns, in the same order."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher import pipeline, survey_cache
from publisher.base.diagnostics import Diagnostic
from publisher.load.body import Parsed

from .faults import Project, files, new_project

# The mini book: three reviews, a front piece and a part introduction are read.
READ_COLD = 5
UNINCLUDED = """---
title: "Fuera del libro"
film:
  title: "Las bicicletas son para el verano"
  year: 1984
  directors: ["Jaime Chávarri"]
date: 2026-01-04
tags: [posguerra]
---

Una familia madrileña espera el final de la guerra sin saber qué vendrá después.
"""
# A link to a review the book leaves out (a warning at the link's line and column) and raw
# HTML (a warning too): what the cached reading of this body must still give on every build.
LINKED = '\n\nVéase [la otra](las-bicicletas.md) y <span onclick="x()">esto</span>.\n'


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    return new_project(tmp_path, monkeypatch)


@pytest.fixture
def readings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The bodies the build converts to know their headings and links, in order."""
    read: list[str] = []
    real = pipeline.survey

    def counted(body: str, lang: str) -> Parsed:
        read.append(body)
        return real(body, lang)

    monkeypatch.setattr(pipeline, "survey", counted)
    return read


def _rebuilt(project: Project, readings: list[str]) -> list[str]:
    """The bodies read by a build that is not up to date (a review edited first)."""
    readings.clear()
    project.edit(f"\n\nOtra frase, la número {len(files(project.root))}.\n")
    result = project.build()
    assert not result.up_to_date
    return list(readings)


def test_only_the_edited_body_is_read_again(project: Project, readings: list[str]) -> None:
    project.build()
    assert len(readings) == READ_COLD
    again = _rebuilt(project, readings)
    assert len(again) == 1 and again[0] in project.review.read_text("utf-8")
    assert files(project.dist) == project.reference()


def test_a_change_of_language_reads_every_body_again(project: Project, readings: list[str]) -> None:
    project.build()
    toml = project.anthology.read_text("utf-8")
    project.anthology.write_text(toml.replace('lang = "es"', 'lang = "ca"'), "utf-8")
    # Every manuscript; not the part's introduction, always read as `en` (load/body.py).
    assert len(_rebuilt(project, readings)) == READ_COLD - 1


def test_another_package_reads_every_body_again(
    project: Project, readings: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project.build()
    monkeypatch.setattr(survey_cache, "package_digest", lambda: "another version")
    assert len(_rebuilt(project, readings)) == READ_COLD


def test_the_edited_text_is_what_is_read(project: Project, readings: list[str]) -> None:
    project.build()
    project.edit("\n\n## Un apartado nuevo\n\nCon [un enlace](#un-apartado-nuevo).\n")
    readings.clear()
    project.build()
    assert len(readings) == 1 and "## Un apartado nuevo" in readings[0]
    html = (project.dist / "mini.html").read_text("utf-8")
    assert "Un apartado nuevo</h" in html


def _warnings(found: tuple[Diagnostic, ...]) -> list[str]:
    return [f"{d.path}:{d.line}:{d.col}: {d.code}: {d.message}" for d in found]


def test_a_cached_manuscripts_diagnostics_are_reported_on_every_build(
    project: Project, readings: list[str]
) -> None:
    toml = project.anthology.read_text("utf-8")
    project.anthology.write_text(toml.replace("[[parts]]", "include_all = false\n\n[[parts]]", 1))
    reviews = project.review.parent
    (reviews / "las-bicicletas.md").write_text(UNINCLUDED, "utf-8")
    linked = reviews / "ay-carmela.md"
    linked.write_text(linked.read_text("utf-8") + LINKED, "utf-8")
    first = _warnings(project.build().diagnostics)
    expected = [
        "manuscripts/reviews/ay-carmela.md:16:38: raw-html-removed: raw HTML attribute"
        " `onclick` is not allowed in a manuscript and is left out",
        "manuscripts/reviews/ay-carmela.md:16:17: link-outside-book: link"
        " `las-bicicletas.md` names las-bicicletas.md, which this book does not include:"
        " the link is left out and its text kept",
    ]
    assert [line for line in first if "ay-carmela" in line] == expected
    readings.clear()
    project.edit()
    cached = project.build()
    assert len(readings) == 1  # ay-carmela.md's reading came from the cache
    assert _warnings(cached.diagnostics) == first
    clean = project.build(clean=True)  # nothing from the cache: the same words, in order
    assert _warnings(clean.diagnostics) == first

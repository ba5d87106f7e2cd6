"""The EPUB claims accessibility conformance only as the anthology's `[accessibility]` table
declares it (issue 16), and the table is checked key by key, at its line."""

from __future__ import annotations

import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from lxml import etree

from publisher.base.diagnostics import BuildFailed
from publisher.base.project import project_root
from publisher.load.anthology_file import load_anthology_spec
from publisher.pipeline import BuildRequest, Format, build
from publisher.validation import run_ace, run_epubcheck

from .conftest import ONE_PART_TOML, ProjectMaker, review

OPF = {"opf": "http://www.idpf.org/2007/opf"}
DECLARED = """
[accessibility]
certified_by = "Laboratorio de Lectura Accesible"
conforms_to = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
credential = "Evaluador acreditado 2026"
report = "https://example.org/informes/frentes-2026"
"""


def _opf(epub: Path) -> etree._Element:
    with zipfile.ZipFile(epub) as archive:
        [name] = [n for n in archive.namelist() if n.endswith(".opf")]
        return etree.fromstring(archive.read(name))


def _meta(opf: etree._Element, xpath: str) -> list[str]:
    return [str(v) for v in opf.xpath(f"//opf:metadata/{xpath}", namespaces=OPF)]


def test_declared_certification_is_written_and_validates(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    anthology = make_project({"belchite.md": review()}, ONE_PART_TOML + DECLARED)
    out = tmp_path / "dist"
    [output] = build(BuildRequest(anthology, frozenset({Format.EPUB}), out, cache=False)).outputs
    opf = _opf(output.path)
    assert _meta(opf, "opf:meta[@property='dcterms:conformsTo']/text()") == [
        "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
    ]
    assert _meta(opf, "opf:meta[@property='a11y:certifiedBy'][@id='certifier']/text()") == [
        "Laboratorio de Lectura Accesible"
    ]
    assert _meta(
        opf, "opf:meta[@property='a11y:certifierCredential'][@refines='#certifier']/text()"
    ) == ["Evaluador acreditado 2026"]
    assert _meta(opf, "opf:link[@rel='a11y:certifierReport'][@refines='#certifier']/@href") == [
        "https://example.org/informes/frentes-2026"
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        checked = pool.submit(run_epubcheck, output.path)
        aced = pool.submit(run_ace, output.path, tmp_path / "ace")
        epubcheck, ace = checked.result(), aced.result()
    found = [f"{d.code} {d.message}" for d in (*epubcheck.diagnostics, *ace.diagnostics)]
    counts = epubcheck.counts
    assert (counts.get("fatal"), counts.get("error"), counts.get("warning")) == (0, 0, 0), found
    assert ace.details.get("outcome") == "pass", found
    assert ace.counts.get("violations") == 0, found


@pytest.mark.parametrize(
    ("table", "line", "message"),
    [
        (
            '[accessibility]\nconforms_to = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"\n',
            1,
            "missing required key `certified_by`",
        ),
        (
            '[accessibility]\ncertified_by = "Lab"\nconforms_to = "WCAG 2.2 AA"\n',
            3,
            "`accessibility.conforms_to` must be an EPUB Accessibility 1.1 statement,"
            ' e.g. "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"',
        ),
        (
            '[accessibility]\ncertified_by = "Lab"\n'
            'conforms_to = "EPUB Accessibility 1.1 - WCAG 2.1 Level A"\nreport = "informe.pdf"\n',
            4,
            "`accessibility.report` must be an http(s) URL of the evaluation report",
        ),
        (
            '[accessibility]\ncertified_by = "Lab"\n'
            'conforms_to = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"\ncertifier = "Ana"\n',
            4,
            "unknown key `accessibility.certifier` (did you mean `certified_by`?)",
        ),
    ],
)
def test_accessibility_table_is_checked_at_its_line(
    make_project: ProjectMaker, table: str, line: int, message: str
) -> None:
    offset = (ONE_PART_TOML + "\n").count("\n")
    anthology = make_project({"belchite.md": review()}, ONE_PART_TOML + "\n" + table)
    with pytest.raises(BuildFailed) as failed:
        load_anthology_spec(anthology, project_root(anthology))
    assert [(d.line - offset, d.message) for d in failed.value.diagnostics] == [(line, message)]

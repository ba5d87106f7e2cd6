"""The cover wrap's print checks (validation/wrap.py), run by `publisher validate` and by
`build --validate --format cover`: boxes present and consistent, PDF/X when asked for (issue 16).
Each check is shown failing on a wrap damaged on purpose, and passing on ours."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pikepdf

from publisher.base.diagnostics import Severity
from publisher.base.model import AnthologySpec
from publisher.export.wrap import export_cover_wrap
from publisher.pipeline import BuildRequest, build, read_spec
from publisher.validation.files import validate_files
from publisher.validation.wrap import check_wrap

from .conftest import ONE_PART_TOML, ProjectMaker, review

UNVERIFIED = (
    "PDF/X-4 checked by its markers only (version, output intent, Trapped, boxes): no PDF/X"
    " validator is installed (veraPDF checks PDF/A and PDF/UA, not PDF/X)"
)


def _spec(make_project: ProjectMaker, extra: str = "") -> AnthologySpec:
    return read_spec(make_project({"a.md": review()}, ONE_PART_TOML + extra))


def _wrap(spec: AnthologySpec, folder: Path, variant: str | None = None) -> Path:
    path = folder / f"{spec.slug}-cover.pdf"
    path.write_bytes(export_cover_wrap(dataclasses.replace(spec, pdf_variant=variant), 120).data)
    return path


def _found(pdf: Path, variant: str | None = None) -> list[tuple[Severity, str, str]]:
    return [(d.severity, d.code, d.message) for d in check_wrap(pdf, variant).diagnostics]


def _edit(pdf: Path, change: Callable[[pikepdf.Pdf], object]) -> None:
    with pikepdf.open(pdf, allow_overwriting_input=True) as document:
        change(document)
        document.save(pdf)


def test_our_wrap_passes(make_project: ProjectMaker, tmp_path: Path) -> None:
    result = check_wrap(_wrap(_spec(make_project), tmp_path))
    assert (result.ok, result.diagnostics, dict(result.counts)) == (True, (), {"pages": 1})


def test_a_wrap_without_a_bleed_box_fails(make_project: ProjectMaker, tmp_path: Path) -> None:
    pdf = _wrap(_spec(make_project), tmp_path)
    _edit(pdf, lambda document: document.pages[0].obj.__delitem__("/BleedBox"))
    assert _found(pdf) == [
        (
            Severity.ERROR,
            "wrap-box-missing",
            "page 1 has no BleedBox: the printer places the trim and the bleed from them",
        )
    ]


def test_uneven_bleed_and_a_bleed_box_past_the_media_box_fail(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    pdf = _wrap(_spec(make_project), tmp_path)

    def shift_trim(document: pikepdf.Pdf) -> None:
        x0, y0, x1, y1 = (float(v) for v in document.pages[0].obj.TrimBox)
        document.pages[0].obj.TrimBox = pikepdf.Array([x0 + 5, y0, x1 + 5, y1])

    _edit(pdf, shift_trim)
    [(severity, code, message)] = _found(pdf)
    assert (severity, code) == (Severity.ERROR, "wrap-boxes")
    assert message == (
        "page 1: the bleed (TrimBox to BleedBox: left, bottom, right, top 13.50, 8.50, 3.50,"
        " 8.50 pt) must be the same on every side, and more than none"
    )

    def widen_bleed(document: pikepdf.Pdf) -> None:
        x0, y0, x1, y1 = (float(v) for v in document.pages[0].obj.MediaBox)
        document.pages[0].obj.BleedBox = pikepdf.Array([x0 - 2, y0, x1, y1])

    pdf = _wrap(_spec(make_project), tmp_path)
    _edit(pdf, widen_bleed)
    assert [code for _, code, _ in _found(pdf)] == ["wrap-boxes"]
    assert "goes past the MediaBox" in _found(pdf)[0][2]


def test_pdf_x_asked_for_is_checked_by_its_markers(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    """WeasyPrint 70 writes PDF/X-4's version and Trapped keys but no output intent;
    export/output_intent.py adds it: our wrap passes, with the note that no validator ran.
    Taken out again (the deliberate fault), or left without its profile, the check says so."""
    spec = _spec(make_project)
    pdf = _wrap(spec, tmp_path, "pdf/x-4")
    assert _found(pdf, "pdf/x-4") == [(Severity.INFO, "wrap-pdfx-unverified", UNVERIFIED)]

    def drop_profile(document: pikepdf.Pdf) -> None:
        del document.Root.OutputIntents[0].DestOutputProfile

    _edit(pdf, drop_profile)
    assert _found(pdf, "pdf/x-4")[0] == (
        Severity.ERROR,
        "wrap-pdfx",
        "PDF/X-4's output intent embeds no ICC profile (DestOutputProfile)",
    )

    def drop_intent(document: pikepdf.Pdf) -> None:
        del document.Root.OutputIntents

    _edit(pdf, drop_intent)
    assert _found(pdf, "pdf/x-4") == [
        (
            Severity.ERROR,
            "wrap-pdfx",
            "PDF/X-4 needs an output intent of subtype GTS_PDFX (the printing condition the"
            " colours are meant for); the file has none",
        ),
        (Severity.INFO, "wrap-pdfx-unverified", UNVERIFIED),
    ]
    # Asked for, but not made as PDF/X at all.
    plain = _wrap(spec, tmp_path)
    assert next(m for _, c, m in _found(plain, "pdf/x-4") if c == "wrap-pdfx") == (
        "asked for PDF/X-4 (`[print] pdf_variant`), but the file declares no PDF/X version"
    )


def test_build_validate_and_validate_check_the_wrap(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    anthology = make_project({"a.md": review()})
    out = tmp_path / "dist"
    result = build(BuildRequest(anthology, frozenset(), out, cover=True, validate=True))
    spec = read_spec(anthology)
    wrap = out / f"{spec.slug}-cover.pdf"
    checks = sorted(v.validator for v in result.validators if v.target == wrap)
    assert checks == ["glyphs", "pdf", "wrap"]  # qpdf and pdffonts, glyphs, boxes
    assert all(v.ok for v in result.validators if v.target == wrap)
    assert not [d for d in result.diagnostics if d.path == str(wrap)]  # no fidelity-skipped
    # `publisher validate` finds it beside the editions, and fails on a damaged one.
    _edit(wrap, lambda document: document.pages[0].obj.__delitem__("/TrimBox"))
    [checked] = [r for r in validate_files([wrap]) if r.validator == "wrap"]
    assert [d.code for d in checked.diagnostics] == ["wrap-box-missing"]
    env = {**os.environ, "NO_COLOR": "1"}
    ran = subprocess.run(
        [sys.executable, "-m", "publisher", "validate", "--out", str(out)],
        cwd=anthology.parent.parent,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert "wrap-box-missing: page 1 has no TrimBox" in ran.stdout + ran.stderr, ran.stdout
    assert ran.returncode == 1

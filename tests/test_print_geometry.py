"""The print interior's geometry as print-on-demand services ask for it (issue 16): bleed past
the top, the bottom and the outer edge only, `bleed = 0`, `bleed-small`; PDF/X-3 with the
wrap's barcode; `publisher validate` holding any file that claims PDF/X to it; the dates."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import pikepdf
import pytest

from publisher.base.diagnostics import Severity
from publisher.base.icc import SRGB, parse_profile
from publisher.export.output_intent import PdfxRefused, make_pdfx, transparency
from publisher.export.wrap import COVER_BLEED
from publisher.load import bleed_warnings
from publisher.pipeline import BuildRequest, build, read_spec
from publisher.validation.files import validate_files
from publisher.validation.wrap import check_pdfx, check_wrap
from tests.test_print_conformance import (
    MM,
    PRESS_PROFILE,
    Built,
    _build_into,
    _ink_outside_trim,
    _line,
    _project,
)

ISBN = "978-84-9999-001-9"


@pytest.fixture(scope="module")
def outer(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """KDP's interior: PDF/X-4, 0.125 in of bleed, no crop marks."""
    printing = 'pdf_variant = "pdf/x-4"\nbleed = 3.175\nmarks = false'
    return _build_into(tmp_path_factory.mktemp("outer"), printing)


@pytest.fixture(scope="module")
def unbled(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """PDF/X-3, no bleed, and a print ISBN, so the wrap has its barcode."""
    printing = f'pdf_variant = "pdf/x-3"\nbleed = 0\n\n[identifiers]\nisbn_print = "{ISBN}"'
    return _build_into(tmp_path_factory.mktemp("unbled"), printing)


def _margins(box: pikepdf.Array, trim: pikepdf.Array) -> tuple[float, ...]:
    """`box` past `trim` in millimetres: (left, bottom, right, top)."""
    b, t = [float(v) for v in box], [float(v) for v in trim]
    return tuple(m / MM for m in (t[0] - b[0], t[1] - b[1], b[2] - t[2], b[3] - t[3]))


# -- bleed past the top, the bottom and the outer edge -------------------------------------------


def test_interior_bleed_is_past_top_bottom_and_outer_edge_only(outer: Built) -> None:
    with pikepdf.open(outer.interior) as pdf:
        assert len(pdf.pages) > 2
        for number, page in enumerate(pdf.pages, 1):
            trim = page.obj.TrimBox
            assert float(trim[2]) - float(trim[0]) == pytest.approx(148 * MM, abs=0.01)
            recto = (0, 3.175, 3.175, 3.175)  # left (the gutter), bottom, right, top
            verso = (3.175, 3.175, 0, 3.175)
            expected = pytest.approx(recto if number % 2 else verso, abs=0.005)
            assert _margins(page.obj.MediaBox, trim) == expected, number
            assert _margins(page.obj.BleedBox, trim) == expected, number
    with pikepdf.open(outer.wrap) as pdf:
        page = pdf.pages[0]
        assert _margins(page.obj.BleedBox, page.obj.TrimBox) == pytest.approx(
            (3.175,) * 4, abs=0.005
        )


def test_interior_box_check_fails_on_bleed_at_the_gutter(outer: Built, tmp_path: Path) -> None:
    """The deliberate fault: what the interior was before, bleed on all four sides."""
    assert [
        d.message for d in check_pdfx(outer.interior).diagnostics if d.code != "pdfx-unverified"
    ] == []
    with pikepdf.open(outer.interior) as pdf:
        for page in pdf.pages[:2]:
            trim = [float(v) for v in page.obj.TrimBox]
            bled = pikepdf.Array([trim[0] - 9, trim[1] - 9, trim[2] + 9, trim[3] + 9])
            page.obj.MediaBox = page.obj.BleedBox = bled
        faulty = tmp_path / "four-sides.pdf"
        pdf.save(faulty)
    found = [(d.code, d.message) for d in check_pdfx(faulty).diagnostics]
    assert ("pdfx-boxes", "page 1: the bleed (TrimBox to BleedBox: left, bottom, right, top 9.00,"
            " 9.00, 9.00, 9.00 pt) must be the same past the top, the bottom and the outer edge"
            " (right on a recto), and none past the gutter (left)") in found  # fmt: skip
    assert ("pdfx-boxes", "page 2: the bleed (TrimBox to BleedBox: left, bottom, right, top 9.00,"
            " 9.00, 9.00, 9.00 pt) must be the same past the top, the bottom and the outer edge"
            " (left on a verso), and none past the gutter (right)") in found  # fmt: skip
    assert len([code for code, _ in found if code == "pdfx-boxes"]) == 2


# -- bleed = 0 -----------------------------------------------------------------------------------


def test_no_bleed_gives_trim_sized_pages_and_a_wrap_with_bleed(unbled: Built) -> None:
    with pikepdf.open(unbled.interior) as pdf:
        for page in pdf.pages:
            trim = [round(float(v), 2) for v in page.obj.TrimBox]
            assert trim == [0, 0, round(148 * MM, 2), round(210 * MM, 2)]
            for box in ("/MediaBox", "/BleedBox"):
                assert [round(float(v), 2) for v in page.obj[box]] == trim
    with pikepdf.open(unbled.wrap) as pdf:
        page = pdf.pages[0]
        margins = _margins(page.obj.MediaBox, page.obj.TrimBox)
        assert margins == pytest.approx((COVER_BLEED,) * 4, abs=0.005)


@pytest.mark.parametrize(
    ("value", "warned"), [("0.125", True), ("2.9", True), ("0", False), ("3", False)]
)
def test_bleed_small_warns_of_inches(tmp_path: Path, value: str, warned: bool) -> None:
    anthology = _project(tmp_path, f"bleed = {value}")
    spec = read_spec(anthology)
    expected = [
        (
            Severity.WARNING,
            "bleed-small",
            _line(anthology, "bleed"),
            f"`bleed = {value}` is {value} mm: `bleed` is in millimetres, and printers ask for"
            " at least 3 mm (0.125 in = 3.175 mm, as KDP, IngramSpark and Lulu ask)",
        )
    ]
    found = [(d.severity, d.code, d.line, d.message) for d in bleed_warnings(spec)]
    assert found == (expected if warned else [])


def test_bleed_small_is_reported_by_the_build(tmp_path: Path) -> None:
    anthology = _project(tmp_path, "bleed = 0.125")
    result = build(
        BuildRequest(anthology, frozenset(), tmp_path / "out", cache=False, print_pdf=True)
    )
    assert [d.line for d in result.diagnostics if d.code == "bleed-small"] == [
        _line(anthology, "bleed")
    ]


# -- PDF/X-3 and WeasyPrint's transparency groups ------------------------------------------------


def test_pdfx3_wrap_with_a_barcode_builds_and_passes_the_checks(unbled: Built) -> None:
    assert not [w for w in unbled.warnings if w.startswith("barcode-missing")]
    for path, check in ((unbled.wrap, check_wrap), (unbled.interior, check_pdfx)):
        result = check(path, "pdf/x-3")
        assert [d.message for d in result.diagnostics if d.severity is Severity.ERROR] == []
        with pikepdf.open(path) as pdf:
            assert str(pdf.docinfo.GTS_PDFXVersion) == "PDF/X-3:2003"
            groups = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and "/Group" in o]
            assert groups == []


def _with_form(state: pikepdf.Dictionary | None, paint: bytes = b"f") -> bytes:
    """A one-page PDF drawing a form XObject in a transparency group, as WeasyPrint draws an
    SVG, that paints a square with `paint`; with `state`, under that graphics state."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(100, 100))
    square = paint if paint.startswith(b"BT") else b"0 0 10 10 re " + paint
    form = pikepdf.Stream(pdf, b"/G0 gs " + square if state is not None else square)
    form.Type, form.Subtype, form.BBox = pikepdf.Name.XObject, pikepdf.Name.Form, [0, 0, 10, 10]
    form.Group = pikepdf.Dictionary(S=pikepdf.Name.Transparency, I=True)
    form.Resources = pikepdf.Dictionary()
    if state is not None:
        form.Resources.ExtGState = pikepdf.Dictionary(G0=state)
    page = pdf.pages[0]
    page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(X0=form))
    page.obj.Contents = pikepdf.Stream(pdf, b"/X0 Do")
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_pdfx3_drops_empty_groups_and_refuses_real_transparency() -> None:
    cmyk = parse_profile(PRESS_PROFILE.read_bytes())
    srgb = parse_profile(SRGB.read_bytes(), output=False)
    opaque = make_pdfx(_with_form(pikepdf.Dictionary(ca=1)), "pdf/x-3", cmyk, srgb)
    with pikepdf.open(io.BytesIO(opaque)) as pdf:
        assert "/Group" not in pdf.pages[0].obj.Resources.XObject.X0
    x4 = make_pdfx(_with_form(None), "pdf/x-4", cmyk, srgb)  # X-4 allows groups: kept
    with pikepdf.open(io.BytesIO(x4)) as pdf:
        assert "/Group" in pdf.pages[0].obj.Resources.XObject.X0
    multiplied = _with_form(pikepdf.Dictionary(BM=pikepdf.Name.Multiply))
    with pytest.raises(PdfxRefused) as refused:
        make_pdfx(multiplied, "pdf/x-3", cmyk, srgb)
    assert str(refused.value) == (
        "PDF/X-3 forbids transparency, and this book draws with it (the blend mode /Multiply"
        ' on page 1); use `pdf_variant = "pdf/x-4"`, which allows it'
    )


def test_pdfx3_keeps_the_crop_marks_weasyprint_fills_at_alpha_0(tmp_path: Path) -> None:
    """WeasyPrint 70 draws `marks: crop` as SVG paths filled at alpha 0 and stroked: X-3 builds
    (no alpha left below 1), and the marks are still drawn."""
    marked = _build_into(tmp_path, 'pdf_variant = "pdf/x-3"')  # bleed 3 mm, crop marks
    result = check_pdfx(marked.interior, "pdf/x-3")
    assert [d.message for d in result.diagnostics if d.severity is Severity.ERROR] == []
    with pikepdf.open(marked.interior) as pdf:
        assert transparency(pdf) is None  # no alpha below 1 left anywhere
    assert _ink_outside_trim(marked.interior, tmp_path) > 20


def test_paint_at_alpha_0_becomes_no_paint_and_anything_else_is_refused() -> None:
    cmyk = parse_profile(PRESS_PROFILE.read_bytes())
    srgb = parse_profile(SRGB.read_bytes(), output=False)
    unfilled = make_pdfx(_with_form(pikepdf.Dictionary(ca=0), b"B"), "pdf/x-3", cmyk, srgb)
    with pikepdf.open(io.BytesIO(unfilled)) as pdf:
        form = pdf.pages[0].obj.Resources.XObject.X0
        assert form.read_bytes().split() == [b"/G0", b"gs", b"0", b"0", b"10", b"10", b"re", b"S"]
        assert form.Resources.ExtGState.G0.ca == 1
    text = _with_form(pikepdf.Dictionary(ca=0), b"BT /F1 9 Tf (a) Tj ET")
    with pytest.raises(PdfxRefused, match=r"\(an alpha of 0 in a graphics state on page 1\)"):
        make_pdfx(text, "pdf/x-3", cmyk, srgb)


# -- publisher validate on a file that says it is PDF/X ------------------------------------------


def test_validate_holds_a_packaged_interior_to_the_pdfx_it_claims(
    outer: Built, tmp_path: Path
) -> None:
    packaged = tmp_path / f"{ISBN.replace('-', '')}_interior.pdf"
    shutil.copy(outer.interior, packaged)
    (sound,) = [r for r in validate_files([packaged]) if r.validator == "pdfx"]
    assert sound.ok
    with pikepdf.open(outer.interior) as pdf:
        del pdf.Root["/OutputIntents"]
        del pdf.pages[0].obj["/TrimBox"]
        pdf.save(packaged)
    (result,) = [r for r in validate_files([packaged]) if r.validator == "pdfx"]
    errors = [(d.code, d.message) for d in result.diagnostics if d.severity is Severity.ERROR]
    assert errors == [
        ("pdfx", "PDF/X needs an output intent of subtype GTS_PDFX (the printing condition the"
                 " colours are meant for); the file has none"),
        ("pdfx-box-missing", "page 1 has no TrimBox: the printer places the trim and the bleed"
                             " from them"),
    ]  # fmt: skip


def test_validate_leaves_a_pdf_that_does_not_claim_pdfx(tmp_path: Path) -> None:
    plain = tmp_path / "plain.pdf"
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(plain)
    assert [r.validator for r in validate_files([plain]) if r.validator == "pdfx"] == []


# -- dates ---------------------------------------------------------------------------------------


def test_interior_dates_are_the_builds_moment_not_the_books_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    anthology = _project(tmp_path, 'trim = "148x210mm"')
    text = anthology.read_text(encoding="utf-8")
    assert "date = 2026-01-15" in text
    anthology.write_text(text.replace("date = 2026-01-15", "date = 2099-06-01"), "utf-8")
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    out = tmp_path / "out"
    result = build(BuildRequest(anthology, frozenset(), out, cache=False, print_pdf=True))
    assert [d for d in result.diagnostics if d.severity is Severity.ERROR] == []
    with pikepdf.open(out / "antologia-de-prueba-print.pdf") as pdf:
        created, modified = str(pdf.docinfo.CreationDate), str(pdf.docinfo.ModDate)
    assert created == modified
    moment = dt.datetime.strptime(created[2:16], "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
    assert before <= moment <= dt.datetime.now(dt.UTC)


def test_with_source_date_epoch_both_dates_are_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")  # 2026-09-21 14:13:20 UTC
    anthology = _project(tmp_path, 'trim = "148x210mm"')
    text = anthology.read_text(encoding="utf-8")
    anthology.write_text(text.replace("date = 2026-01-15", "date = 2099-06-01"), "utf-8")
    build(BuildRequest(anthology, frozenset(), tmp_path / "out", cache=False, print_pdf=True))
    with pikepdf.open(tmp_path / "out" / "antologia-de-prueba-print.pdf") as pdf:
        assert str(pdf.docinfo.CreationDate).startswith("D:20260921141320")
        assert pdf.docinfo.ModDate == pdf.docinfo.CreationDate

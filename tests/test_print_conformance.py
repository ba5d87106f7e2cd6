"""Print conformance (issue 16): PDF/X that is PDF/X on the interior and the wrap (an output
intent with an embedded ICC profile), `[print] bleed` and `marks`, and `print-too-short`."""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from publisher.base.diagnostics import BuildFailed, Severity
from publisher.base.icc import SRGB, SYSTEM_PROFILES, parse_profile
from publisher.export.output_intent import pdfx_for_spec
from publisher.export.wrap import export_cover_wrap, print_too_short
from publisher.pipeline import BuildRequest, build, read_spec
from publisher.validation.wrap import check_pdfx, check_wrap
from tests.conftest import ONE_PART_TOML, review

MM = 72 / 25.4
SLUG = "antologia-de-prueba"
# The test project's "printer's profile": ghostscript's other CMYK output profile, not the default.
PRESS_PROFILE = SYSTEM_PROFILES / "ps_cmyk.icc"
PRESS = "Artifex PS CMYK Profile"  # its description tag


def _project(root: Path, printing: str, reviews: int = 2) -> Path:
    """A project of `reviews` reviews whose anthology file has the `[print]` table `printing`."""
    manuscripts = root / "manuscripts"
    (manuscripts / "reviews").mkdir(parents=True, exist_ok=True)
    (manuscripts / "front").mkdir(exist_ok=True)
    for n in range(reviews):
        text = review(f"Reseña {n}", body="La película cuenta la guerra desde una trinchera.")
        (manuscripts / "reviews" / f"r{n}.md").write_text(text, encoding="utf-8")
    toml = ONE_PART_TOML.replace("front = []", f"front = []\n\n[print]\n{printing}\n")
    anthology = manuscripts / "anthology.toml"
    anthology.write_text(toml, encoding="utf-8")
    return anthology


@dataclasses.dataclass(frozen=True)
class Built:
    anthology: Path
    interior: Path
    wrap: Path
    warnings: tuple[str, ...] = ()  # the build's warnings, as `code: message`


@pytest.fixture(scope="module")
def pdfx(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """PDF/X-4 for the printer's own profile, KDP's bleed, no crop marks."""
    root = tmp_path_factory.mktemp("pdfx")
    (root / "manuscripts").mkdir()
    shutil.copy(PRESS_PROFILE, root / "manuscripts" / "press.icc")
    printing = 'pdf_variant = "pdf/x-4"\nbleed = 3.175\nmarks = false\noutput_profile = "press.icc"'
    return _build_into(root, printing)


def _build_into(root: Path, printing: str) -> Built:
    """Build the print PDF and its wrap of a `_project` with `[print]` `printing`."""
    anthology = _project(root, printing)
    out = root / "out"
    result = build(BuildRequest(anthology, frozenset(), out, cache=False, cover=True))
    warnings = tuple(
        f"{d.code}: {d.message}" for d in result.diagnostics if d.severity is Severity.WARNING
    )
    return Built(anthology, out / f"{SLUG}-print.pdf", out / f"{SLUG}-cover.pdf", warnings)


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Today's defaults: no PDF/X, 3 mm bleed, crop marks."""
    return _build_into(tmp_path_factory.mktemp("plain"), 'trim = "148x210mm"')


def _errors(result: object) -> list[str]:
    diagnostics = getattr(result, "diagnostics")  # noqa: B009
    return [d.message for d in diagnostics if d.severity is Severity.ERROR]


# -- PDF/X ---------------------------------------------------------------------------------------


def test_interior_and_wrap_carry_the_output_intent_of_the_printers_profile(pdfx: Built) -> None:
    profile = PRESS_PROFILE.read_bytes()
    for path in (pdfx.interior, pdfx.wrap):
        with pikepdf.open(path) as pdf:
            (intent,) = pdf.Root.OutputIntents
            assert intent.S == pikepdf.Name.GTS_PDFX
            assert str(intent.OutputConditionIdentifier) == PRESS
            assert str(intent.RegistryName) == "http://www.color.org"
            assert intent.DestOutputProfile.read_bytes() == profile
            assert intent.DestOutputProfile.N == 4
            assert pdf.docinfo.Trapped == pikepdf.Name("/False")
            for page in pdf.pages:
                assert "/TrimBox" in page.obj and "/BleedBox" in page.obj
                assert "/DefaultRGB" in page.obj.Resources.ColorSpace


def test_our_pdfx_files_pass_the_pdfx_checks(pdfx: Built) -> None:
    assert _errors(check_pdfx(pdfx.interior, "pdf/x-4")) == []
    assert _errors(check_wrap(pdfx.wrap, "pdf/x-4")) == []


def test_the_pdfx_check_fails_on_a_file_without_output_intent(pdfx: Built, tmp_path: Path) -> None:
    """The deliberate fault: what WeasyPrint 70 alone writes for `pdf/x-4` (no intent)."""
    broken = tmp_path / f"{SLUG}-print.pdf"
    with pikepdf.open(pdfx.interior) as pdf:
        del pdf.Root.OutputIntents
        pdf.save(broken)
    assert _errors(check_pdfx(broken, "pdf/x-4")) == [
        "PDF/X-4 needs an output intent of subtype GTS_PDFX (the printing condition the colours"
        " are meant for); the file has none"
    ]


def test_the_pdfx_check_fails_on_an_intent_without_its_profile(pdfx: Built, tmp_path: Path) -> None:
    broken = tmp_path / "broken-cover.pdf"
    with pikepdf.open(pdfx.wrap) as pdf:
        del pdf.Root.OutputIntents[0].DestOutputProfile
        del pdf.Root.OutputIntents[0].OutputConditionIdentifier
        pdf.save(broken)
    assert _errors(check_wrap(broken, "pdf/x-4")) == [
        "PDF/X-4's output intent has no OutputConditionIdentifier",
        "PDF/X-4's output intent embeds no ICC profile (DestOutputProfile)",
    ]


def test_the_interior_check_asks_for_pdfx_when_the_anthology_does(plain: Built) -> None:
    assert _errors(check_pdfx(plain.interior, None)) == []
    assert _errors(check_pdfx(plain.interior, "pdf/x-4")) == [
        "asked for PDF/X-4 (`[print] pdf_variant`), but the file declares no PDF/X version",
        "PDF/X-4 needs an output intent of subtype GTS_PDFX (the printing condition the colours"
        " are meant for); the file has none",
        "PDF/X-4 needs the Trapped key set to True or False; it is absent",
    ]


def test_pdfx3_is_refused_at_its_line_when_the_book_draws_with_transparency(
    pdfx: Built,
) -> None:
    spec = read_spec(pdfx.anthology)
    with pikepdf.open(pdfx.interior) as pdf:
        state = pikepdf.Dictionary(Type=pikepdf.Name.ExtGState, ca=0.5)
        pdf.pages[0].obj.Resources.ExtGState = pikepdf.Dictionary(GSfade=state)
        out = io.BytesIO()
        pdf.save(out)
    with pytest.raises(BuildFailed) as failed:
        pdfx_for_spec(out.getvalue(), spec, "pdf/x-3")
    (problem,) = failed.value.diagnostics
    lines = pdfx.anthology.read_text(encoding="utf-8").splitlines()
    assert (problem.code, problem.path) == ("pdfx-refused", str(spec.path))
    assert lines[problem.line - 1].startswith("pdf_variant")
    assert problem.message == (
        "PDF/X-3 forbids transparency, and this book draws with it (an alpha of 0.5 in a"
        ' graphics state on page 1); use `pdf_variant = "pdf/x-4"`, which allows it'
    )


@pytest.mark.parametrize("variant", ["pdf/x-4", "pdf/x-3"])  # crop marks rewritten
def test_two_pdfx_builds_are_byte_identical(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, variant: str
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    first, second = (
        _build_into(tmp_path_factory.mktemp(name), f'pdf_variant = "{variant}"')
        for name in ("one", "two")
    )
    assert first.interior.read_bytes() == second.interior.read_bytes()
    assert first.wrap.read_bytes() == second.wrap.read_bytes()


# -- the output profile ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            SRGB,
            "output profile `press.icc` is an ICC profile of class `mntr`, not an output"
            " (printer) profile: ask the printer for its output profile",
        ),
        (
            None,
            "output profile `press.icc` is not an ICC profile (no `acsp` signature in its header)",
        ),
    ],
)
def test_an_unusable_output_profile_is_an_error_at_its_line(
    tmp_path: Path, source: Path | None, expected: str
) -> None:
    anthology = _project(tmp_path, 'pdf_variant = "pdf/x-4"\noutput_profile = "press.icc"')
    target = anthology.parent / "press.icc"
    target.write_bytes(source.read_bytes() if source else b"not a colour profile at all" * 10)
    with pytest.raises(BuildFailed) as failed:
        build(BuildRequest(anthology, frozenset(), tmp_path / "out", cache=False, cover=True))
    problems = [d for d in failed.value.diagnostics if d.code == "icc-invalid"]
    assert [(d.line, d.message) for d in problems] == [
        (_line(anthology, "output_profile"), expected)
    ]


def _line(anthology: Path, key: str) -> int:
    lines = anthology.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.startswith(key))


# -- bleed and marks ---------------------------------------------------------------------------


def _media_and_trim(path: Path) -> list[tuple[float, float, float, float]]:
    with pikepdf.open(path) as pdf:
        return [
            (
                float(page.mediabox[2]) - float(page.mediabox[0]),
                float(page.mediabox[3]) - float(page.mediabox[1]),
                float(page.TrimBox[2]) - float(page.TrimBox[0]),
                float(page.TrimBox[3]) - float(page.TrimBox[1]),
            )
            for page in pdf.pages
        ]


@pytest.mark.parametrize(("which", "bleed"), [("plain", 3.0), ("pdfx", 3.175)])
def test_media_box_is_trim_plus_the_bleed(
    request: pytest.FixtureRequest, which: str, bleed: float
) -> None:
    built: Built = request.getfixturevalue(which)
    for path, sides in ((built.interior, 1), (built.wrap, 2)):  # the interior: the outer edge
        for width, height, trim_width, trim_height in _media_and_trim(path):
            assert width == pytest.approx(trim_width + sides * bleed * MM, abs=0.01)
            assert height == pytest.approx(trim_height + 2 * bleed * MM, abs=0.01)
    interior = _media_and_trim(built.interior)[0]
    assert interior[2:] == pytest.approx((148 * MM, 210 * MM), abs=0.01)


def _ink_outside_trim(path: Path, tmp_path: Path) -> int:
    """Dark pixels of page 1, rendered at 150 dpi by poppler, between MediaBox and TrimBox."""
    with pikepdf.open(path) as pdf:
        media = [float(v) for v in pdf.pages[0].mediabox]
        trim = [float(v) for v in pdf.pages[0].TrimBox]
    stem = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", "-singlefile",
                    str(path), str(stem)], check=True)  # fmt: skip
    scale = 150 / 72
    with Image.open(stem.with_suffix(".png")) as image:
        grey = image.convert("L")
        left, right = (trim[0] - media[0]) * scale, (trim[2] - media[0]) * scale
        top, bottom = (media[3] - trim[3]) * scale, (media[3] - trim[1]) * scale
        pixels = grey.load()
        assert pixels is not None
        dark = 0
        for y in range(grey.height):
            for x in range(grey.width):
                inside = left + 1 < x < right - 1 and top + 1 < y < bottom - 1
                value = pixels[x, y]
                if not inside and isinstance(value, int) and value < 128:
                    dark += 1
        return dark


def test_no_crop_marks_when_marks_is_false(pdfx: Built, plain: Built, tmp_path: Path) -> None:
    assert _ink_outside_trim(plain.interior, tmp_path) > 20  # today's crop marks
    assert _ink_outside_trim(pdfx.interior, tmp_path) == 0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "20",
            "`bleed` must be a number of millimetres from 0 (no bleed) to 12.7 (3.175"
            " for 0.125 in, as KDP, IngramSpark and Lulu ask)",
        ),
        ('"yes"', "`marks` must be true or false"),
    ],
)
def test_bleed_and_marks_checked_at_their_line(tmp_path: Path, value: str, message: str) -> None:
    key = "bleed" if "bleed" in message.split()[0] else "marks"
    anthology = _project(tmp_path, f"{key} = {value}")
    with pytest.raises(BuildFailed) as failed:
        read_spec(anthology)
    assert [(d.line, d.message) for d in failed.value.diagnostics] == [
        (_line(anthology, key), message)
    ]


# -- the page minimum --------------------------------------------------------------------------


def test_print_too_short_below_kdps_24_pages(plain: Built) -> None:
    spec = read_spec(plain.anthology)
    short = [d for d in export_cover_wrap(spec, 22).diagnostics if d.code == "print-too-short"]
    assert [(d.severity, d.message) for d in short] == [
        (
            Severity.WARNING,
            "the print PDF has 22 pages: KDP prints paperbacks of at least 24 pages and will"
            " refuse it; IngramSpark prints from 18",
        )
    ]
    shorter = [d for d in export_cover_wrap(spec, 16).diagnostics if d.code == "print-too-short"]
    assert [d.message for d in shorter] == [
        "the print PDF has 16 pages: KDP prints paperbacks of at least 24 pages, IngramSpark of"
        " at least 18: both will refuse it"
    ]
    assert [d.code for d in print_too_short(spec, 18)] == ["print-too-short"]
    assert not [d for d in export_cover_wrap(spec, 24).diagnostics if d.code == "print-too-short"]


def test_a_short_book_is_warned_when_its_wrap_is_made(plain: Built) -> None:
    with pikepdf.open(plain.interior) as pdf:
        pages = len(pdf.pages)
    assert 18 <= pages < 24
    assert [w for w in plain.warnings if w.startswith("print-too-short")] == [
        f"print-too-short: the print PDF has {pages} pages: KDP prints paperbacks of at least"
        " 24 pages and will refuse it; IngramSpark prints from 18"
    ]


def test_pdfx_without_the_default_profile_says_what_to_install(
    pdfx: Built, plain: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = SYSTEM_PROFILES / "no-such-profile.icc"
    monkeypatch.setattr("publisher.export.output_intent.DEFAULT_CMYK", missing)
    spec = read_spec(plain.anthology)  # no `output_profile`: the default is needed
    with pytest.raises(BuildFailed) as failed:
        pdfx_for_spec(pdfx.interior.read_bytes(), spec, "pdf/x-4")
    (problem,) = failed.value.diagnostics
    assert problem.code == "icc-missing"
    assert problem.message.startswith(f"PDF/X-4 needs an ICC output profile and {missing} cannot")
    assert problem.message.endswith(
        ": install Debian's libgs-common (scripts/setup-system.sh), or give the printer's"
        " profile as `[print] output_profile`"
    )


def test_build_validate_runs_the_pdfx_check_on_interior_and_wrap(
    pdfx: Built, tmp_path: Path
) -> None:
    out = tmp_path / "validated"
    request = BuildRequest(pdfx.anthology, frozenset(), out, cache=False, cover=True, validate=True)
    result = build(request)
    ran = sorted((v.validator, v.target.name, v.ok) for v in result.validators)
    assert ("pdfx", f"{SLUG}-print.pdf", True) in ran
    assert ("wrap", f"{SLUG}-cover.pdf", True) in ran
    assert all(ok for _, _, ok in ran), ran


def _v4_profile(description: str, device_class: bytes = b"prtr", space: bytes = b"CMYK") -> bytes:
    """A minimal ICC v4 header and tag table whose one tag is an `mluc` description."""
    text = description.encode("utf-16-be")
    tag = b"mluc" + bytes(4) + (1).to_bytes(4, "big") + (12).to_bytes(4, "big")
    tag += b"enUS" + len(text).to_bytes(4, "big") + (28).to_bytes(4, "big") + text
    header = bytearray(128)
    header[8:12] = bytes([4, 0x40, 0, 0])
    header[12:16], header[16:20], header[36:40] = device_class, space, b"acsp"
    table = (1).to_bytes(4, "big") + b"desc" + (144).to_bytes(4, "big")
    table += len(tag).to_bytes(4, "big")
    return bytes(header) + table + tag


def test_icc_v4_descriptions_and_classes_are_read() -> None:

    profile = parse_profile(_v4_profile("Coated FOGRA39 (ISO 12647-2:2004)"))
    assert (profile.colour_space, profile.components, profile.description) == (
        "CMYK", 4, "Coated FOGRA39 (ISO 12647-2:2004)"
    )  # fmt: skip
    with pytest.raises(
        ValueError, match=r"^describes `Lab` colour: PDF/X needs CMYK, RGB or Gray$"
    ):
        parse_profile(_v4_profile("Lab", space=b"Lab "))
    with pytest.raises(ValueError, match=r"^is an ICC profile of class `scnr`"):
        parse_profile(_v4_profile("Scanner", device_class=b"scnr"))

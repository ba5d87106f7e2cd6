"""Real runs of the external validators (EPUBCheck, Ace by DAISY, qpdf/poppler) on tiny files
built inside the tests.  Needs `make setup` (scripts/setup-system.sh) to have been run."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest

from publisher.base.diagnostics import Severity
from publisher.validation import ValidatorResult, check_pdf, run_ace, run_epubcheck
from publisher.validation.pdf import parse_pdffonts

# --- fixture builders ------------------------------------------------------------------------

CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""

A11Y_METADATA = """    <meta property="schema:accessMode">textual</meta>
    <meta property="schema:accessModeSufficient">textual</meta>
    <meta property="schema:accessibilityFeature">structuralNavigation</meta>
    <meta property="schema:accessibilityFeature">tableOfContents</meta>
    <meta property="schema:accessibilityHazard">none</meta>
    <meta property="schema:accessibilitySummary">A short text-only book.</meta>
    <meta property="dcterms:conformsTo">EPUB Accessibility 1.1 - WCAG 2.1 Level AA</meta>
"""

NAV = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"
      xml:lang="en" lang="en">
<head><title>Contents</title></head>
<body>
  <nav epub:type="toc" role="doc-toc" id="toc">
    <h1>Contents</h1>
    <ol><li><a href="text/ch1.xhtml">Chapter 1</a></li></ol>
  </nav>
</body>
</html>
"""

CHAPTER = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
<head><title>Chapter 1</title></head>
<body><main><h1>Chapter 1</h1><p>A review of a film.</p></main></body>
</html>
"""


def package_opf(*, a11y: bool = True, extra_items: str = "") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid"
         xml:lang="en">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="uid">urn:uuid:12345678-1234-4234-8234-123456789abc</dc:identifier>
    <dc:title>Test Book</dc:title>
    <dc:language>en</dc:language>
    <meta property="dcterms:modified">2024-01-01T00:00:00Z</meta>
{A11Y_METADATA if a11y else ""}  </metadata>
  <manifest>
    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
    <item id="ch1" href="text/ch1.xhtml" media-type="application/xhtml+xml"/>
{extra_items}  </manifest>
  <spine><itemref idref="ch1"/></spine>
</package>
"""


def write_epub(path: Path, files: dict[str, str]) -> Path:
    """An EPUB zip: `mimetype` first and stored uncompressed, then `files` deflated."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", zipfile.ZIP_STORED)
        for name, text in files.items():
            zf.writestr(name, text, zipfile.ZIP_DEFLATED)
    return path


def build_epub(path: Path, *, a11y: bool = True, broken: bool = False) -> Path:
    chapter = CHAPTER
    extra = ""
    if broken:
        chapter = CHAPTER.replace("</p>", "</p><p>never closed")  # not well-formed XHTML
        extra = '    <item id="img" href="img/missing.png" media-type="image/png"/>\n'
    return write_epub(
        path,
        {
            "META-INF/container.xml": CONTAINER,
            "EPUB/package.opf": package_opf(a11y=a11y, extra_items=extra),
            "EPUB/nav.xhtml": NAV,
            "EPUB/text/ch1.xhtml": chapter,
        },
    )


def build_pdf(path: Path) -> Path:
    from weasyprint import HTML

    html = "<html lang=en><body><h1>Review</h1><p>A film, reviewed.</p></body></html>"
    HTML(string=html).write_pdf(path)
    return path


def build_pdf_with_unembedded_font(path: Path) -> Path:
    """One page of text in a standard-14 font that is referenced, not embedded."""
    import pikepdf

    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    content = pdf.make_stream(b"BT /F1 12 Tf 72 720 Td (A film, reviewed.) Tj ET")
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, 612, 792],
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
        Contents=content,
    )
    pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)
    return path


def describe(result: ValidatorResult) -> str:
    return "\n".join(d.format() for d in result.diagnostics) or "(no diagnostics)"


@pytest.fixture(scope="module")
def epubs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("epubs")
    return {
        "valid": build_epub(root / "valid.epub"),
        "no-a11y": build_epub(root / "no-a11y.epub", a11y=False),
        "broken": build_epub(root / "broken.epub", broken=True),
    }


# --- EPUBCheck -------------------------------------------------------------------------------


def test_epubcheck_valid_epub_has_no_errors(epubs: dict[str, Path]) -> None:
    result = run_epubcheck(epubs["valid"])
    assert result.validator == "epubcheck"
    assert result.ok, describe(result)
    assert result.counts["fatal"] == 0 and result.counts["error"] == 0, describe(result)


def test_epubcheck_broken_epub_reports_real_codes(epubs: dict[str, Path]) -> None:
    result = run_epubcheck(epubs["broken"])
    assert not result.ok
    assert result.counts["fatal"] + result.counts["error"] >= 1
    errors = result.errors
    assert all(d.source == "epubcheck" for d in errors)
    assert all(re.fullmatch(r"[A-Z]{3}-\d{3}[a-z]?", d.code) for d in errors), describe(result)
    by_path = {d.path: d for d in errors}
    chapter = by_path.get(f"{epubs['broken']}/EPUB/text/ch1.xhtml")
    assert chapter is not None and chapter.line > 0, describe(result)  # RSC-016, not well-formed
    assert f"{epubs['broken']}/EPUB/img/missing.png" in by_path, describe(result)  # RSC-001


def test_epubcheck_without_java_is_a_diagnostic(
    epubs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = run_epubcheck(epubs["valid"])
    assert not result.ok
    assert [d.code for d in result.diagnostics] == ["validator-missing"]
    assert result.diagnostics[0].message == (
        "Java (java, needed by EPUBCheck) is not available: install a Java runtime (Debian:"
        " apt-get install default-jre-headless) (in a checkout of publisher, bash"
        " scripts/setup-system.sh installs every validator)"
    )


# --- Ace by DAISY ----------------------------------------------------------------------------


def test_ace_accessible_epub_has_no_violations(epubs: dict[str, Path], tmp_path: Path) -> None:
    result = run_ace(epubs["valid"], tmp_path / "ace")
    assert (tmp_path / "ace" / "report.json").is_file(), describe(result)
    assert result.counts["violations"] == 0, describe(result)
    assert result.diagnostics == ()
    assert result.ok


def test_ace_reports_missing_accessibility_metadata(epubs: dict[str, Path], tmp_path: Path) -> None:
    result = run_ace(epubs["no-a11y"], tmp_path / "ace")
    assert result.counts["violations"] >= 1, describe(result)
    access_mode = [d for d in result.diagnostics if d.code == "metadata-accessmode"]
    assert access_mode, describe(result)
    assert access_mode[0].severity is Severity.ERROR  # impact "serious"
    assert access_mode[0].source == "ace"
    assert access_mode[0].path == f"{epubs['no-a11y']}/EPUB/package.opf"
    assert "schema:accessMode" in access_mode[0].message
    assert not result.ok


def test_ace_missing_install_is_a_diagnostic(epubs: dict[str, Path], tmp_path: Path) -> None:
    result = run_ace(epubs["valid"], tmp_path, ace_bin=tmp_path / "no" / "ace-puppeteer")
    assert [d.code for d in result.diagnostics] == ["validator-missing"]
    assert result.diagnostics[0].message == (
        f"Ace by DAISY ({tmp_path / 'no' / 'ace-puppeteer'}) is not available: install it with"
        " npm install --global --ignore-scripts @daisy/ace, or set PUBLISHER_ACE to its"
        " ace-puppeteer runner (in a checkout of publisher, bash scripts/setup-system.sh"
        " installs every validator)"
    )


def test_an_installed_package_never_looks_for_ace_beside_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from publisher.validation import tools

    monkeypatch.delenv(tools.ACE_SETTING, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no ace-puppeteer on it
    monkeypatch.setattr(tools, "CHECKOUT", tmp_path / "site-packages")  # as a wheel installs it
    assert tools.ace_runner() == Path("ace-puppeteer")
    checkout = tmp_path / "checkout"
    (checkout / "tools").mkdir(parents=True)
    (checkout / "tools" / "package.json").write_text("{}")
    monkeypatch.setattr(tools, "CHECKOUT", checkout)
    monkeypatch.setattr(tools, "CHECKOUT_TOOLS", checkout / "tools" / "node_modules" / ".bin")
    assert tools.ace_runner() == checkout / "tools" / "node_modules" / ".bin" / "ace-puppeteer"


def test_ace_unreadable_epub_is_a_diagnostic(tmp_path: Path) -> None:
    junk = tmp_path / "junk.epub"
    junk.write_bytes(b"not a zip at all")
    result = run_ace(junk, tmp_path / "ace")
    assert [d.code for d in result.diagnostics] == ["validator-failed"]
    assert "\x1b[" not in result.diagnostics[0].message


# --- PDF -------------------------------------------------------------------------------------


def test_check_pdf_weasyprint_output_is_ok(tmp_path: Path) -> None:
    result = check_pdf(build_pdf(tmp_path / "book.pdf"))
    assert result.ok, describe(result)
    assert result.diagnostics == (), describe(result)
    assert result.counts["pages"] == 1
    assert result.counts["fonts"] >= 1 and result.counts["unembedded"] == 0


def test_check_pdf_flags_unembedded_font(tmp_path: Path) -> None:
    result = check_pdf(build_pdf_with_unembedded_font(tmp_path / "helvetica.pdf"))
    assert not result.ok
    codes = [(d.code, d.source) for d in result.diagnostics]
    assert codes == [("font-not-embedded", "pdffonts")], describe(result)
    assert "Helvetica" in result.diagnostics[0].message
    assert result.counts["pages"] == 1 and result.counts["unembedded"] == 1


def test_check_pdf_recoverable_damage_is_a_qpdf_warning(tmp_path: Path) -> None:
    pdf = build_pdf_with_unembedded_font(tmp_path / "book.pdf")
    wrong_offset = re.sub(rb"startxref\s+(\d+)", rb"startxref\n\g<1>7", pdf.read_bytes())
    pdf.write_bytes(wrong_offset)
    result = check_pdf(pdf)
    warnings = [d for d in result.diagnostics if d.code == "qpdf-warning"]
    assert warnings and all(d.severity is Severity.WARNING for d in warnings), describe(result)
    assert result.details["qpdf_exit"] == 3
    assert result.counts["pages"] == 1


def test_check_pdf_damaged_file_fails(tmp_path: Path) -> None:
    pdf = build_pdf(tmp_path / "book.pdf")
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(pdf.read_bytes()[: len(pdf.read_bytes()) // 2])
    result = check_pdf(damaged)
    assert not result.ok, describe(result)
    assert {d.source for d in result.errors} & {"qpdf", "pdfinfo"}


def test_parse_pdffonts_flags_unembedded_fonts() -> None:
    output = (
        "name                                 type              encoding         emb sub uni object ID\n"
        "------------------------------------ ----------------- ---------------- --- --- --- ---------\n"
        "ABCDEF+EBGaramond-Regular            CID TrueType      Identity-H       yes yes yes      7  0\n"
        "Helvetica                            Type 1            WinAnsi          no  no  no      12  0\n"
    )
    assert parse_pdffonts(output) == [
        ("ABCDEF+EBGaramond-Regular", "CID TrueType", True),
        ("Helvetica", "Type 1", False),
    ]

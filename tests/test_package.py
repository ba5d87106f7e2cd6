"""`publisher package` (issue 16): the retailer and library package. What it holds and how the
files are named, its manifest as `sha256sum -c` reads it, the ONIX record in it (valid, with the
prices, rights and the print PDF's page count), what stores require checked before anything is
written, a path not ours refused, the zip byte for byte reproducible, the store-sized JPEG."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from lxml import etree
from PIL import Image

from publisher.base.diagnostics import BuildFailed
from publisher.cli.main import main
from publisher.export.cover import store_jpeg
from publisher.export.onix import NAMESPACE
from publisher.package import PackageRequest, PackageResult, make_package
from publisher.validation import check_onix

from .conftest import ONE_PART_TOML, review

EPOCH = "1800000000"  # 2027-01-15T08:00:00Z
EPUB_ISBN, PRINT_ISBN = "9788499990026", "9788499990019"
SLUG = "antologia-de-prueba"
TRADE = """
[identifiers]
isbn_epub = "978-84-9999-002-6"
isbn_print = "978-84-9999-001-9"

[sales]
territories = ["ES", "PT"]

[prices]
epub = { EUR = 9.99 }
print = { EUR = 19.9, USD = 21 }
"""
NAMES = {
    f"{EPUB_ISBN}.epub",
    f"{EPUB_ISBN}.jpg",
    f"{PRINT_ISBN}_interior.pdf",
    f"{PRINT_ISBN}_cover.pdf",
    "onix.xml",
    "SHA256SUMS",
}
NS = {"o": NAMESPACE}
SHOWN = "manuscripts/anthology.toml"  # as diagnostics name it, from the project root


def _project(root: Path, toml: str) -> Path:
    manuscripts = root / "manuscripts"
    (manuscripts / "reviews").mkdir(parents=True)
    (manuscripts / "front").mkdir()
    anthology = manuscripts / "anthology.toml"
    anthology.write_text(toml, encoding="utf-8")
    (manuscripts / "reviews" / "espinazo.md").write_text(
        review("El orfanato en guerra", "El espinazo del diablo", 2001), encoding="utf-8"
    )
    return anthology


@pytest.fixture(autouse=True)
def _epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A one-review book with ISBNs, rights and prices, packaged once into its dist/."""
    anthology = _project(tmp_path_factory.mktemp("book"), ONE_PART_TOML + TRADE)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        make_package(PackageRequest(anthology, None, cache=True))
    yield anthology


@pytest.fixture(scope="module")
def package(book: Path) -> Path:
    return book.parent.parent / "dist" / f"{SLUG}-package"


def test_the_package_holds_every_file_named_by_isbn(book: Path, package: Path) -> None:
    dist = package.parent
    assert {path.name for path in package.iterdir()} == NAMES
    assert (package / f"{EPUB_ISBN}.epub").read_bytes() == (dist / f"{SLUG}.epub").read_bytes()
    interior = (package / f"{PRINT_ISBN}_interior.pdf").read_bytes()
    assert interior == (dist / f"{SLUG}-print.pdf").read_bytes()
    wrap = (package / f"{PRINT_ISBN}_cover.pdf").read_bytes()
    assert wrap == (dist / f"{SLUG}-cover.pdf").read_bytes()


def test_the_command_reports_the_package(
    book: Path, package: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    assert main(["package", str(book), "--json", str(report)]) == 0
    size = sum(path.stat().st_size for path in package.iterdir()) / 1_000_000
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.endswith(f"{SLUG}-package (6 files, {size:.1f} MB)")
    assert line.startswith("package: ")
    text = report.read_text(encoding="utf-8")
    assert f'"path": "{package}"' in text
    assert '"name": "onix.xml"' in text


def test_the_manifest_passes_sha256sum_and_fails_after_one_byte_changes(
    package: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(package, copy)
    checked = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=copy, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count(": OK") == len(NAMES) - 1
    jpeg = copy / f"{EPUB_ISBN}.jpg"
    data = bytearray(jpeg.read_bytes())
    data[-10] ^= 0x01
    jpeg.write_bytes(bytes(data))
    checked = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=copy, capture_output=True, text=True
    )
    assert checked.returncode == 1
    assert f"{EPUB_ISBN}.jpg: FAILED\n" in checked.stdout


def _texts(root: etree._Element, path: str) -> list[str]:
    return [str(node) for node in root.xpath(path, namespaces=NS)]


def test_the_onix_record_validates_and_carries_prices_rights_and_pages(package: Path) -> None:
    data = (package / "onix.xml").read_bytes()
    assert check_onix(data) == ()
    with pikepdf.open(package / f"{PRINT_ISBN}_interior.pdf") as pdf:
        pages = str(len(pdf.pages))
    epub, paperback = etree.fromstring(data).xpath("//o:Product", namespaces=NS)
    assert _texts(paperback, ".//o:Extent[o:ExtentType='06']/o:ExtentValue/text()") == [pages]
    assert _texts(epub, ".//o:Extent[o:ExtentType='08']/o:ExtentValue/text()") == [pages]
    for product in (epub, paperback):
        assert _texts(product, ".//o:SalesRights/o:Territory/o:CountriesIncluded/text()") == [
            "ES PT"
        ]
    price = "o:ProductSupply/o:SupplyDetail/o:Price"
    assert [_texts(node, "*/text()") for node in epub.xpath(price, namespaces=NS)] == [
        ["02", "9.99", "EUR"]
    ]
    assert [_texts(node, "*/text()") for node in paperback.xpath(price, namespaces=NS)] == [
        ["02", "19.90", "EUR"],
        ["01", "21.00", "USD"],
    ]


XNS = {
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
}


def _epub_file(epub: Path, suffix: str) -> etree._Element:
    with zipfile.ZipFile(epub) as archive:
        [name] = [name for name in archive.namelist() if name.endswith(suffix)]
        return etree.fromstring(archive.read(name))


def _epub_nav(epub: Path) -> etree._Element:
    return _epub_file(epub, "nav.xhtml")


def _opf_meta(opf: etree._Element, name: str) -> list[str]:
    path = f"//opf:metadata/opf:meta[@property='{name}'][not(@refines)]/text()"
    return [str(text) for text in opf.xpath(path, namespaces=XNS)]


def _onix_features(product: etree._Element) -> list[list[str]]:
    path = "o:DescriptiveDetail/o:ProductFormFeature[o:ProductFormFeatureType='09']"
    return [
        _texts(node, "o:ProductFormFeatureValue/text() | o:ProductFormFeatureDescription/text()")
        for node in product.xpath(path, namespaces=NS)
    ]


def test_the_onix_contributors_and_accessibility_agree_with_the_epub(package: Path) -> None:
    opf = _epub_file(package / f"{EPUB_ISBN}.epub", ".opf")
    marc = {"edt": "B01", "aut": "A01"}
    in_epub = []
    for node in opf.xpath(
        "//opf:metadata/dc:creator | //opf:metadata/dc:contributor", namespaces=XNS
    ):
        refines = f"//opf:meta[@refines='#{node.get('id')}'][@property='role']/text()"
        in_epub.append((node.text, [marc[str(r)] for r in opf.xpath(refines, namespaces=XNS)]))
    # The one review is unsigned: the editor signs it, so the EPUB has her as edt and aut.
    assert in_epub == [("Ana Editora", ["B01", "A01"])]
    epub = etree.fromstring((package / "onix.xml").read_bytes()).xpath(
        "//o:Product", namespaces=NS
    )[0]
    people = [
        (_texts(person, "o:PersonName/text()")[0], _texts(person, "o:ContributorRole/text()"))
        for person in epub.xpath(".//o:Contributor", namespaces=NS)
    ]
    assert people == in_epub
    # Indexes, no image, a page-list, no conformance claim (no [accessibility], not validated).
    assert _opf_meta(opf, "dcterms:conformsTo") == []
    [summary] = _opf_meta(opf, "schema:accessibilitySummary")
    assert _onix_features(epub) == [["00", summary], ["11"], ["12"], ["13"], ["19"], ["41"]]


def test_the_store_jpeg_is_1600_px_wide_rgb_and_keeps_the_ratio(package: Path) -> None:
    with Image.open(package / f"{EPUB_ISBN}.jpg") as image:
        assert (image.format, image.mode) == ("JPEG", "RGB")
        assert image.size == (1600, 2560)  # the generated 1:1.6 cover, not stretched


def test_store_jpeg_flattens_transparency_on_white_and_scales_up() -> None:
    source = Image.new("RGBA", (800, 1280), (200, 0, 0, 255))
    source.paste((0, 0, 0, 0), (0, 0, 200, 200))  # transparent black: white once flattened
    png = io.BytesIO()
    source.save(png, format="PNG")
    with Image.open(io.BytesIO(store_jpeg(png.getvalue()))) as image:
        assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (1600, 2560))
        assert min(image.getpixel((100, 100))) > 240  # white, not black
        red, green, _ = image.getpixel((800, 1280))
        assert red > 180 and green < 30


def test_a_missing_isbn_is_reported_and_nothing_is_written(tmp_path: Path) -> None:
    toml = ONE_PART_TOML + '\n[identifiers]\nisbn_epub = "978-84-9999-002-6"\n'
    anthology = _project(tmp_path, toml)
    with pytest.raises(BuildFailed) as failed:
        make_package(PackageRequest(anthology, None))
    assert [d.format() for d in failed.value.diagnostics] == [
        f"{SHOWN}:16: error: package-missing-isbn: a retailer package needs the printed"
        ' book\'s ISBN-13: add isbn_print = "978-…" to [identifiers]'
    ]
    assert not (tmp_path / "dist").exists()


def test_without_identifiers_each_form_is_named_at_line_0(tmp_path: Path) -> None:
    anthology = _project(tmp_path, ONE_PART_TOML)
    with pytest.raises(BuildFailed) as failed:
        make_package(PackageRequest(anthology, None, epub_only=True))
    assert [d.format() for d in failed.value.diagnostics] == [
        f"{SHOWN}: error: package-missing-isbn: a retailer package needs the EPUB's"
        ' ISBN-13: add isbn_epub = "978-…" in an [identifiers] table'
    ]
    assert not (tmp_path / "dist").exists()


def test_priced_without_prices_is_an_error_per_form(tmp_path: Path) -> None:
    toml = ONE_PART_TOML + TRADE.split("[prices]")[0] + "[prices]\nepub = {}\n"
    anthology = _project(tmp_path, toml)
    with pytest.raises(BuildFailed) as failed:
        make_package(PackageRequest(anthology, None, priced=True))
    assert [d.format() for d in failed.value.diagnostics] == [
        f"{SHOWN}:24: error: package-missing-price: --priced needs a price for the EPUB:"
        " add epub = { EUR = 9.99 } to [prices] (ISO 4217 currency = amount)",
        f"{SHOWN}:23: error: package-missing-price: --priced needs a price for the printed"
        " book: add print = { EUR = 9.99 } to [prices] (ISO 4217 currency = amount)",
    ]
    assert not (tmp_path / "dist").exists()


def test_bad_prices_and_territories_are_reported_at_their_keys(tmp_path: Path) -> None:
    trade = TRADE.replace('"PT"', '"XX"').replace("EUR = 9.99", "eur = 9.99")
    anthology = _project(tmp_path, ONE_PART_TOML + trade.replace("21", "21.005"))
    with pytest.raises(BuildFailed) as failed:
        make_package(PackageRequest(anthology, None))
    assert [(d.line, d.code, d.message) for d in failed.value.diagnostics] == [
        (
            21,
            "anthology-value",
            "`sales.territories`: `XX` is not an ISO 3166-1 country code (two capital letters,"
            ' e.g. "ES") nor "WORLD"',
        ),
        (
            24,
            "anthology-value",
            "`prices.epub.eur`: not an ISO 4217 currency code in use (three capital letters,"
            " e.g. EUR, USD) (did you mean `EUR`?)",
        ),
        (25, "anthology-value", "`prices.print.USD` = 21.005: USD amounts have at most 2 decimals"),
    ]


def test_epub_only_packages_the_epub_alone(book: Path, tmp_path: Path) -> None:
    result = make_package(PackageRequest(book, tmp_path, epub_only=True))
    assert [item.name for item in result.files] == [
        f"{EPUB_ISBN}.epub",
        f"{EPUB_ISBN}.jpg",
        "onix.xml",
        "SHA256SUMS",
    ]
    onix = etree.fromstring((tmp_path / f"{SLUG}-package" / "onix.xml").read_bytes())
    assert _texts(onix, "//o:Product/o:RecordReference/text()") == [f"{SLUG}-epub"]


def test_epub_only_still_gives_the_epub_and_the_onix_the_print_pages(
    book: Path, tmp_path: Path
) -> None:
    # A folder with no print PDF at all: the package lays it out for its page numbers.
    result = make_package(PackageRequest(book, tmp_path, epub_only=True))
    assert [d.code for d in result.diagnostics] == []  # no edition-unpaginated, no barcode
    folder = tmp_path / f"{SLUG}-package"
    with pikepdf.open(tmp_path / f"{SLUG}-print.pdf") as pdf:
        pages = str(len(pdf.pages))
    onix = etree.fromstring((folder / "onix.xml").read_bytes())
    assert _texts(onix, "//o:Extent[o:ExtentType='08']/o:ExtentValue/text()") == [pages]
    nav = _epub_nav(folder / f"{EPUB_ISBN}.epub")
    labels = nav.xpath("//x:nav[@epub:type='page-list']//x:a/text()", namespaces=XNS)
    assert len(labels) == int(pages)  # one entry per print page
    assert not (tmp_path / f"{SLUG}-cover.pdf").exists()  # no wrap: it would not be delivered


def _zip(book: Path, out: Path, clean: bool) -> PackageResult:
    return make_package(PackageRequest(book, out, zip=True, clean=clean, cache=False))


def test_the_zip_is_reproducible(book: Path, tmp_path: Path) -> None:
    first = _zip(book, tmp_path / "one", False)
    second = _zip(book, tmp_path / "two", True)
    assert first.path is not None and second.path is not None
    assert first.path.read_bytes() == second.path.read_bytes()
    with zipfile.ZipFile(first.path) as archive:
        names = archive.namelist()
        assert names == sorted(NAMES)
        assert {info.date_time for info in archive.infolist()} == {(2027, 1, 15, 8, 0, 0)}
        manifest = archive.read("SHA256SUMS").decode("utf-8")
        for name in set(names) - {"SHA256SUMS"}:  # each file's line, as sha256sum writes it
            assert f"{hashlib.sha256(archive.read(name)).hexdigest()}  {name}\n" in manifest


def test_a_path_not_ours_is_refused_and_left_alone(book: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = tmp_path / f"{SLUG}-package"
    target.symlink_to(elsewhere)
    with pytest.raises(BuildFailed) as failed:
        make_package(PackageRequest(book, tmp_path))
    [problem] = failed.value.diagnostics
    assert (problem.code, problem.path) == ("output-not-a-file", str(target))
    assert target.is_symlink() and list(elsewhere.iterdir()) == []
    target.unlink()
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        make_package(PackageRequest(book, tmp_path))
    assert [d.code for d in failed.value.diagnostics] == ["output-not-a-file"]
    assert [path.name for path in target.iterdir()] == ["notes.txt"]
    assert not (tmp_path / f"{SLUG}.epub").exists()  # refused before the build


def test_an_invalid_onix_record_is_an_error_and_nothing_is_written(
    book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import publisher.package as package_module

    real = package_module.onix_record

    def broken(*args: object, **kwargs: object) -> bytes:
        root = etree.fromstring(real(*args, **kwargs))  # type: ignore[arg-type]
        [first, *_] = root.xpath("//o:Product/o:NotificationType", namespaces=NS)
        first.getparent().remove(first)
        return bytes(etree.tostring(root))

    monkeypatch.setattr(package_module, "onix_record", broken)
    with pytest.raises(BuildFailed) as failed:
        make_package(PackageRequest(book, tmp_path))
    assert [d.format() for d in failed.value.diagnostics] == [
        f"{SHOWN}: error: package-onix-invalid: the ONIX record is not valid: ERROR - SCHEMASV"
        " - onix.xml:10:0 - Element 'ProductIdentifier': This element is not expected."
        " Expected is ( NotificationType ).",
    ]
    assert not (tmp_path / f"{SLUG}-package").exists()


def test_a_second_run_replaces_the_package(book: Path, tmp_path: Path) -> None:
    first = make_package(PackageRequest(book, tmp_path))
    assert first.path is not None
    (first.path / "onix.xml").write_bytes(b"stale")
    second = make_package(PackageRequest(book, tmp_path))
    assert second.path == first.path
    assert check_onix((first.path / "onix.xml").read_bytes()) == ()
    assert dataclasses.asdict(second)["files"] == dataclasses.asdict(first)["files"]


def test_the_cover_image_becomes_the_store_jpeg(tmp_path: Path) -> None:
    toml = ONE_PART_TOML.replace("front = []", 'front = []\ncover_image = "cubierta.png"')
    anthology = _project(tmp_path, toml + TRADE)
    Image.new("RGB", (1000, 1600), (20, 90, 160)).save(anthology.parent / "cubierta.png")
    result = make_package(PackageRequest(anthology, None, epub_only=True, cache=False))
    assert [d.code for d in result.diagnostics] == ["cover-small"]  # 1000 px: under 1600
    with Image.open(tmp_path / "dist" / f"{SLUG}-package" / f"{EPUB_ISBN}.jpg") as image:
        assert (image.mode, image.size) == ("RGB", (1600, 2560))  # 1:1.6 kept
        centre = image.getpixel((800, 1280))
        assert all(abs(a - b) < 4 for a, b in zip(centre, (20, 90, 160), strict=True))


def test_world_stands_alone_and_unknown_trade_keys_are_named(tmp_path: Path) -> None:
    from publisher.pipeline import read_spec

    toml = '\n[sales]\nterritories = ["WORLD", "ES"]\nterritory = 1\n[prices]\nprints = {}\n'
    anthology = _project(tmp_path, ONE_PART_TOML + toml)
    with pytest.raises(BuildFailed) as failed:
        read_spec(anthology)
    assert [(d.line, d.code, d.message) for d in failed.value.diagnostics] == [
        (
            18,
            "anthology-unknown-key",
            "unknown key `sales.territory` (did you mean `territories`?)",
        ),
        (20, "anthology-unknown-key", "unknown key `prices.prints` (did you mean `print`?)"),
        (17, "anthology-value", '`sales.territories`: "WORLD" stands alone'),
    ]


def test_validate_packages_the_epub_with_the_validated_builds_claim(
    book: Path, tmp_path: Path
) -> None:
    result = make_package(PackageRequest(book, tmp_path, validate=True))
    assert result.path is not None, [d.message for d in result.diagnostics]
    assert {v.validator for v in result.build.validators} >= {"epubcheck", "ace"}  # type: ignore[union-attr]
    folder = tmp_path / f"{SLUG}-package"
    opf = _epub_file(folder / f"{EPUB_ISBN}.epub", ".opf")
    [claim] = _opf_meta(opf, "dcterms:conformsTo")
    assert claim == "EPUB Accessibility 1.1 - WCAG 2.2 Level A"
    # The packaged EPUB is the validated build's own file, and the ONIX says what it claims.
    assert (folder / f"{EPUB_ISBN}.epub").read_bytes() == (tmp_path / f"{SLUG}.epub").read_bytes()
    [certifier] = _opf_meta(opf, "a11y:certifiedBy")
    epub = etree.fromstring((folder / "onix.xml").read_bytes()).xpath("//o:Product", namespaces=NS)[
        0
    ]
    assert _onix_features(epub)[-4:] == [["04"], ["82"], ["84"], ["90", certifier]]


def test_a_validator_error_stops_the_package(
    book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from publisher.base.diagnostics import Severity
    from publisher.validation import files
    from publisher.validation.runner import diag, make_result

    def broken(path: Path) -> object:
        fault = diag(Severity.ERROR, path, "RSC-005", "a deliberate fault", "epubcheck")
        return make_result("epubcheck", path, [fault])

    monkeypatch.setattr(files, "run_epubcheck", broken)
    result = make_package(PackageRequest(book, tmp_path, validate=True))
    assert result.path is None
    assert not (tmp_path / f"{SLUG}-package").exists()
    [stop] = [d for d in result.diagnostics if d.code == "package-not-validated"]
    assert stop.message == f"the package was not written: epubcheck on {SLUG}.epub found errors"


# -- `publisher validate` on a package as delivered ----------------------------------------------


def test_validate_checks_a_package_and_its_zip_outside_the_project(
    book: Path,
    package: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "delivered"
    shutil.copytree(package, folder)
    archive = make_package(PackageRequest(book, tmp_path / "zipped", zip=True)).path
    assert archive is not None
    monkeypatch.chdir(tmp_path)  # no project here: the package stands alone
    assert main(["validate", str(folder), str(archive)]) == 0
    lines = capsys.readouterr().out.splitlines()
    for where in ("delivered/", f"zipped/{SLUG}-package.zip/"):
        checked = sorted(line.split(":")[0] for line in lines if where in line and ": ok" in line)
        assert checked == sorted(
            ["manifest", "epubcheck", "ace", "onixcheck"] + ["pdf", "glyphs"] * 2 + ["wrap"]
        ), lines
    assert not [line for line in lines if "FAILED" in line]


def test_the_manifest_check_names_a_changed_a_missing_and_an_unlisted_file(
    package: Path, tmp_path: Path
) -> None:
    from publisher.validation.delivered import _check_manifest

    folder = tmp_path / "delivered"
    shutil.copytree(package, folder)
    assert _check_manifest(folder).diagnostics == ()
    onix = folder / "onix.xml"
    onix.write_bytes(onix.read_bytes().replace(b"Prensa", b"Prensa!", 1))
    (folder / f"{EPUB_ISBN}.jpg").unlink()
    (folder / "notas.txt").write_text("no es del paquete", encoding="utf-8")
    found = [(Path(d.path).name, d.code, d.message) for d in _check_manifest(folder).diagnostics]
    assert found == [
        (
            f"{EPUB_ISBN}.jpg",
            "package-checksum",
            "listed in SHA256SUMS but not in the package",
        ),
        (
            "onix.xml",
            "package-checksum",
            "its SHA-256 is not the one SHA256SUMS lists: the file changed after packaging",
        ),
        (
            "notas.txt",
            "package-unlisted",
            "not listed in SHA256SUMS: a package holds only the files its manifest lists",
        ),
    ]


def test_validate_reports_an_invalid_onix_record_in_a_package(
    package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from publisher.validation import delivered

    monkeypatch.setattr(delivered, "validate_files", lambda *args, **kwargs: ())
    folder = tmp_path / "delivered"
    shutil.copytree(package, folder)
    onix = folder / "onix.xml"
    onix.write_bytes(onix.read_bytes().replace(b"<NotificationType>03</NotificationType>", b"", 1))
    results = delivered.validate_delivery(folder)
    [record] = [r for r in results if r.validator == "onixcheck"]
    assert [(d.code, d.message) for d in record.diagnostics] == [
        (
            "package-onix-invalid",
            "ERROR - SCHEMASV - onix.xml:12:0 - Element 'ProductIdentifier': This element is not"
            " expected. Expected is ( NotificationType ).",
        )
    ]


def test_the_command_passes_validate_and_epub_only_to_the_package(
    book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import publisher.package

    asked: list[PackageRequest] = []

    def recorded(request: PackageRequest) -> PackageResult:
        asked.append(request)
        return PackageResult(None, (), None, ())

    monkeypatch.setattr(publisher.package, "make_package", recorded)
    assert main(["package", str(book), "--validate", "--epub-only", "-q"]) == 0
    assert [(r.validate, r.epub_only) for r in asked] == [(True, True)]


# -- issue 16, second trial: the typeset description, the package's moment, a missing validator,
# the JSON report and -q ------------------------------------------------------------------------

DESCRIPTION = """description = '''
El "cine de cruzada" de 1939 -- y lo que vino después...

Reseñas de "Raza" y de "Las bicicletas son para el verano".'''
subtitle = 'El cine de la "otra" guerra'"""
TYPED = (
    ONE_PART_TOML.replace('description = "Una antología mínima."', DESCRIPTION).replace(
        "date = 2026-01-15",
        "date = 2099-03-01",  # a book announced far ahead
    )
    + TRADE
)


@pytest.fixture(scope="module")
def typed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, str, str]]:
    """A book dated 2099 whose description and subtitle have straight quotes, `--` and `...`,
    packaged as a zip with `-q --json` and no SOURCE_DATE_EPOCH: (anthology, zip, the JSON
    report's text, what the command printed)."""
    anthology = _project(tmp_path_factory.mktemp("typed"), TYPED)
    report = anthology.parent.parent / "report.json"
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        patch.chdir(anthology.parent.parent)  # paths are printed from here: the same anywhere
        capture = io.StringIO()
        with contextlib.redirect_stdout(capture), contextlib.redirect_stderr(capture):
            code = main(["package", str(anthology), "--zip", "-q", "--json", str(report)])
    assert code == 0, capture.getvalue()
    target = anthology.parent.parent / "dist" / f"{SLUG}-package.zip"
    yield anthology, target, report.read_text(encoding="utf-8"), capture.getvalue()


def test_the_onix_description_and_titles_are_typeset_as_the_wrap_prints_them(
    typed: tuple[Path, Path, str, str],
) -> None:
    _, target, _, _ = typed
    with zipfile.ZipFile(target) as archive:
        record = etree.fromstring(archive.read("onix.xml"))
    for product in record.xpath("//o:Product", namespaces=NS):
        assert _texts(product, ".//o:TextContent/o:Text/text()") == [
            "El «cine de cruzada» de 1939 – y lo que vino después…\n\n"
            "Reseñas de «Raza» y de «Las bicicletas son para el verano»."
        ]
        assert _texts(product, ".//o:TitleElement/o:Subtitle/text()") == [
            "El cine de la «otra» guerra"
        ]
    assert check_onix(etree.tostring(record)) == ()


def test_without_source_date_epoch_the_zip_and_the_onix_carry_the_builds_moment(
    typed: tuple[Path, Path, str, str],
) -> None:
    """Never the book's `date` (2099 here): the moment the package was made, the same in the
    zip's entries and the record's SentDateTime."""
    _, target, _, _ = typed
    made = dt.datetime.fromtimestamp(target.stat().st_mtime, dt.UTC)
    with zipfile.ZipFile(target) as archive:
        [stamp] = {info.date_time for info in archive.infolist()}
        [sent] = _texts(etree.fromstring(archive.read("onix.xml")), "//o:SentDateTime/text()")
    entries = dt.datetime(*stamp, tzinfo=dt.UTC)
    assert dt.timedelta(0) <= made - entries < dt.timedelta(minutes=5)
    assert sent == entries.strftime("%Y%m%dT%H%MZ")
    # The EPUB inside was not modified in 2099 either: its date is the build's, not the book's.
    with zipfile.ZipFile(target) as archive:
        epub = zipfile.ZipFile(io.BytesIO(archive.read(f"{EPUB_ISBN}.epub")))
        opf = etree.fromstring(epub.read(next(n for n in epub.namelist() if n.endswith(".opf"))))
        inside = {dt.datetime(*info.date_time, tzinfo=dt.UTC) for info in epub.infolist()}
    [text] = opf.xpath("//opf:meta[@property='dcterms:modified']/text()", namespaces=XNS)
    modified = dt.datetime.strptime(str(text), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    for moment in (modified, *inside):
        assert dt.timedelta(0) <= made - moment < dt.timedelta(minutes=5)


def test_the_json_report_lists_every_file_with_its_size_and_sha256_and_q_prints_nothing(
    typed: tuple[Path, Path, str, str],
) -> None:
    _, target, report, printed = typed
    assert printed == (  # -q: only the problem, no info line, no tally
        "manuscripts/anthology.toml: warning: print-too-short: the print PDF has 18 pages: KDP prints"
        " paperbacks of at least 24 pages and will refuse it; IngramSpark prints from 18\n"
    )
    package = json.loads(report)["package"]
    with zipfile.ZipFile(target) as archive:
        expected = [
            {"name": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name in sorted(archive.namelist(), key=lambda name: (name == "SHA256SUMS", name))
            for data in (archive.read(name),)
        ]
    assert package["files"] == expected
    assert package["path"] == str(target)
    assert package["bytes"] == sum(item["bytes"] for item in expected)


def test_q_still_prints_the_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    anthology = _project(tmp_path, ONE_PART_TOML)  # no ISBNs: one error per product form
    assert main(["package", str(anthology), "-q"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert [line.split(": error: ")[1] for line in captured.err.splitlines()[:2]] == [
        'package-missing-isbn: a retailer package needs the EPUB\'s ISBN-13: add isbn_epub = "978-…" in an [identifiers] table',
        'package-missing-isbn: a retailer package needs the printed book\'s ISBN-13: add isbn_print = "978-…" in an [identifiers] table',
    ]


def test_a_missing_validator_says_so_and_how_to_install_it(
    book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from publisher.validation import files
    from publisher.validation.runner import INSTALL, missing_tool

    monkeypatch.setattr(
        files, "run_ace", lambda path, _: missing_tool("ace", path, "Ace by DAISY (ace)", "ace")
    )
    result = make_package(PackageRequest(book, tmp_path, validate=True))
    assert result.path is None
    assert not (tmp_path / f"{SLUG}-package").exists()
    [stop] = [d for d in result.diagnostics if d.code == "package-not-validated"]
    assert stop.message == (
        "the package was not written because validation was asked for (--validate):"
        f" Ace by DAISY (ace) is not available: {INSTALL['ace']} (in a checkout of publisher,"
        " bash scripts/setup-system.sh installs every validator)"
    )


def test_the_accessibility_tables_credential_and_report_reach_the_onix(tmp_path: Path) -> None:
    """From the anthology file through the EPUB's own metadata to the record: the certifier
    (90), its credential (88) and the evaluation report's URL (94)."""
    table = (
        "\n[accessibility]\n"
        'certified_by = "Laboratorio de Lectura Accesible"\n'
        'conforms_to = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"\n'
        'credential = "Sello de Lectura Accesible"\n'
        'report = "https://lectura.example.org/informes/antologia"\n'
    )
    anthology = _project(tmp_path, ONE_PART_TOML + TRADE + table)
    result = make_package(PackageRequest(anthology, tmp_path / "out", epub_only=True))
    assert result.path is not None, [d.message for d in result.diagnostics]
    data = (result.path / "onix.xml").read_bytes()
    assert check_onix(data) == ()
    epub = etree.fromstring(data).xpath("//o:Product", namespaces=NS)[0]
    assert _onix_features(epub)[-6:] == [
        ["04"], ["82"], ["85"], ["90", "Laboratorio de Lectura Accesible"],
        ["88", "Sello de Lectura Accesible"],
        ["94", "https://lectura.example.org/informes/antologia"],
    ]  # fmt: skip

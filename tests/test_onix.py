"""The ONIX for Books 3.0 record (issue 16): valid against EDItEUR's schema as onixcheck reads
it, with the book's data in it; a broken record fails with the validator's own message."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import onixcheck
import pytest
from lxml import etree

from publisher.base.model import Anthology
from publisher.export.onix import NAMESPACE, onix_record
from publisher.export.onix_access import FEATURES as FEATURE_CODES
from publisher.export.onix_access import (
    WCAG_LEVEL,
    WCAG_VERSION,
    EpubAccessibility,
    feature_codes,
    read_accessibility,
)
from publisher.pipeline import load
from publisher.validation import check_onix

from .conftest import DEFAULT_ANTHOLOGY
from .test_epub import RICH_ANTHOLOGY

NS = {"o": NAMESPACE}


@pytest.fixture(scope="module")
def rich() -> Anthology:
    return load(RICH_ANTHOLOGY)[0]


def _texts(root: etree._Element, path: str) -> list[str]:
    return [str(node) for node in root.xpath(path, namespaces=NS)]


def test_record_validates_and_carries_the_book(rich: Anthology) -> None:
    data = onix_record(rich, 212)
    assert check_onix(data) == ()
    root = etree.fromstring(data)
    spec = rich.spec
    epub, paperback = root.xpath("//o:Product", namespaces=NS)
    assert _texts(epub, "o:ProductIdentifier[o:ProductIDType='15']/o:IDValue/text()") == [
        "9788499990026"
    ]
    assert _texts(paperback, "o:ProductIdentifier[o:ProductIDType='15']/o:IDValue/text()") == [
        "9788499990019"
    ]
    assert _texts(epub, ".//o:ProductFormDetail/text()") == ["E101"]
    assert _texts(paperback, "o:DescriptiveDetail/o:ProductForm/text()") == ["BC"]
    # The print PDF's every page: production page count (List 23 code 06), and for the EPUB
    # the pages of its print counterpart (08).
    assert _texts(paperback, ".//o:Extent[o:ExtentType='06']/o:ExtentValue/text()") == ["212"]
    assert _texts(epub, ".//o:Extent[o:ExtentType='08']/o:ExtentValue/text()") == ["212"]
    assert _texts(root, "//o:Extent[o:ExtentType='00']") == []
    related = "o:RelatedMaterial/o:RelatedProduct"
    assert _texts(epub, f"{related}[o:ProductRelationCode='13']//o:IDValue/text()") == [
        "9788499990019"
    ]
    assert _texts(paperback, f"{related}[o:ProductRelationCode='27']//o:IDValue/text()") == [
        "9788499990026"
    ]
    # Without `[prices]` each product is unpriced (List 57: 02, price to be announced); without
    # `[sales]`, for sale the world over.
    assert _texts(root, "//o:SupplyDetail/o:UnpricedItemType/text()") == ["02", "02"]
    assert _texts(root, "//o:SalesRights/o:Territory/o:RegionsIncluded/text()") == ["WORLD"] * 2
    assert _texts(paperback, ".//o:Measure/o:Measurement/text()") == [
        f"{spec.trim.height_mm:g}",
        f"{spec.trim.width_mm:g}",
    ]
    assert _texts(root, "//o:Product/o:DescriptiveDetail//o:TitleText/text()") == [spec.title] * 2
    editors = _texts(epub, ".//o:Contributor[o:ContributorRole='B01']/o:PersonName/text()")
    assert editors == list(spec.editors)
    # Filed names split into the parts stores sort by: `Garrido, Lucía` → key names `Garrido`.
    for person in epub.xpath(".//o:Contributor", namespaces=NS):
        [filed] = _texts(person, "o:PersonNameInverted/text()")
        key, before = filed.split(", ", 1)
        assert _texts(person, "o:KeyNames/text()") == [key]
        assert _texts(person, "o:NamesBeforeKey/text()") == [before]
    assert _texts(epub, ".//o:LanguageCode/text()") == ["spa"]
    assert _texts(epub, ".//o:SubjectHeadingText/text()") == ["; ".join(spec.subjects)]
    assert _texts(epub, ".//o:PublishingDate/o:Date/text()") == [spec.date.strftime("%Y%m%d")]


def test_a_book_without_isbn_is_identified_by_its_slug() -> None:
    book = load(DEFAULT_ANTHOLOGY)[0]
    data = onix_record(book)
    assert check_onix(data) == ()
    ids = _texts(
        etree.fromstring(data),
        "//o:Product/o:ProductIdentifier[o:ProductIDType='01']/o:IDValue/text()",
    )
    assert ids == [f"{book.spec.slug}-epub", f"{book.spec.slug}-print"]


def test_record_is_reproducible(rich: Anthology, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    first = onix_record(rich, 212)
    assert first == onix_record(rich, 212)
    assert _texts(etree.fromstring(first), "//o:SentDateTime/text()") == ["20270115T0800Z"]


def test_a_broken_record_fails_with_the_validators_message(rich: Anthology) -> None:
    root = etree.fromstring(onix_record(rich, 212))
    [first, _] = root.xpath("//o:Product/o:NotificationType", namespaces=NS)
    first.getparent().remove(first)
    assert check_onix(etree.tostring(root), "broken.xml") == (
        "ERROR - SCHEMASV - broken.xml:10:0 - Element 'ProductIdentifier': This element is not"
        " expected. Expected is ( NotificationType ).",
    )


# -- issue 16, after a new user's trial: the sending moment, forthcoming books, contributors and
# the EPUB's accessibility -----------------------------------------------------------------------


def test_sent_date_time_is_the_clock_in_utc_without_source_date_epoch(
    rich: Anthology, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    before = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    data = onix_record(rich, 212)
    after = dt.datetime.now(dt.UTC)
    assert check_onix(data) == ()
    [sent] = _texts(etree.fromstring(data), "//o:SentDateTime/text()")
    moment = dt.datetime.strptime(sent, "%Y%m%dT%H%MZ").replace(tzinfo=dt.UTC)
    assert before <= moment <= after  # never the book's `date` (2026-01-15 in the fixture)


def _dated(book: Anthology, day: dt.date) -> Anthology:
    return dataclasses.replace(book, spec=dataclasses.replace(book.spec, date=day))


def test_a_book_dated_after_today_is_forthcoming(
    rich: Anthology, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")  # today: 2027-01-15
    later = onix_record(_dated(rich, dt.date(2027, 1, 16)), 212)
    assert check_onix(later) == ()
    root = etree.fromstring(later)
    assert _texts(root, "//o:PublishingStatus/text()") == ["02", "02"]
    assert _texts(root, "//o:ProductAvailability/text()") == ["10", "10"]
    dates = "//o:PublishingDate[o:PublishingDateRole='01']/o:Date/text()"
    assert _texts(root, dates) == ["20270116", "20270116"]
    today = etree.fromstring(onix_record(_dated(rich, dt.date(2027, 1, 15)), 212))
    assert _texts(today, "//o:PublishingStatus/text()") == ["04", "04"]
    assert _texts(today, "//o:ProductAvailability/text()") == ["20", "20"]


def _contributors(product: etree._Element) -> list[tuple[str, list[str]]]:
    return [
        (_texts(person, "o:PersonName/text()")[0], _texts(person, "o:ContributorRole/text()"))
        for person in product.xpath(".//o:Contributor", namespaces=NS)
    ]


def test_an_editor_who_signs_reviews_is_b01_and_a01_then_the_critics(rich: Anthology) -> None:
    editor = rich.spec.editors[0]
    signing = dataclasses.replace(rich.back.contributors[0], name=editor)
    critics = (signing, *rich.back.contributors[1:])
    book = dataclasses.replace(rich, back=dataclasses.replace(rich.back, contributors=critics))
    data = onix_record(book, 212)
    assert check_onix(data) == ()
    epub = etree.fromstring(data).xpath("//o:Product", namespaces=NS)[0]
    assert _contributors(epub) == [
        (editor, ["B01", "A01"]),
        *((critic.name, ["A01"]) for critic in rich.back.contributors[1:]),
    ]
    # Without reviews of their own, the editors only edit.
    plain = etree.fromstring(onix_record(rich, 212)).xpath("//o:Product", namespaces=NS)[0]
    assert _contributors(plain)[0] == (editor, ["B01"])


FEATURES = "o:DescriptiveDetail/o:ProductFormFeature[o:ProductFormFeatureType='09']"


def _features(product: etree._Element) -> list[tuple[str, ...]]:
    return [
        tuple(
            _texts(
                node, "o:ProductFormFeatureValue/text() | o:ProductFormFeatureDescription/text()"
            )
        )
        for node in product.xpath(FEATURES, namespaces=NS)
    ]


def test_the_epub_product_lists_its_accessibility_as_list_196(rich: Anthology) -> None:
    facts = EpubAccessibility(
        features=(
            "tableOfContents", "readingOrder", "structuralNavigation", "alternativeText",
            "pageNavigation", "printPageNumbers",
        ),
        summary="Texto estructurado con encabezados.",
    )  # fmt: skip
    data = onix_record(rich, 212, True, facts)
    assert check_onix(data) == ()
    epub, paperback = etree.fromstring(data).xpath("//o:Product", namespaces=NS)
    assert _features(epub) == [
        ("00", "Texto estructurado con encabezados."),
        ("11",), ("13",), ("14",), ("19",), ("41",),
    ]  # fmt: skip
    assert _features(paperback) == []
    # Conformance and the certifier only as the EPUB claims them.
    claimed = dataclasses.replace(
        facts,
        features=("tableOfContents",),
        conforms_to="EPUB Accessibility 1.1 - WCAG 2.1 Level AA",
        certified_by="Servicio de Accesibilidad",
    )
    epub = etree.fromstring(onix_record(rich, 212, True, claimed)).xpath(
        "//o:Product", namespaces=NS
    )[0]
    assert _features(epub) == [
        ("00", "Texto estructurado con encabezados."),
        ("11",), ("04",), ("81",), ("85",), ("90", "Servicio de Accesibilidad"),
    ]  # fmt: skip


def test_every_accessibility_code_is_in_the_schemas_list_196() -> None:
    schema = (
        Path(onixcheck.__file__).parent / "schema" / "xsd3.0" / "ONIX_BookProduct_CodeLists.xsd"
    )
    xs = {"xs": "http://www.w3.org/2001/XMLSchema"}
    listed = etree.parse(str(schema)).xpath(
        "//xs:simpleType[@name='List196']//xs:enumeration/@value", namespaces=xs
    )
    ours = {code for _, code in FEATURE_CODES} | {"00", "04", "90"}
    ours |= set(WCAG_VERSION.values()) | set(WCAG_LEVEL.values())
    assert ours <= set(listed)


# -- issue 16, second trial: the certifier's credential and report, the typeset description -----

OPF = "http://www.idpf.org/2007/opf"


def _epub_with(metadata: list[etree._Element]) -> bytes:
    """A zip holding only what read_accessibility reads: the container and a package document
    whose metadata is `metadata`."""
    import io
    import zipfile

    container = etree.Element("{urn:oasis:names:tc:opendocument:xmlns:container}container")
    rootfiles = etree.SubElement(
        container, "{urn:oasis:names:tc:opendocument:xmlns:container}rootfiles"
    )
    etree.SubElement(
        rootfiles,
        "{urn:oasis:names:tc:opendocument:xmlns:container}rootfile",
        {"full-path": "EPUB/content.opf"},
    )
    package = etree.Element(f"{{{OPF}}}package")
    etree.SubElement(package, f"{{{OPF}}}metadata").extend(metadata)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("META-INF/container.xml", etree.tostring(container))
        archive.writestr("EPUB/content.opf", etree.tostring(package))
    return buffer.getvalue()


def _meta(text: str, **attributes: str) -> etree._Element:
    element = etree.Element(f"{{{OPF}}}meta", attributes)
    element.text = text
    return element


def test_the_certifiers_credential_and_report_are_list_196_88_89_and_94(rich: Anthology) -> None:
    report = "https://informes.example.org/guerra-y-memoria"
    epub = _epub_with(
        [
            _meta("EPUB Accessibility 1.1 - WCAG 2.2 Level AA", property="dcterms:conformsTo"),
            _meta("Servicio de Accesibilidad", property="a11y:certifiedBy", id="certifier"),
            _meta("Sello Lectura Fácil", property="a11y:certifierCredential", refines="#certifier"),
            etree.Element(
                f"{{{OPF}}}link",
                {"rel": "a11y:certifierReport", "refines": "#certifier", "href": report},
            ),
        ]
    )
    facts = read_accessibility(epub)
    assert (facts.credential, facts.report) == ("Sello Lectura Fácil", report)
    data = onix_record(rich, 212, True, facts)
    assert check_onix(data) == ()
    epub_product = etree.fromstring(data).xpath("//o:Product", namespaces=NS)[0]
    assert _features(epub_product) == [
        ("04",), ("82",), ("85",), ("90", "Servicio de Accesibilidad"),
        ("88", "Sello Lectura Fácil"), ("94", report),
    ]  # fmt: skip
    # A credential given as the credentialling body's web page is its URL (89).
    by_url = dataclasses.replace(facts, credential="https://sellos.example.org/", report=None)
    assert feature_codes(by_url)[-1] == ("89", "https://sellos.example.org/")
    assert {"88", "89", "94"} <= _list_196()


def _list_196() -> set[str]:
    schema = (
        Path(onixcheck.__file__).parent / "schema" / "xsd3.0" / "ONIX_BookProduct_CodeLists.xsd"
    )
    xs = {"xs": "http://www.w3.org/2001/XMLSchema"}
    listed = etree.parse(str(schema)).xpath(
        "//xs:simpleType[@name='List196']//xs:enumeration/@value", namespaces=xs
    )
    return {str(code) for code in listed} if isinstance(listed, list) else set()

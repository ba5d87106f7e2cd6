"""The ONIX for Books 3.0 record (issue 16): valid against EDItEUR's schema as onixcheck reads
it, with the book's data in it; a broken record fails with the validator's own message."""

from __future__ import annotations

import pytest
from lxml import etree

from publisher.base.model import Anthology
from publisher.export.onix import NAMESPACE, onix_record
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
    assert _texts(etree.fromstring(first), "//o:SentDateTime/text()") == ["20270115T0800"]


def test_a_broken_record_fails_with_the_validators_message(rich: Anthology) -> None:
    root = etree.fromstring(onix_record(rich, 212))
    [first, _] = root.xpath("//o:Product/o:NotificationType", namespaces=NS)
    first.getparent().remove(first)
    assert check_onix(etree.tostring(root), "broken.xml") == (
        "ERROR - SCHEMASV - broken.xml:10:0 - Element 'ProductIdentifier': This element is not"
        " expected. Expected is ( NotificationType ).",
    )

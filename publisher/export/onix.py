"""An ONIX for Books 3.0 record (reference tag names) of the anthology: one `<Product>` per
edition a store sells, the EPUB and the printed book. Built as an lxml tree, never as text.

The codes are EDItEUR's ONIX code lists (issue 71 and later): List 1 notification type
(03 confirmed), List 5 identifier type (15 ISBN-13, 01 proprietary), List 2 composition
(00 single item), List 150 form (ED digital download, BC paperback), List 175 form detail
(E101 EPUB), List 48 measure type (01 height, 02 width), List 15 title type (01), List 149
title level (01 product), List 17 contributor role (B01 edited by, A01 by), List 22 language
role (01 of the text), List 74 language (ISO 639-2/B), List 23 extent type (see below),
List 24 extent unit (03 pages), List 27 subject scheme (20 keywords), List 153 text type
(03 description), List 154 audience (00 any), List 45 publishing role (01 publisher),
List 64 status (04 active; 02 forthcoming for a book whose `date` is after today), List 163
date role (01 publication date, the anthology's `date`, past or planned).
Checked against onixcheck's bundled code lists (issue 75). The EPUB's accessibility details
(List 79 type 09, List 196): export/onix_access.py.

Header: `SentDateTime` is when the message is sent (ONIX 3.0 Specification, Header): the
SOURCE_DATE_EPOCH moment when set (two runs give the same bytes), else the clock, in UTC as
`YYYYMMDDTHHMMZ` (dt.DateOrDateTime); never the book's `date`.

Extent (List 23): the paperback's page count is the print PDF's pages, every page counted, so
it is code 06 (production page count), not 00 (the highest number printed on a main-content
page, which a PDF's length is not); the EPUB gives the same figure as 08 (pages in the print
counterpart). The two products name each other (List 51: the EPUB 13, epublication based on
the print product; the paperback 27, electronic version available as). Rights and supply:
List 46 sales rights (01 for sale with exclusive rights), List 49 region (WORLD) or ISO 3166-1
countries; one SupplyDetail per product, the publisher as supplier (List 93: 01 publisher to
resellers), List 65 availability (20 available; 10 not yet available when forthcoming).
Prices (List 58): a price in `[prices]` is what a reader pays. Where shelf prices include VAT
(the euro, the pound and every currency but two) that is 02 "RRP including tax"; US and
Canadian list prices exclude the sales tax added at the till, so USD and CAD are 01 "RRP
excluding tax". No Tax composite: the rate depends on the buyer's country, which a list price
does not know. A product without prices says so: List 57 unpriced item type 02 (price to be
announced).
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from lxml import etree
from lxml.builder import ElementMaker

from ..base.cover import CoverText
from ..base.languages import bibliographic_code
from ..base.model import Anthology, Price
from ..base.names import file_name
from ..base.project import source_date, today
from .onix_access import EpubAccessibility, feature_codes

NAMESPACE = "http://ns.editeur.org/onix/3.0/reference"
_MAKER = ElementMaker(namespace=NAMESPACE, nsmap={None: NAMESPACE})


def E(tag: str, *content: etree._Element | str, **attributes: str) -> etree._Element:
    """The ONIX element `tag` (reference name, in the ONIX namespace) holding `content`: text
    is escaped by lxml, elements are appended in order."""
    element: etree._Element = _MAKER(tag, *content, **attributes)
    return element


class ProductForm(NamedTuple):
    suffix: str  # of the record reference: `<slug>-epub`
    form: str  # List 150
    detail: str | None  # List 175
    printed: bool  # has a trim size and a page count


EPUB = ProductForm("epub", "ED", "E101", printed=False)
PAPERBACK = ProductForm("print", "BC", None, printed=True)
# List 58: currencies whose list prices exclude tax (01); every other one includes it (02).
EXCLUDING_TAX = frozenset({"USD", "CAD"})


def onix_record(
    book: Anthology,
    print_pages: int | None = None,
    paperback: bool = True,
    epub_access: EpubAccessibility | None = None,
    text: CoverText | None = None,
    sent: dt.datetime | None = None,
) -> bytes:
    """The ONIX 3.0 message (UTF-8 XML bytes) for `book`: a Product for the EPUB and (unless
    not `paperback`) one for the paperback, each identified by its ISBN (`[identifiers]`),
    else by a proprietary id from the slug, with the sales rights (`[sales]`) and prices
    (`[prices]`) of the anthology file. `print_pages`: the print PDF's page count, written as
    the extent when known. `epub_access`: what the EPUB says of its accessibility
    (onix_access.read_accessibility), written as the EPUB's ProductFormFeatures. `text`: the
    title, subtitle and description typeset as the wrap prints them (render/cover_text.py,
    handed in by package.py, as the exporter may not import the renderer); None: as the
    anthology file writes them (`CoverText.plain`). `sent` (aware): the SentDateTime, the
    package's moment (package.py); None: see the module doc."""
    words = text or CoverText.plain(book.spec)
    spec = book.spec
    moment = sent or source_date() or dt.datetime.now(dt.UTC)
    when = moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%MZ")
    message = E(
        "ONIXMessage",
        E("Header", E("Sender", E("SenderName", spec.publisher)), E("SentDateTime", when)),
        _product(book, EPUB, print_pages, PAPERBACK if paperback else None, epub_access, words),
        release="3.0",
    )
    if paperback:
        message.append(_product(book, PAPERBACK, print_pages, EPUB, None, words))
    return bytes(etree.tostring(message, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _identifier(book: Anthology, form: ProductForm) -> etree._Element:
    """The product's ISBN-13 (List 5: 15), else a proprietary id from the slug (01)."""
    spec = book.spec
    isbn = spec.isbn_print if form.printed else spec.isbn_epub
    if isbn:
        return E("ProductIdentifier", E("ProductIDType", "15"), E("IDValue", isbn.replace("-", "")))
    return E(
        "ProductIdentifier",
        E("ProductIDType", "01"),
        E("IDTypeName", "publisher record"),
        E("IDValue", f"{spec.slug}-{form.suffix}"),
    )


def _related(book: Anthology, form: ProductForm, other: ProductForm) -> etree._Element:
    """The other edition in this record (List 51): the EPUB is an epublication based on the
    print product (13); the paperback's electronic version is available as the EPUB (27)."""
    code = "27" if form.printed else "13"
    return E(
        "RelatedMaterial",
        E(
            "RelatedProduct",
            E("ProductRelationCode", code),
            _identifier(book, other),
            E("ProductForm", other.form),
        ),
    )


def _product(
    book: Anthology,
    form: ProductForm,
    pages: int | None,
    other: ProductForm | None,
    access: EpubAccessibility | None,
    words: CoverText,
) -> etree._Element:
    """The Product of `form`; `other`: the other edition in the record, if any; `words`: the
    typeset title, subtitle and description."""
    spec = book.spec
    product = E(
        "Product",
        E("RecordReference", f"{spec.slug}-{form.suffix}"),
        E("NotificationType", "03"),
        _identifier(book, form),
        _descriptive(book, form, pages, access, words),
        E(
            "CollateralDetail",
            E(
                "TextContent",
                E("TextType", "03"),
                E("ContentAudience", "00"),
                E("Text", words.description),
            ),
        ),
        E(
            "PublishingDetail",
            E("Publisher", E("PublishingRole", "01"), E("PublisherName", spec.publisher)),
            E("PublishingStatus", "02" if _forthcoming(book) else "04"),
            E("PublishingDate", E("PublishingDateRole", "01"), E("Date", _date(spec.date))),
            _sales_rights(book),
        ),
    )
    if other is not None:
        product.append(_related(book, form, other))
    product.append(_supply(book, form))
    return product


def _sales_rights(book: Anthology) -> etree._Element:
    """Where the book may be sold: List 46 code 01, the territories as `[sales]` gives them."""
    territories = book.spec.trade.territories
    if territories == ("WORLD",):
        where = E("RegionsIncluded", "WORLD")
    else:
        where = E("CountriesIncluded", " ".join(territories))
    return E("SalesRights", E("SalesRightsType", "01"), E("Territory", where))


def _supply(book: Anthology, form: ProductForm) -> etree._Element:
    """The publisher supplies the product, available, at the `[prices]` of its form, or
    unpriced (List 57 code 02, price to be announced) when it has none."""
    spec = book.spec
    prices = spec.trade.print_prices if form.printed else spec.trade.epub_prices
    detail = E(
        "SupplyDetail",
        E("Supplier", E("SupplierRole", "01"), E("SupplierName", spec.publisher)),
        E("ProductAvailability", "10" if _forthcoming(book) else "20"),
    )
    if not prices:
        detail.append(E("UnpricedItemType", "02"))
    for price in prices:
        detail.append(_price(price))
    return E("ProductSupply", detail)


def _price(price: Price) -> etree._Element:
    kind = "01" if price.currency in EXCLUDING_TAX else "02"
    return E(
        "Price",
        E("PriceType", kind),
        E("PriceAmount", str(price.amount)),
        E("CurrencyCode", price.currency),
    )


def _forthcoming(book: Anthology) -> bool:
    """Published after today (base/project.today): List 64 02, List 65 10."""
    return book.spec.date > today()


def _descriptive(
    book: Anthology,
    form: ProductForm,
    pages: int | None,
    access: EpubAccessibility | None,
    words: CoverText,
) -> etree._Element:
    spec = book.spec
    detail = E("DescriptiveDetail", E("ProductComposition", "00"), E("ProductForm", form.form))
    if form.detail:
        detail.append(E("ProductFormDetail", form.detail))
    for code, description in feature_codes(access) if access is not None else ():
        feature = E("ProductFormFeature", E("ProductFormFeatureType", "09"))
        feature.append(E("ProductFormFeatureValue", code))
        if description:
            feature.append(E("ProductFormFeatureDescription", description))
        detail.append(feature)
    if form.printed:
        for kind, millimetres in (("01", spec.trim.height_mm), ("02", spec.trim.width_mm)):
            detail.append(
                E(
                    "Measure",
                    E("MeasureType", kind),
                    E("Measurement", f"{millimetres:g}"),
                    E("MeasureUnitCode", "mm"),
                )
            )
    title = E("TitleElement", E("TitleElementLevel", "01"), E("TitleText", words.title))
    if words.subtitle:
        title.append(E("Subtitle", words.subtitle))
    detail.append(E("TitleDetail", E("TitleType", "01"), title))
    for number, (name, filed, roles) in enumerate(_contributors(book), 1):
        person = E("Contributor", E("SequenceNumber", str(number)))
        person.extend(E("ContributorRole", role) for role in roles)
        person.extend((E("PersonName", name), E("PersonNameInverted", filed)))
        # The filed form `Garrido, Lucía` splits into the names before the key and the key
        # names that stores sort by (ONIX 3.0 name parts); a name filed whole has no parts.
        key, comma, before = filed.partition(", ")
        if comma and key and before:
            person.extend((E("NamesBeforeKey", before), E("KeyNames", key)))
        detail.append(person)
    detail.append(
        E("Language", E("LanguageRole", "01"), E("LanguageCode", bibliographic_code(spec.lang)))
    )
    if pages:  # the print PDF's: production page count, or the print counterpart's (List 23)
        kind = "06" if form.printed else "08"
        detail.append(
            E("Extent", E("ExtentType", kind), E("ExtentValue", str(pages)), E("ExtentUnit", "03"))
        )
    if spec.subjects:
        # EDItEUR: keywords go in one heading, separated by semicolons (List 27, code 20).
        keywords = "; ".join(spec.subjects)
        detail.append(
            E("Subject", E("SubjectSchemeIdentifier", "20"), E("SubjectHeadingText", keywords))
        )
    return detail


def _contributors(book: Anthology) -> list[tuple[str, str, tuple[str, ...]]]:
    """(name, filed name, List 17 roles), as the EPUB lists its creators and contributors
    (export/epub_package.py): the editors (B01, and A01 too when they sign reviews), then the
    other critics who sign reviews (A01), in the back matter's order."""
    overrides = dict(book.spec.file_as)
    critics = {critic.name: critic.heading for critic in book.back.contributors}
    people: list[tuple[str, str, tuple[str, ...]]] = [
        (
            name,
            critics.get(name) or file_name(name, overrides.get(name)).heading,
            ("B01", "A01") if name in critics else ("B01",),
        )
        for name in book.spec.editors
    ]
    people += [
        (critic.name, critic.heading, ("A01",))
        for critic in book.back.contributors
        if critic.name not in book.spec.editors
    ]
    return people


def _date(day: dt.date) -> str:
    return day.strftime("%Y%m%d")

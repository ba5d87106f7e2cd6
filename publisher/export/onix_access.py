"""The EPUB's accessibility as ONIX says it (issue 16; EU Accessibility Act): the
`ProductFormFeature` entries of type 09 (List 79, e-publication accessibility detail) that
EDItEUR's "Accessibility metadata in ONIX" guide asks for, read from the EPUB itself.

The facts are the EPUB package document's own schema.org metadata (export/epub_package.py
writes it, and a validated build adds or withdraws its claim, claim.py), so the record says
what the delivered file says and nothing more. Codes of List 196, checked against onixcheck's
bundled ONIX_BookProduct_CodeLists.xsd (code lists issue 75):

- 00 accessibility summary (`schema:accessibilitySummary`, as the description);
- 11 table of contents navigation (`tableOfContents`), 12 index navigation (`index`),
  13 single logical reading order (`readingOrder`), 14 short alternative textual
  descriptions (`alternativeText`), 19 print-equivalent page numbering (`printPageNumbers`),
  41 page list navigation (`pageNavigation`);
- only when the EPUB claims conformance (`dcterms:conformsTo`, "EPUB Accessibility 1.1 -
  WCAG 2.x Level A…", the only form the anthology file and the validated claim write):
  04 EPUB Accessibility 1.1, 80/81/82 WCAG 2.0/2.1/2.2, 84/85/86 level A/AA/AAA;
- 90 compliance certification by (name), the EPUB's `a11y:certifiedBy`; with it, the
  `[accessibility]` table's `credential` (the EPUB's `a11y:certifierCredential`) as 88
  "certifier credentialled by (name)", or 89 "(URL)" when it is an http(s) URL, and its
  `report` (the EPUB's `a11y:certifierReport` link) as 94 "compliance web page for detailed
  accessibility information", the URL of the evaluation (EDItEUR's List 196 descriptions in
  onixcheck's schema; DAISY Knowledge Base, "Code List 196 - 94").
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from lxml import etree

CONTAINER = "META-INF/container.xml"
NS = {
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
}
# schema:accessibilityFeature value → List 196 code, in the order the record lists them.
FEATURES = (
    ("tableOfContents", "11"),
    ("index", "12"),
    ("readingOrder", "13"),
    ("alternativeText", "14"),
    ("printPageNumbers", "19"),
    ("pageNavigation", "41"),
)
CONFORMS = re.compile(r"^EPUB Accessibility 1\.1 - WCAG 2\.([012]) Level (A{1,3})$")
WCAG_VERSION = {"0": "80", "1": "81", "2": "82"}
WCAG_LEVEL = {"A": "84", "AA": "85", "AAA": "86"}
URL = re.compile(r"^https?://\S+$")


@dataclass(frozen=True)
class EpubAccessibility:
    """What an EPUB's package document says of its accessibility: `features` (the
    `schema:accessibilityFeature` values, in file order), `summary`, `conforms_to`,
    `certified_by`, the certifier's `credential` and `report` URL (None when the EPUB does not
    say them)."""

    features: tuple[str, ...]
    summary: str
    conforms_to: str | None = None
    certified_by: str | None = None
    credential: str | None = None
    report: str | None = None


class UnreadableEpub(ValueError):
    """The bytes are not an EPUB whose package document can be read (the message says why)."""


def read_accessibility(epub: bytes) -> EpubAccessibility:
    """The accessibility metadata of the EPUB `epub` (its bytes). Raises UnreadableEpub when
    it is not a zip with a container and a package document."""
    try:
        with zipfile.ZipFile(io.BytesIO(epub)) as archive:
            container = etree.fromstring(archive.read(CONTAINER))
            opf_path = container.xpath("string(//c:rootfile/@full-path)", namespaces=NS)
            opf = etree.fromstring(archive.read(str(opf_path)))
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as exc:
        raise UnreadableEpub(f"cannot read the EPUB's package document: {exc}") from None

    def values(name: str) -> list[str]:
        path = f"//opf:metadata/opf:meta[@property='{name}'][not(@refines)]"
        found = opf.xpath(path, namespaces=NS)
        nodes = found if isinstance(found, list) else []  # a node-set: the path selects elements
        return [
            " ".join(str(meta.xpath("string()")).split())
            for meta in nodes
            if isinstance(meta, etree._Element)
        ]

    def first(name: str) -> str | None:
        found = values(name)
        return found[0] if found else None

    # The credential refines the certifier (`refines="#certifier"`); the report is a link.
    credential = opf.xpath(
        "string(//opf:metadata/opf:meta[@property='a11y:certifierCredential'])", namespaces=NS
    )
    report = opf.xpath(
        "string(//opf:metadata/opf:link[@rel='a11y:certifierReport']/@href)", namespaces=NS
    )
    return EpubAccessibility(
        features=tuple(values("schema:accessibilityFeature")),
        summary=first("schema:accessibilitySummary") or "",
        conforms_to=first("dcterms:conformsTo"),
        certified_by=first("a11y:certifiedBy"),
        credential=" ".join(str(credential).split()) or None,
        report=str(report).strip() or None,
    )


def feature_codes(facts: EpubAccessibility) -> list[tuple[str, str | None]]:
    """(List 196 code, description or None) for each ProductFormFeature of type 09, in the
    order of the module doc."""
    found: list[tuple[str, str | None]] = []
    if facts.summary:
        found.append(("00", facts.summary))
    found += [(code, None) for feature, code in FEATURES if feature in facts.features]
    claim = CONFORMS.match(facts.conforms_to or "")
    if claim is not None:
        found += [("04", None), (WCAG_VERSION[claim[1]], None), (WCAG_LEVEL[claim[2]], None)]
        if facts.certified_by:
            found.append(("90", facts.certified_by))
            if facts.credential:
                url = URL.match(facts.credential) is not None
                found.append(("89" if url else "88", facts.credential))
            if facts.report:
                found.append(("94", facts.report))
    return found

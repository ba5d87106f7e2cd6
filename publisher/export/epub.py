"""EPUB 3 (with an EPUB 2 NCX) through EbookLib. The only module that imports EbookLib.

EbookLib builds the package: OPF metadata, manifest, spine and NCX. Three of its habits are
worked around here rather than fought:

* `EpubHtml` re-parses documents and rebuilds `<head>` (stylesheet links, titles and
  language are lost or reset to `en`), so our finished XHTML goes in as plain `EpubItem`s,
  written byte for byte; the navigation document likewise (an `EpubItem` with `nav`).
* `dcterms:modified` defaults to the clock: we pass `mtime` (SOURCE_DATE_EPOCH or the
  anthology date, or the clock when that date is still to come: epub_package.modified_time).
* The zip gets wall-clock entry times and EbookLib's own order and compression, so the
  written archive is rewritten: mimetype first and stored, fixed timestamps, fixed modes.

`write_epub()` returns False on I/O errors instead of raising; we drive `EpubWriter`
ourselves (to add `xml:lang` to `<package>`), so every error raises.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from typing import Any

from ebooklib import epub

from ..base.model import Certification
from ..base.outline import Entry
from ..base.rendered import EPUB_PATHS, Exported, RenderedBook
from ..base.xmlnames import XML_LANG
from .epub_package import (
    ManifestItem,
    Metadata,
    Navigation,
    SpineItem,
    build_cover,
    build_manifest,
    build_metadata,
    build_navigation,
    build_spine,
)

ZIP_EPOCH = dt.datetime(1980, 1, 1)  # the earliest time a zip entry can carry
WRITER_OPTIONS = {
    # We write our own nav (landmarks, page-list) and want no EPUB 2 guide duplicating it.
    "epub2_guide": False,
    "epub3_landmark": False,
    "epub3_pages": False,
    "play_order": {"enabled": True, "start_from": 1},
}


class _Writer(epub.EpubWriter):  # type: ignore[misc]
    """EbookLib's writer, plus the package language (Ace: `epub-lang`).

    Overrides a private hook of EbookLib 0.20 (pinned <0.21 in pyproject): recheck on upgrade.
    """

    def _write_opf_file(self, root: Any) -> None:
        root.set(XML_LANG, self.book.language)
        super()._write_opf_file(root)


def _add_metadata(book: epub.EpubBook, meta: Metadata) -> None:
    book.set_identifier(meta.identifier)
    book.title = meta.title  # EbookLib's NCX docTitle
    book.add_metadata("DC", "title", meta.title, {"id": "title"})
    if meta.subtitle:
        book.add_metadata("DC", "title", meta.subtitle, {"id": "subtitle"})
        _refine(book, "title", "title-type", "main")
        _refine(book, "subtitle", "title-type", "subtitle")
    book.set_language(meta.language)
    for person in meta.creators:
        book.add_metadata("DC", "creator", person.name, {"id": person.id})
    for person in meta.contributors:
        book.add_metadata("DC", "contributor", person.name, {"id": person.id})
    for person in meta.creators + meta.contributors:
        for role in person.roles:
            _refine(book, person.id, "role", role, "marc:relators")
        _refine(book, person.id, "file-as", person.file_as)
    book.add_metadata("DC", "date", meta.date)
    book.add_metadata("DC", "publisher", meta.publisher)
    book.add_metadata("DC", "rights", meta.rights)
    book.add_metadata("DC", "description", meta.description)
    for subject in meta.subjects:
        book.add_metadata("DC", "subject", subject)
    if meta.source:
        book.add_metadata("DC", "source", meta.source)
    for prop, value in meta.accessibility:
        book.add_metadata(None, "meta", value, {"property": prop})
    if meta.certification:
        _certification(book, meta.certification)


def _certification(book: epub.EpubBook, declared: Certification) -> None:
    """The conformance claim and who makes it, as EPUB Accessibility 1.1 §5.1-5.2 write them:
    `dcterms:conformsTo`, `a11y:certifiedBy` refined by its credential and a report link."""
    book.add_metadata(None, "meta", declared.conforms_to, {"property": "dcterms:conformsTo"})
    book.add_metadata(
        None, "meta", declared.certified_by, {"property": "a11y:certifiedBy", "id": "certifier"}
    )
    if declared.credential:
        _refine(book, "certifier", "a11y:certifierCredential", declared.credential)
    if declared.report:
        attributes = {"rel": "a11y:certifierReport", "refines": "#certifier"}
        book.add_metadata(None, "link", None, {**attributes, "href": declared.report})


def _refine(
    book: epub.EpubBook, target: str, prop: str, value: str, scheme: str | None = None
) -> None:
    """An EPUB 3 `<meta refines>` on the element with id `target`."""
    attributes = {"refines": f"#{target}", "property": prop}
    if scheme:
        attributes["scheme"] = scheme
    book.add_metadata(None, "meta", value, attributes)


def _toc(outline: Sequence[Entry], prefix: str = "toc") -> list[object]:
    """The outline as EbookLib links, for the NCX: (Link, children) for a part."""
    entries: list[object] = []
    for n, entry in enumerate(outline, 1):
        link = epub.Link(EPUB_PATHS.document(entry.id), entry.label, f"{prefix}-{n}")
        entries.append((link, _toc(entry.children, f"{prefix}-{n}")) if entry.children else link)
    return entries


def _item(entry: ManifestItem) -> epub.EpubItem:
    item = epub.EpubItem(
        uid=entry.id, file_name=entry.href, media_type=entry.media_type, content=entry.data
    )
    item.properties = list(entry.properties)
    return item


def build_book(
    meta: Metadata,
    manifest: Sequence[ManifestItem],
    cover: ManifestItem,
    spine: Sequence[SpineItem],
    navigation: Navigation,
) -> epub.EpubBook:
    book = epub.EpubBook()
    _add_metadata(book, meta)
    book.set_cover(cover.href, cover.data, create_page=False)  # also the EPUB 2 cover meta
    for entry in manifest:
        book.add_item(_item(entry))
    nav = ManifestItem(
        "nav", EPUB_PATHS.nav, "application/xhtml+xml", navigation.document, ("nav",)
    )
    book.add_item(_item(nav))
    book.add_item(epub.EpubNcx())
    book.toc = _toc(navigation.toc)
    book.spine = [(entry.idref, "yes" if entry.linear else "no") for entry in spine]
    return book


def normalize_zip(data: bytes, when: dt.datetime) -> bytes:
    """Rewrite the archive reproducibly: mimetype first and stored, fixed times and modes."""
    stamp = max(when, ZIP_EPOCH).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        names = source.namelist()
        for name in ["mimetype"] + [n for n in names if n != "mimetype"]:
            info = zipfile.ZipInfo(name, date_time=stamp)
            stored = name == "mimetype"
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever the build machine
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(name), compresslevel=None if stored else 9)
    return out.getvalue()


def build_epub(book: RenderedBook, claim: Certification | None = None) -> bytes:
    """The EPUB's bytes; the same for the same inputs and SOURCE_DATE_EPOCH. The page-list is
    the outline's (`book.outline.pages`: where the renderer marked the print edition's pages).
    `claim`: a validated build's conformance claim (`epub_package.build_metadata`)."""
    meta = build_metadata(book, claim)
    package = build_book(
        meta,
        build_manifest(book),
        build_cover(book),
        build_spine(book),
        build_navigation(book),
    )
    raw = io.BytesIO()
    writer = _Writer(raw, package, {**WRITER_OPTIONS, "mtime": meta.modified})
    writer.process()
    writer.write()
    return normalize_zip(raw.getvalue(), meta.modified)


def export_epub(book: RenderedBook, claim: Certification | None = None) -> Exported:
    """The EPUB, with a page-list where the renderer marked the print edition's pages."""
    return Exported(build_epub(book, claim))

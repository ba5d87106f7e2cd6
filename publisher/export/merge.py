"""One PDF from the chunks of a book laid out apart (export/chunked.py), written object by object.

What WeasyPrint writes for a whole book is rebuilt over all the pages: the named destinations
(every anchor; the links keep naming theirs, so a link into another chunk lands), the outline
(nested by `bookmark-level` across chunks, as WeasyPrint nests it), and for the tagged screen
PDF the structure tree: one `Document` element over every chunk's page elements, one
ParentTree holding each page's marked content and each link annotation's element (keyed by the
page's or the annotation's own object number: the keys need only be unique, ISO 32000-1
§14.7.4.4, and so do not depend on the other chunks). Catalog entries (language, XMP metadata,
output intents, viewer preferences, mark info) and the document information come from the
first chunk, which was written from the same head. Each chunk embeds its own font subsets:
they become one font per face (export/font_union.py).
The first half of the file identifier names the book (as export/pdf.py writes it); the second
is a digest of the chunks, which decide every byte of the merged file.

Memory (issue 17): a prepass (export/merge_prepass.py) reads each chunk's destination names (to
drop links to anchors no chunk placed) and copies its fonts into a small scratch PDF, where
they are united; then each chunk in turn is opened with pikepdf, its objects renumbered and
written to the output (export/pdf_writer.py), and the chunk let go. Between chunks only
numbers and short encoded values are kept (the pages', the Document's kids, the ParentTree's
entries, the destinations), so peak memory follows the largest chunk and the output's bytes,
not the number of objects (merge peak at 400 reviews: 267 → 106 MiB; tests/test_merge_memory.py).

Reuse (issue 17): each chunk's objects are numbered in a range of their own, so what is written
of a chunk depends only on the chunk, its range, its fonts' numbers, the links it must drop
and (the first chunk) the build's moment; it is kept with the prepass's facts and the united
fonts (export/merge_cache.py), and the next merge splices it in unchanged. The file's bytes are
the same with the cache or without (tests/test_merge_cache.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
from typing import IO, Any

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from .chunkdata import Bookmark, ChunkPdf, pdf_bytes, pdf_sha256
from .heap import give_back_heap
from .merge_cache import MergeCache, Part, WriteJob, part_of, record_of
from .merge_outline import write_outline
from .merge_prepass import Facts, facts_of, named, united_fonts
from .pagelabels import PageLabel, label_tree
from .pdf_writer import BATCH, MAX_NUMBER, Copier, Ref, Segment, Writer, encode

# Catalog entries taken from the first chunk (the rest are rebuilt here).
CATALOG_KEPT = ("/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata", "/OutputIntents")


def merge(
    chunks: list[ChunkPdf],
    book_id: str,
    moment: dt.datetime | None = None,
    labels: tuple[PageLabel, ...] = (),
    cache: MergeCache | None = None,
    output: IO[bytes] | None = None,
) -> bytes:
    """The chunks' pages in order as one PDF's bytes; with `output` (a binary file), written
    there as they are made instead (the file is never held whole) and b"" returned.
    `book_id`: 32 hex digits. `labels`: the file's /PageLabels (none when empty). `moment`:
    the build's, written as CreationDate and ModDate (and the XMP's dates, when it has them)
    over the chunks' own; None keeps theirs (SOURCE_DATE_EPOCH's, when it is set: chunks are
    kept in the cache, so they cannot carry the clock). `cache`: where the chunks' facts,
    written objects and united fonts are kept (export/merge_cache.py); the bytes are the
    same with it or without. Raises ValueError when the book needs object numbers over the
    PDF limit (Annex C: 8,388,607).

    Numbering: the book's own objects that chunks name (catalog, page tree, structure tree
    root, Document element, ParentTree) come first, then the fonts; each chunk's objects take
    a range of numbers of their own (`_bases`), so they are written alike wherever the other
    chunks' end; the book's remaining objects (destinations, outline) follow the last range.
    A page's /StructParents and a link's /StructParent (keys of the ParentTree, unique) are
    its own object number."""
    cache = cache or MergeCache(None, book_id)
    facts, scratch = facts_of(chunks, cache)
    version = facts[0].version if facts else "1.3"
    buffer = io.BytesIO()  # stays empty when written to `output`
    # Object streams are PDF 1.5.
    writer = Writer(buffer if output is None else output, max(version, "1.5"))
    tagged = bool(facts) and all(known.tagged for known in facts)
    book = _Book(writer, tagged, sum(known.pages for known in facts))
    fonts, font_numbers = united_fonts(chunks, facts, writer.count, cache, scratch)
    writer.splice(fonts)
    bases = _bases(facts, fonts.end)
    if bases[-1] > MAX_NUMBER:
        raise ValueError(f"{bases[-1]} objects numbered: over the PDF limit of {MAX_NUMBER}")
    names: set[str] = set().union(*(known.names for known in facts))
    for index, (chunk, known) in enumerate(zip(chunks, facts, strict=True)):
        base = bases[index]
        dropped = sorted(set(known.links) - names)
        stamp = moment.isoformat() if moment is not None and index == 0 else ""
        key = cache.key(
            "segment", known.digest, str(base), str(index == 0), stamp, str(tagged),
            repr(sorted(font_numbers[index].items())), repr(book.numbers()), *dropped,
        )  # fmt: skip
        kept = cache.get(key)
        part = part_of(kept[0]) if kept is not None else None
        if kept is None or part is None:
            job = WriteJob(base, index == 0, moment, set(dropped), font_numbers[index])
            part, segment = book.write_chunk(chunk, job)
            give_back_heap()
            cache.put(key, record_of(part), segment)
        else:
            segment = kept[1]
        writer.splice(segment)
        book.take(part)
    writer.skip_to(bases[-1])
    offsets = list(itertools.accumulate((chunk.shape.pages for chunk in chunks), initial=0))
    marks = [
        (offset + mark.page, mark)
        for offset, chunk in zip(offsets, chunks, strict=False)
        for mark in chunk.bookmarks
    ]
    catalog: dict[str, Any] = dict(book.catalog_entries)
    catalog.update(book.finish(marks))
    # Entries the book adds to its catalog besides the first chunk's and the rebuilt ones go here.
    if labels:
        catalog["/PageLabels"] = label_tree(labels)
    writer.put(book.catalog, encode({"/Type": Name.Catalog, **catalog}, _none))
    trailer: dict[str, Any] = {"/Root": Ref(book.catalog)}
    if book.info is not None:
        trailer["/Info"] = book.info
    # The second half of /ID from the content: the chunks' bytes decide the merged file's.
    content = hashlib.md5(usedforsecurity=False)
    for chunk in chunks:
        content.update(bytes.fromhex(pdf_sha256(chunk)))
    trailer["/ID"] = [String(book_id.encode("ascii")), String(content.hexdigest().encode())]
    writer.finish(trailer)
    cache.prune()
    return buffer.getvalue()


def _bases(facts: list[Facts], fonts_end: int) -> list[int]:
    """The first number of each chunk's range, and the first after the last: the ranges
    follow the fonts' (rounded up to a power of two), each the power of two at or over the
    chunk's object count (its /Size, and one object stream per BATCH objects). A chunk's
    range moves only when one before it, or the fonts', changes its power of two."""
    bases = [_power(fonts_end)]
    for known in facts:
        bases.append(bases[-1] + _power(known.size + known.size // BATCH + 2))
    return bases


def _power(count: int) -> int:
    return 1 << max(0, count - 1).bit_length()


def _none(value: Any) -> bytes:
    raise TypeError("no chunk object expected here")


class _Book:
    """The book's own objects, numbered before the chunks are written and written at
    `finish`: catalog, page tree, structure tree root, Document element, ParentTree,
    destinations, outline. Between chunks it keeps numbers and short encoded values only."""

    def __init__(self, writer: Writer, tagged: bool, total: int) -> None:
        self.writer = writer
        self.tagged = tagged
        self.total = total
        self.catalog, self.pages = writer.allocate(), writer.allocate()
        self.root = self.document = self.parent_tree = 0
        if self.tagged:
            self.root, self.document = writer.allocate(), writer.allocate()
            self.parent_tree = writer.allocate()
        self.page_numbers: list[int] = []
        self.kids: list[bytes] = []  # the Document element's
        self.parents: list[tuple[int, bytes]] = []  # ParentTree: (key, value)
        self.dests: dict[str, bytes] = {}
        self.catalog_entries: dict[str, bytes] = {}
        self.info: bytes | None = None

    def numbers(self) -> tuple[int, ...]:
        """The numbers of the book's objects that chunks name."""
        return (self.catalog, self.pages, self.root, self.document, self.parent_tree)

    def take(self, part: Part) -> None:
        """Add one chunk's pages, kids, ParentTree entries and destinations (the first of a
        name wins) to the book's."""
        self.page_numbers += part.pages
        self.kids += part.kids
        self.parents += part.parents
        for name, destination in part.dests:
            self.dests.setdefault(name, destination)
        self.catalog_entries.update(part.catalog)
        if part.info is not None:
            self.info = part.info

    def write_chunk(self, chunk: ChunkPdf, job: WriteJob) -> tuple[Part, Segment]:
        """The chunk's objects written apart (numbered from `job.base`) and its Part."""
        writer = Writer(io.BytesIO(), None, job.base)
        with pikepdf.open(io.BytesIO(pdf_bytes(chunk))) as source:
            copier = Copier(writer, self.fixed(source, job.fonts))
            catalog: list[tuple[str, bytes]] = []
            info = None
            if job.first:
                if job.moment is not None:
                    _stamp(source, job.moment)
                for key in CATALOG_KEPT:
                    if key in source.Root:
                        catalog.append((key, copier.encode(source.Root[key])))
                if "/Info" in source.trailer:
                    info = copier.encode(source.trailer.Info)
            dropped = self._drop_dangling_links(source, job.dropped) if job.dropped else []
            kids: list[bytes] = []
            parents: list[tuple[int, bytes]] = []
            if self.tagged:
                kids, parents = self._structure(source, copier, dropped)
            pages = tuple(copier.number(page.obj) for page in source.pages)
            dests: list[tuple[str, bytes]] = []
            names = source.Root.get("/Names")
            if names is not None and "/Dests" in names:
                for name, destination in pikepdf.NameTree(names.Dests).items():
                    dests.append((name, copier.encode(destination)))
            copier.drain()
        part = Part(pages, tuple(kids), tuple(parents), tuple(dests), tuple(catalog), info)
        return part, writer.segment()

    def fixed(
        self, source: pikepdf.Pdf, fonts: dict[tuple[int, int], int]
    ) -> dict[tuple[int, int], int]:
        """The chunk's objects the book's stand for: its catalog, page tree nodes, structure
        tree root, Document element and ParentTree, and its fonts."""
        fixed = dict(fonts)
        fixed[source.Root.objgen] = self.catalog
        for page in source.pages:
            node = page.obj.get("/Parent")
            while node is not None and node.objgen not in fixed:
                fixed[node.objgen] = self.pages
                node = node.get("/Parent")
        tree = source.Root.get("/StructTreeRoot")
        if self.tagged and tree is not None:
            fixed[tree.objgen] = self.root
            fixed[_document_element(tree).objgen] = self.document
            fixed[tree.ParentTree.objgen] = self.parent_tree
        return fixed

    def _drop_dangling_links(self, source: pikepdf.Pdf, names: set[str]) -> list[Any]:
        """Drop each link naming a destination that no chunk holds (`names`; a chunk keeps its
        links to the other chunks' anchors, and an anchor without a box, under `display:
        none`, has none): what WeasyPrint does in one layout (`resolve_links` drops a link to
        an anchor it did not place, before the link is annotated and tagged). Returns the
        links dropped."""
        dropped: list[Any] = []
        for page in source.pages:
            annotations = page.obj.get("/Annots")
            if annotations is None:
                continue
            gone = [a for a in annotations if named(a) is not None and named(a) in names]
            if not gone:
                continue
            dropped += gone
            keys = {a.objgen for a in gone}
            kept = [a for a in annotations if a.objgen not in keys]
            if kept:
                page.obj.Annots = Array(kept)
            else:
                del page.obj["/Annots"]
        return dropped

    def _structure(
        self, source: pikepdf.Pdf, copier: Copier, dropped: list[Any]
    ) -> tuple[list[bytes], list[tuple[int, bytes]]]:
        """The chunk's page elements (kids of the Document) and ParentTree entries, each page's
        and each link's keyed by its object number."""
        tree = source.Root.StructTreeRoot
        own = len(source.pages)
        nums = tree.ParentTree.Nums
        elements: dict[int, Any] = {}
        for position in range(0, len(nums), 2):
            elements[int(nums[position])] = nums[position + 1]
        gone = {a.objgen for a in dropped}
        for annotation in dropped:  # untagged: its OBJR out of its element, which keeps its text
            if "/StructParent" in annotation:
                element = elements[int(annotation.StructParent)]
                element.K = Array(
                    kid for kid in element.K
                    if not (isinstance(kid, Dictionary) and kid.get("/Type") == Name.OBJR
                            and kid.Obj.objgen in gone)
                )  # fmt: skip
        parents: list[tuple[int, bytes]] = []
        for page in source.pages:
            number = copier.number(page.obj)
            if "/StructParents" in page.obj:
                key = int(page.obj.StructParents)
                page.obj.StructParents = number
                if key < own and key in elements:
                    parents.append((number, copier.encode(elements[key])))
            for annotation in page.obj.get("/Annots", Array()):
                if "/StructParent" in annotation:
                    element = elements[int(annotation.StructParent)]
                    annotation.StructParent = copier.number(annotation)
                    parents.append((int(annotation.StructParent), copier.encode(element)))
        kids = [copier.encode(kid) for kid in _document_element(tree).K]
        return kids, parents

    def finish(self, marks: list[tuple[int, Bookmark]]) -> dict[str, Any]:
        """Write the book's objects; the catalog's entries naming them."""
        put = self.writer.put
        if len(self.page_numbers) != self.total:
            raise ValueError(f"{len(self.page_numbers)} pages written of {self.total}")
        kids = [Ref(number) for number in self.page_numbers]
        put(self.pages, encode({"/Type": Name.Pages, "/Kids": kids, "/Count": len(kids)}, _none))
        entries: dict[str, Any] = {"/Pages": Ref(self.pages)}
        dests = self.writer.allocate()
        names: list[Any] = []
        for name in sorted(self.dests, key=lambda text: String(text).unparse()):
            names += [String(name), self.dests[name]]
        put(dests, encode({"/Names": names}, _none))
        entries["/Names"] = {"/Dests": Ref(dests)}
        outline = write_outline(self.writer, marks, self.page_numbers)
        if outline is not None:
            entries["/Outlines"] = Ref(outline)
        if self.tagged:
            numbers: list[Any] = []
            for key, value in sorted(self.parents, key=lambda entry: entry[0]):
                numbers += [key, value]
            put(self.parent_tree, encode({"/Nums": numbers}, _none))
            document = {"/Type": Name.StructElem, "/S": Name.Document, "/P": Ref(self.root)}
            put(self.document, encode({**document, "/K": self.kids}, _none))
            root = {"/Type": Name.StructTreeRoot, "/K": [Ref(self.document)]}
            put(self.root, encode({**root, "/ParentTree": Ref(self.parent_tree)}, _none))
            entries["/StructTreeRoot"] = Ref(self.root)
        return entries


def _document_element(tree: Any) -> Any:
    """A chunk's Document element: its structure tree root's (first) kid."""
    return tree.K[0] if isinstance(tree.K, Array) else tree.K


def _stamp(out: pikepdf.Pdf, moment: dt.datetime) -> None:
    """CreationDate and ModDate (PDF date strings, ISO 32000 §7.9.4, in UTC as WeasyPrint
    writes them) and the XMP's create/modify dates when present, all `moment`."""
    written = moment.astimezone(dt.UTC).strftime("D:%Y%m%d%H%M%SZ")
    out.docinfo[Name.CreationDate] = String(written)
    out.docinfo[Name.ModDate] = String(written)
    if "/Metadata" not in out.Root:
        return
    w3c = moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with out.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        for key in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
            if key in xmp:
                xmp[key] = w3c

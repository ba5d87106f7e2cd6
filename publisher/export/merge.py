"""One PDF from the chunks of a book laid out apart (export/chunked.py), written object by object.

What WeasyPrint writes for a whole book is rebuilt over all the pages: the named destinations
(every anchor; the links keep naming theirs, so a link into another chunk lands), the outline
(nested by `bookmark-level` across chunks, as WeasyPrint nests it), and for the tagged screen
PDF the structure tree: one `Document` element over every chunk's page elements, one
ParentTree numbering each page's marked content (key = page index, as WeasyPrint numbers it)
and then every link annotation. Catalog entries (language, XMP metadata, output intents, viewer
preferences, mark info) and the document information come from the first chunk, which was
written from the same head. Each chunk embeds its own font subsets: they become one font per
face (export/font_union.py).
The first half of the file identifier names the book (as export/pdf.py writes it); the second
is a digest of the chunks, which decide every byte of the merged file.

Memory (issue 17): a prepass (export/merge_prepass.py) reads each chunk's destination names (to
drop links to anchors no chunk placed) and copies its fonts into a small scratch PDF, where
they are united; then each chunk in turn is opened with pikepdf, its objects renumbered and
written to the output (export/pdf_writer.py), and the chunk let go. Between chunks only
numbers and short encoded values are kept (the pages', the Document's kids, the ParentTree's
entries, the destinations), so peak memory follows the largest chunk and the output's bytes,
not the number of objects (merge peak at 400 reviews: 267 → 106 MiB; tests/test_merge_memory.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from .chunkdata import Bookmark, ChunkPdf
from .merge_prepass import Prepass
from .pagelabels import PageLabel, label_tree
from .pdf_writer import Copier, Ref, Writer, encode

# Catalog entries taken from the first chunk (the rest are rebuilt here).
CATALOG_KEPT = ("/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata", "/OutputIntents")


def merge(
    chunks: list[ChunkPdf],
    book_id: str,
    moment: dt.datetime | None = None,
    labels: tuple[PageLabel, ...] = (),
) -> bytes:
    """The chunks' pages in order as one PDF's bytes. `book_id`: 32 hex digits. `labels`: the
    file's /PageLabels (none when empty). `moment`:
    the build's, written as CreationDate and ModDate (and the XMP's dates, when it has them)
    over the chunks' own; None keeps theirs (SOURCE_DATE_EPOCH's, when it is set: chunks are
    kept in the cache, so they cannot carry the clock).

    Each chunk is opened twice, one at a time (the prepass, then the copy), so memory holds
    one chunk's objects, the united fonts and the output's bytes, whatever the number of
    chunks."""
    prepass = Prepass(chunks)
    buffer = io.BytesIO()
    writer = Writer(buffer, max(prepass.version, "1.5"))  # object streams are PDF 1.5
    book = _Book(writer, prepass)
    book.fonts = prepass.write_fonts(writer)
    catalog: dict[str, Any] = {}
    trailer: dict[str, Any] = {"/Root": Ref(book.catalog)}
    for index, chunk in enumerate(chunks):
        with pikepdf.open(io.BytesIO(chunk.data)) as source:
            copier = Copier(writer, book.fixed(source, index))
            if index == 0:
                if moment is not None:
                    _stamp(source, moment)
                for key in CATALOG_KEPT:
                    if key in source.Root:
                        catalog[key] = copier.encode(source.Root[key])
                if "/Info" in source.trailer:
                    trailer["/Info"] = copier.encode(source.trailer.Info)
            book.add(source, copier)
            copier.drain()
    offsets = list(itertools.accumulate((chunk.shape.pages for chunk in chunks), initial=0))
    marks = [
        (offset + mark.page, mark)
        for offset, chunk in zip(offsets, chunks, strict=False)
        for mark in chunk.bookmarks
    ]
    catalog.update(book.finish(marks))
    # Entries the book adds to its catalog besides the first chunk's and the rebuilt ones go here.
    if labels:
        catalog["/PageLabels"] = label_tree(labels)
    writer.put(book.catalog, encode({"/Type": Name.Catalog, **catalog}, _none))
    # The second half of /ID from the content: the chunks' bytes decide the merged file's.
    content = hashlib.md5(usedforsecurity=False)
    for chunk in chunks:
        content.update(hashlib.sha256(chunk.data).digest())
    trailer["/ID"] = [String(book_id.encode("ascii")), String(content.hexdigest().encode())]
    writer.finish(trailer)
    return buffer.getvalue()


def _none(value: Any) -> bytes:
    raise TypeError("no chunk object expected here")


class _Book:
    """The book's own objects, numbered before the chunks are written and written at
    `finish`: catalog, page tree, structure tree root, Document element, ParentTree,
    destinations, outline. Between chunks it keeps numbers and short encoded values only."""

    def __init__(self, writer: Writer, prepass: Prepass) -> None:
        self.writer = writer
        self.names = prepass.names
        self.tagged = prepass.tagged
        self.total = prepass.pages
        self.catalog, self.pages = writer.allocate(), writer.allocate()
        self.root = self.document = self.parent_tree = 0
        if self.tagged:
            self.root, self.document = writer.allocate(), writer.allocate()
            self.parent_tree = writer.allocate()
        self.fonts: list[dict[tuple[int, int], int]] = []
        self.page_numbers: list[int] = []
        self.kids: list[bytes] = []  # the Document element's
        self.page_parents: list[tuple[int, bytes]] = []  # ParentTree: (page index, value)
        self.link_parents: list[bytes] = []  # ParentTree: each link's element, from `total` on
        self.dests: dict[str, bytes] = {}

    def fixed(self, source: pikepdf.Pdf, index: int) -> dict[tuple[int, int], int]:
        """The chunk's objects the book's stand for: its catalog, page tree nodes, structure
        tree root, Document element and ParentTree, and its fonts."""
        fixed = dict(self.fonts[index])
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

    def add(self, source: pikepdf.Pdf, copier: Copier) -> None:
        """Prepare one chunk's pages, structure and destinations (the chunk's objects are
        changed in memory: links dropped, ParentTree keys renumbered) and name them."""
        dropped = self._drop_dangling_links(source)
        if self.tagged:
            self._structure(source, copier, dropped)
        for page in source.pages:
            self.page_numbers.append(copier.number(page.obj))
        names = source.Root.get("/Names")
        if names is not None and "/Dests" in names:
            for name, destination in pikepdf.NameTree(names.Dests).items():
                if name not in self.dests:  # the first of a name wins
                    self.dests[name] = copier.encode(destination)

    def _drop_dangling_links(self, source: pikepdf.Pdf) -> list[Any]:
        """Drop each link naming a destination that no chunk holds (a chunk keeps its links
        to the other chunks' anchors, and an anchor without a box, under `display: none`, has
        none): what WeasyPrint does in one layout (`resolve_links` drops a link to an anchor
        it did not place, before the link is annotated and tagged). Returns the links dropped."""
        dropped: list[Any] = []
        for page in source.pages:
            annotations = page.obj.get("/Annots")
            if annotations is None:
                continue
            gone = [a for a in annotations if _named(a) is not None and _named(a) not in self.names]
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

    def _structure(self, source: pikepdf.Pdf, copier: Copier, dropped: list[Any]) -> None:
        """The chunk's page elements under the Document; its pages' ParentTree entries keyed
        by their page index in the book, its links' numbered after every page, in order."""
        tree = source.Root.StructTreeRoot
        offset = len(self.page_numbers)
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
        for key, value in elements.items():
            if key < own:
                self.page_parents.append((offset + key, copier.encode(value)))
        for index, page in enumerate(source.pages):
            if "/StructParents" in page.obj:
                page.obj.StructParents = offset + index
            for annotation in page.obj.get("/Annots", Array()):
                if "/StructParent" in annotation:
                    element = elements[int(annotation.StructParent)]
                    annotation.StructParent = self.total + len(self.link_parents)
                    self.link_parents.append(copier.encode(element))
        for kid in _document_element(tree).K:
            self.kids.append(copier.encode(kid))

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
        outline = self._outline(marks)
        if outline is not None:
            entries["/Outlines"] = Ref(outline)
        if self.tagged:
            numbers: list[Any] = []
            for key, value in sorted(self.page_parents, key=lambda entry: entry[0]):
                numbers += [key, value]
            for position, value in enumerate(self.link_parents, start=self.total):
                numbers += [position, value]
            put(self.parent_tree, encode({"/Nums": numbers}, _none))
            document = {"/Type": Name.StructElem, "/S": Name.Document, "/P": Ref(self.root)}
            put(self.document, encode({**document, "/K": self.kids}, _none))
            root = {"/Type": Name.StructTreeRoot, "/K": [Ref(self.document)]}
            put(self.root, encode({**root, "/ParentTree": Ref(self.parent_tree)}, _none))
            entries["/StructTreeRoot"] = Ref(self.root)
        return entries

    def _outline(self, marks: list[tuple[int, Bookmark]]) -> int | None:
        from .pdf import bookmark_tree  # WeasyPrint's nesting rule

        tree = bookmark_tree(marks)
        if not tree:
            return None
        root = self.writer.allocate()
        items, count = self._outline_items(tree, root)
        self.writer.put(
            root, encode({"/Count": count, "/First": Ref(items[0]), "/Last": Ref(items[-1])}, _none)
        )
        return root

    def _outline_items(self, tree: list[Any], parent: int) -> tuple[list[int], int]:
        """Outline items of `tree` under `parent`, linked; and how many are visible (open)."""
        items = [self.writer.allocate() for _ in tree]
        count = len(tree)
        for position, (label, (page, x, y), children, state) in enumerate(tree):
            kids, kids_count = self._outline_items(children, items[position])
            destination = [Ref(self.page_numbers[page]), Name.XYZ, x, y, 0]
            item: dict[str, Any] = {"/Title": String(label), "/Dest": destination}
            item["/Parent"] = Ref(parent)
            item["/Count"] = -kids_count if state == "closed" else kids_count
            if state != "closed":
                count += kids_count
            if kids:
                item["/First"], item["/Last"] = Ref(kids[0]), Ref(kids[-1])
            if position > 0:
                item["/Prev"] = Ref(items[position - 1])
            if position < len(items) - 1:
                item["/Next"] = Ref(items[position + 1])
            self.writer.put(items[position], encode(item, _none))
        return items, count


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


def _named(annotation: Any) -> str | None:
    """The destination name a link annotation goes to (`/Dest`, or a GoTo action's `/D`)."""
    if "/Dest" in annotation and isinstance(annotation.Dest, String):
        return str(annotation.Dest)
    action = annotation.get("/A", Dictionary())
    if action.get("/S") == Name.GoTo and isinstance(action.get("/D"), String):
        return str(action.D)
    return None

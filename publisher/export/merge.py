"""One PDF from the chunks of a book laid out apart (export/chunked.py), with pikepdf.

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
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
import warnings
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from .chunkdata import Bookmark, ChunkPdf
from .font_union import FontUnion
from .pagelabels import PageLabel, set_labels

# Objects packed in compressed object streams, as WeasyPrint (pydyf) writes them.
STREAMS = pikepdf.ObjectStreamMode.generate
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

    One chunk at a time: its pages, destinations, structure and fonts are copied, its streams
    read into the merged file, and the chunk let go, so memory holds one chunk's objects
    besides the merged file's, whatever the number of chunks."""
    out = pikepdf.new()
    tree = pikepdf.NameTree.new(out)
    structure = _Structure(out)
    fonts = FontUnion(out)
    version = "1.3"
    for index, chunk in enumerate(chunks):
        with pikepdf.open(io.BytesIO(chunk.data)) as source:
            before = len(out.objects)
            offset = len(out.pages)
            with warnings.catch_warnings():
                # Named destinations are gathered below, over all the chunks.
                warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
                out.pages.extend(source.pages)
            _destinations(out, source, tree)
            structure.add(source, offset)
            fonts.add(range(offset, len(out.pages)))
            if index == 0:
                for key in CATALOG_KEPT:
                    if key in source.Root:
                        out.Root[key] = _copy(out, source.Root[key])
                out.docinfo = out.copy_foreign(source.trailer.Info)  # type: ignore[assignment]
                version = source.pdf_version  # the chunks' own (PDF/UA-1 is PDF 1.7)
            _materialize(out, before)
    _drop_dangling_links(out, tree, structure)
    fonts.finish()
    out.Root.Names = Dictionary(Dests=tree.obj)
    set_labels(out, labels)
    if moment is not None:
        _stamp(out, moment)
    offsets = list(itertools.accumulate((chunk.shape.pages for chunk in chunks), initial=0))
    marks = [
        (offset + mark.page, mark)
        for offset, chunk in zip(offsets, chunks, strict=False)
        for mark in chunk.bookmarks
    ]
    _outline(out, marks)
    structure.finish()
    # The second half of /ID from the content: the chunks' bytes decide the merged file's.
    content = hashlib.md5(usedforsecurity=False)
    for chunk in chunks:
        content.update(hashlib.sha256(chunk.data).digest())
    out.trailer.ID = Array([String(book_id.encode("ascii")), String(content.hexdigest().encode())])
    return _saved(out, version)


def _saved(out: pikepdf.Pdf, version: str) -> bytes:
    buffer = io.BytesIO()
    out.save(
        buffer,
        static_id=True,  # keep the /ID set above
        compress_streams=True,
        stream_decode_level=pikepdf.StreamDecodeLevel.none,  # streams copied as they are
        object_stream_mode=STREAMS,
        min_version=version,
    )
    return buffer.getvalue()


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


def _materialize(out: pikepdf.Pdf, first: int) -> None:
    """Read the streams copied from a chunk (objects from `first` on) into the merged file:
    pikepdf copies a foreign stream's data only when saving, which needs its chunk open."""
    objects = out.objects  # a new list of every object at each access: take it once
    for item in objects[first:]:
        if isinstance(item, pikepdf.Stream):
            filters: Any = item.get("/Filter")
            parameters: Any = item.get("/DecodeParms")
            item.write(item.read_raw_bytes(), filter=filters, decode_parms=parameters)


def _copy(out: pikepdf.Pdf, value: Any) -> Any:
    """`value` from a chunk into `out`: indirect objects through pikepdf's foreign copy (which
    maps a chunk's pages to their copies in `out`), direct arrays and dictionaries by item."""
    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return out.copy_foreign(value)
    if isinstance(value, Array):
        return Array([_copy(out, item) for item in value])
    if isinstance(value, Dictionary):
        return Dictionary({key: _copy(out, item) for key, item in value.items()})
    return value


def _destinations(out: pikepdf.Pdf, source: pikepdf.Pdf, tree: pikepdf.NameTree) -> None:
    """A chunk's named destinations into the book's name tree; the first of a name wins."""
    names = source.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return
    for name, destination in pikepdf.NameTree(names.Dests).items():
        if name not in tree:
            tree[name] = _copy(out, destination)


def _drop_dangling_links(out: pikepdf.Pdf, tree: pikepdf.NameTree, structure: _Structure) -> None:
    """Drop each link naming a destination that no chunk holds (a chunk keeps its links to
    the other chunks' anchors, and an anchor without a box, under `display: none`, has none),
    with its OBJR in the structure tree: what WeasyPrint does in one layout (`resolve_links`
    drops a link to an anchor it did not place, before the link is annotated and tagged)."""
    dropped: set[tuple[int, int]] = set()
    for page in out.pages:
        annotations = page.obj.get("/Annots")
        if annotations is None:
            continue
        gone = {a.objgen for a in annotations if _named(a) is not None and _named(a) not in tree}
        if not gone:
            continue
        dropped |= gone
        kept = [a for a in annotations if a.objgen not in gone]
        if kept:
            page.obj.Annots = Array(kept)
        else:
            del page.obj["/Annots"]
    if dropped:
        structure.forget(dropped)


def _named(annotation: Any) -> str | None:
    """The destination name a link annotation goes to (`/Dest`, or a GoTo action's `/D`)."""
    if "/Dest" in annotation and isinstance(annotation.Dest, String):
        return str(annotation.Dest)
    action = annotation.get("/A", Dictionary())
    if action.get("/S") == Name.GoTo and isinstance(action.get("/D"), String):
        return str(action.D)
    return None


def _outline(out: pikepdf.Pdf, marks: list[tuple[int, Bookmark]]) -> None:
    from .pdf import bookmark_tree  # WeasyPrint's nesting rule

    tree = bookmark_tree(marks)
    if not tree:
        return
    root = out.make_indirect(Dictionary())
    items, count = _outline_items(out, tree, root)
    root.Count = count
    root.First, root.Last = items[0], items[-1]
    out.Root.Outlines = root


def _outline_items(out: pikepdf.Pdf, tree: list[Any], parent: Any) -> tuple[list[Any], int]:
    """Outline items of `tree` under `parent`, linked; and how many are visible (open)."""
    items: list[Any] = []
    count = len(tree)
    for label, (page, x, y), children, state in tree:
        destination = Array([out.pages[page].obj, Name.XYZ, x, y, 0])
        item = out.make_indirect(Dictionary(Title=String(label), Dest=destination, Parent=parent))
        kids, kids_count = _outline_items(out, children, item)
        item.Count = -kids_count if state == "closed" else kids_count
        if state != "closed":
            count += kids_count
        if kids:
            item.First, item.Last = kids[0], kids[-1]
        if items:
            item.Prev = items[-1]
            items[-1].Next = item
        items.append(item)
    return items, count


class _Structure:
    """One structure tree: the chunks' page elements under one Document element; the
    ParentTree keyed by page index, then by annotation in page order (WeasyPrint's scheme).
    `add` each chunk in order, then `finish` (nothing when the chunks are not tagged)."""

    def __init__(self, out: pikepdf.Pdf) -> None:
        self.out = out
        self.root = out.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        self.document = out.make_indirect(
            Dictionary(Type=Name.StructElem, S=Name.Document, P=self.root)
        )
        self.kids: list[Any] = []
        self.pages: list[tuple[int, Any]] = []
        self.annotations: list[tuple[Any, Any]] = []  # (annotation, its structure element)
        self.tagged = True

    def add(self, source: pikepdf.Pdf, offset: int) -> None:
        tree = source.Root.get("/StructTreeRoot")
        if tree is None:
            self.tagged = False
            return
        own = len(source.pages)
        for element in tree.K[0].K if isinstance(tree.K, Array) else tree.K.K:
            copied = self.out.copy_foreign(element)
            copied.P = self.document
            self.kids.append(copied)
        nums = tree.ParentTree.Nums
        elements: dict[int, Any] = {}
        for position in range(0, len(nums), 2):
            key, value = int(nums[position]), _copy(self.out, nums[position + 1])
            if key < own:
                self.pages.append((offset + key, value))
            else:
                elements[key] = value
        for index in range(offset, offset + own):
            page = self.out.pages[index].obj
            if "/StructParents" in page:
                page.StructParents = index
            for annotation in page.get("/Annots", Array()):
                if "/StructParent" in annotation:
                    self.annotations.append((annotation, elements[int(annotation.StructParent)]))

    def forget(self, annotations: set[tuple[int, int]]) -> None:
        """Untag these annotations (by objgen): out of the ParentTree, and their OBJR out of
        their structure element (which keeps its marked content, as WeasyPrint's)."""
        for annotation, element in self.annotations:
            if annotation.objgen in annotations:
                element.K = Array(
                    kid for kid in element.K
                    if not (isinstance(kid, Dictionary) and kid.get("/Type") == Name.OBJR
                            and kid.Obj.objgen in annotations)
                )  # fmt: skip
        self.annotations = [(a, e) for a, e in self.annotations if a.objgen not in annotations]

    def finish(self) -> None:
        if not self.tagged:
            return
        self.document.K = Array(self.kids)
        total = len(self.out.pages)
        numbers: list[Any] = []  # one Array made at the end: extending one is slow
        for key, value in sorted(self.pages, key=lambda entry: entry[0]):
            numbers += [key, value]
        for position, (annotation, element) in enumerate(self.annotations, start=total):
            annotation.StructParent = position
            numbers += [position, element]
        self.root.K = Array([self.document])
        self.root.ParentTree = self.out.make_indirect(Dictionary(Nums=Array(numbers)))
        self.out.Root.StructTreeRoot = self.root

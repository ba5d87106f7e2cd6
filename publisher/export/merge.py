"""One PDF from the chunks of a book laid out apart (export/chunked.py), with pikepdf.

What WeasyPrint writes for a whole book is rebuilt over all the pages: the named destinations
(every anchor; the links keep naming theirs, so a link into another chunk lands), the outline
(nested by `bookmark-level` across chunks, as WeasyPrint nests it), and for the tagged screen
PDF the structure tree: one `Document` element over every chunk's page elements, one
ParentTree numbering each page's marked content (key = page index, as WeasyPrint numbers it)
and then every link annotation. Catalog entries (language, XMP metadata, output intents, viewer
preferences, mark info) and the document information come from the first chunk, which was
written from the same head. Each chunk embeds its own font subsets: their subset tags are made
unique per program (ISO 32000-1 §9.6.4: different subsets in one file have different tags).
The first half of the file identifier names the book (as export/pdf.py writes it); the second
is a digest of the chunks, which decide every byte of the merged file.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Iterator
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from .chunkdata import Bookmark, ChunkPdf

# Objects packed in compressed object streams, as WeasyPrint (pydyf) writes them.
STREAMS = pikepdf.ObjectStreamMode.generate
# Catalog entries taken from the first chunk (the rest are rebuilt here).
CATALOG_KEPT = ("/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata", "/OutputIntents")


def merge(chunks: list[ChunkPdf], book_id: str) -> bytes:
    """The chunks' pages in order as one PDF's bytes. `book_id`: 32 hex digits."""
    out = pikepdf.new()
    sources = [pikepdf.open(io.BytesIO(chunk.data)) for chunk in chunks]
    offsets: list[int] = []
    with warnings.catch_warnings():
        # Named destinations are rebuilt below (`_destinations`), over all the chunks.
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
        for source in sources:
            offsets.append(len(out.pages))
            out.pages.extend(source.pages)
    _destinations(out, sources)
    marks = [
        (offset + mark.page, mark)
        for offset, chunk in zip(offsets, chunks, strict=True)
        for mark in chunk.bookmarks
    ]
    _outline(out, marks)
    if all("/StructTreeRoot" in source.Root for source in sources):
        _structure(out, sources, offsets)
    _retag_fonts(out)
    first = sources[0]
    for key in CATALOG_KEPT:
        if key in first.Root:
            out.Root[key] = _copy(out, first.Root[key])
    out.docinfo = out.copy_foreign(first.trailer.Info)  # type: ignore[assignment]
    version = first.pdf_version  # the chunks' own (PDF/UA-1 is PDF 1.7)
    # The second half of /ID from the content: the chunks' bytes decide the merged file's.
    content = hashlib.md5(usedforsecurity=False)
    for chunk in chunks:
        content.update(hashlib.sha256(chunk.data).digest())
    out.trailer.ID = Array([String(book_id.encode("ascii")), String(content.hexdigest().encode())])
    buffer = io.BytesIO()
    out.save(
        buffer,
        static_id=True,  # keep the /ID set above
        compress_streams=True,
        stream_decode_level=pikepdf.StreamDecodeLevel.none,  # streams copied as they are
        object_stream_mode=STREAMS,
        min_version=version,
    )
    for source in sources:
        source.close()
    return buffer.getvalue()


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


def _destinations(out: pikepdf.Pdf, sources: list[pikepdf.Pdf]) -> None:
    """Every chunk's named destinations in one name tree; the first of a name wins."""
    tree = pikepdf.NameTree.new(out)
    for source in sources:
        names = source.Root.get("/Names")
        if names is None or "/Dests" not in names:
            continue
        for name, destination in pikepdf.NameTree(names.Dests).items():
            if name not in tree:
                tree[name] = _copy(out, destination)
    out.Root.Names = Dictionary(Dests=tree.obj)


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


def _structure(out: pikepdf.Pdf, sources: list[pikepdf.Pdf], offsets: list[int]) -> None:
    """One structure tree: the chunks' page elements under one Document element; the
    ParentTree keyed by page index, then by annotation in page order (WeasyPrint's scheme)."""
    root = out.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = out.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=root))
    kids = Array()
    page_entries: list[tuple[int, Any]] = []
    annotation_entries: list[Any] = []
    renumbered: list[dict[int, int]] = []  # per chunk: its annotation keys → the book's
    total = len(out.pages)
    for source, offset in zip(sources, offsets, strict=True):
        tree = source.Root.StructTreeRoot
        own = len(source.pages)
        for element in tree.K[0].K if isinstance(tree.K, Array) else tree.K.K:
            copied = out.copy_foreign(element)
            copied.P = document
            kids.append(copied)
        nums = tree.ParentTree.Nums
        keys: dict[int, int] = {}
        for position in range(0, len(nums), 2):
            key, value = int(nums[position]), _copy(out, nums[position + 1])
            if key < own:
                page_entries.append((offset + key, value))
            else:
                keys[key] = total + len(annotation_entries)
                annotation_entries.append(value)
        renumbered.append(keys)
    document.K = kids
    for keys, offset, source in zip(renumbered, offsets, sources, strict=True):
        for index in range(offset, offset + len(source.pages)):
            page = out.pages[index].obj
            if "/StructParents" in page:
                page.StructParents = index
            for annotation in page.get("/Annots", Array()):
                if "/StructParent" in annotation:
                    annotation.StructParent = keys[int(annotation.StructParent)]
    numbers = Array()
    for key, value in sorted(page_entries, key=lambda entry: entry[0]):
        numbers.extend([pikepdf.Object.parse(str(key).encode()), value])
    for position, value in enumerate(annotation_entries, start=total):
        numbers.extend([pikepdf.Object.parse(str(position).encode()), value])
    root.K = Array([document])
    root.ParentTree = out.make_indirect(Dictionary(Nums=numbers))
    out.Root.StructTreeRoot = root


def _fonts(out: pikepdf.Pdf) -> Iterator[tuple[Any, Any]]:
    """Each font the pages use (once) with the descendant that holds its descriptor."""
    seen: set[tuple[int, int]] = set()
    for page in out.pages:
        fonts = page.obj.get("/Resources", Dictionary()).get("/Font", Dictionary())
        for font in fonts.values():
            if font.objgen in seen:
                continue
            seen.add(font.objgen)
            descendants = font.get("/DescendantFonts")
            yield font, descendants[0] if descendants is not None else font


def _retag_fonts(out: pikepdf.Pdf) -> None:
    """Give each embedded subset a tag derived from its program, so two chunks' subsets of
    one face get different tags (and one subset keeps one tag, whatever the chunk count)."""
    for font, described in _fonts(out):
        name = str(font.get("/BaseFont", ""))
        descriptor = described.get("/FontDescriptor")
        if "+" not in name or descriptor is None:
            continue
        keys = [key for key in ("/FontFile2", "/FontFile3", "/FontFile") if key in descriptor]
        if not keys:
            continue
        program = descriptor[keys[0]].read_raw_bytes()
        digest = hashlib.md5(program, usedforsecurity=False).digest()
        tag = "".join(chr(65 + byte % 26) for byte in digest[:6])
        renamed = Name("/" + tag + name[name.index("+") :])
        font.BaseFont = described.BaseFont = descriptor.FontName = renamed

"""What the merge of a chunked PDF (export/merge.py) must know before it writes any chunk.

Per chunk (`Facts`, kept in the merge cache under the chunk's digest): its destination names (a
link to a name no chunk holds is dropped, as one layout drops it), the names its links go to,
its page count, PDF version, object count, whether it is tagged, and its font dictionaries in
order of use, each with a digest of everything the font union reads of it.

The fonts (`united_fonts`): each chunk's copied into a small scratch PDF, where
export/font_union.py makes one font per face, written as a Segment numbered from `first`. The
union depends only on the chunks' fonts in order, so it is kept under their digests: an edit
that draws no new glyph leaves every subset's bytes, and so the union, as they were.
The scratch holds the chunks' font subsets (about 9 MB at 400 reviews, 26 chunks), not their
pages.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, replace
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from .chunkdata import ChunkPdf, pdf_bytes, pdf_sha256
from .font_union import FontUnion, page_resources
from .heap import give_back_heap
from .merge_cache import MergeCache
from .pdf_writer import Copier, Segment, Writer

ObjGen = tuple[int, int]


@dataclass(frozen=True)
class Facts:
    """A chunk's facts: `version` ("1.7"), `pages`, `tagged`, `size` (its trailer's /Size: an
    object count bound), `names` (its destinations), `links` (the names its links go to),
    `fonts` ((object, generation) of each font dictionary, first use first) and `prints` (a
    digest of each font's objects, the same order); `digest`, the chunk PDF's sha256."""

    version: str
    pages: int
    tagged: bool
    size: int
    names: tuple[str, ...]
    links: tuple[str, ...]
    fonts: tuple[ObjGen, ...]
    prints: tuple[str, ...]
    digest: str = ""


def chunk_digest(chunk: ChunkPdf) -> str:
    return pdf_sha256(chunk)


class Scratch:
    """A scratch PDF holding the chunks' fonts, each chunk's copied when it is opened (at most
    once per merge: for its facts, or for the union): `copies[index]`, the chunk's font
    dictionaries copied, in the order of its facts."""

    def __init__(self) -> None:
        self.pdf = pikepdf.new()
        self.copies: dict[int, list[Any]] = {}

    def copy(self, index: int, source: pikepdf.Pdf, fonts: tuple[ObjGen, ...]) -> None:
        before = len(self.pdf.objects)
        self.copies[index] = [self.pdf.copy_foreign(source.get_object(font)) for font in fonts]
        _materialize(self.pdf, before)


def facts_of(chunks: list[ChunkPdf], cache: MergeCache) -> tuple[list[Facts], Scratch]:
    """Each chunk's facts, as kept or read from its PDF (and kept); the fonts of the chunks
    read, copied into a Scratch for `united_fonts`."""
    scratch = Scratch()
    facts: list[Facts] = []
    for index, chunk in enumerate(chunks):
        sha256 = chunk_digest(chunk)
        key = cache.key("facts", sha256)
        known = _kept_facts(cache.get(key))
        if known is None:
            with pikepdf.open(io.BytesIO(pdf_bytes(chunk))) as source:
                known = _read_facts(source)
                scratch.copy(index, source, known.fonts)
            give_back_heap()
            cache.put(key, {**known.__dict__}, Segment(b"", (), (), 0))
        facts.append(replace(known, digest=sha256))
    return facts, scratch


def _kept_facts(kept: tuple[dict[str, Any], Segment] | None) -> Facts | None:
    if kept is None:
        return None
    record = kept[0]
    try:
        return Facts(
            str(record["version"]), int(record["pages"]), bool(record["tagged"]),
            int(record["size"]), tuple(record["names"]), tuple(record["links"]),
            tuple((int(o), int(g)) for o, g in record["fonts"]), tuple(record["prints"]),
        )  # fmt: skip
    except (KeyError, TypeError, ValueError):
        return None


def _read_facts(source: pikepdf.Pdf) -> Facts:
    names: list[str] = []
    tree = source.Root.get("/Names")
    if tree is not None and "/Dests" in tree:
        names = list(pikepdf.NameTree(tree.Dests).keys())
    links: set[str] = set()
    for page in source.pages:
        for annotation in page.obj.get("/Annots", Array()):
            target = named(annotation)
            if target is not None:
                links.add(target)
    fonts = _fonts(source)
    return Facts(
        source.pdf_version, len(source.pages), "/StructTreeRoot" in source.Root,
        int(source.trailer.get("/Size", 0)), tuple(names), tuple(sorted(links)),
        tuple(font.objgen for font in fonts), tuple(_fingerprint(font) for font in fonts),
    )  # fmt: skip


def _fonts(source: pikepdf.Pdf) -> list[Any]:
    """The chunk's indirect font dictionaries (of its pages and the forms they draw), once
    each, in order of use."""
    seen: set[ObjGen] = set()
    fonts: list[Any] = []
    for resources in page_resources(source, range(len(source.pages)), set()):
        found = resources.get("/Font")
        if not isinstance(found, Dictionary):
            continue
        for font in found.values():
            if font.is_indirect and font.objgen not in seen:
                seen.add(font.objgen)
                fonts.append(font)
    return fonts


def _fingerprint(font: Any) -> str:
    """A digest of an object and every object it names (streams: dictionary and raw bytes),
    whatever their numbers."""
    hasher = hashlib.sha256()
    seen: dict[ObjGen, int] = {}

    def visit(value: Any) -> None:
        if isinstance(value, pikepdf.Object) and value.is_indirect:
            if value.objgen in seen:
                hasher.update(b"R%d" % seen[value.objgen])
                return
            seen[value.objgen] = len(seen)
        if isinstance(value, pikepdf.Stream):
            visit(value.stream_dict)
            hasher.update(b"S" + value.read_raw_bytes())
        elif isinstance(value, Dictionary):
            for key in sorted(value.keys()):
                hasher.update(b"K" + key.encode())
                visit(value[key])
        elif isinstance(value, Array):
            hasher.update(b"[")
            for item in value:
                visit(item)
            hasher.update(b"]")
        elif isinstance(value, pikepdf.Object):
            hasher.update(b"V" + value.unparse())
        else:  # a scalar pikepdf gives as Python's (int, bool, Decimal)
            hasher.update(b"P" + repr(value).encode())

    visit(font)
    return hasher.hexdigest()


def united_fonts(
    chunks: list[ChunkPdf], facts: list[Facts], first: int, cache: MergeCache, scratch: Scratch
) -> tuple[Segment, list[dict[ObjGen, int]]]:
    """The fonts standing for the chunks' (united, or each its own: export/font_union.py),
    written as a Segment numbered from `first`; per chunk, its font dictionaries' (object,
    generation) → number of the font written. `scratch`: the fonts facts_of copied (closed
    here); the other chunks are opened for theirs only when the union is not kept."""
    key = cache.key("fonts", str(first), *("\n".join(f.prints) for f in facts))
    kept = cache.get(key)
    if kept is not None:
        try:
            lists = [[int(n) for n in row] for row in kept[0]["numbers"]]
            if [len(row) for row in lists] == [len(f.fonts) for f in facts]:
                scratch.pdf.close()
                return kept[1], _maps(facts, lists)
        except (KeyError, TypeError, ValueError):
            pass
    for index, (chunk, known) in enumerate(zip(chunks, facts, strict=True)):
        if index not in scratch.copies:
            with pikepdf.open(io.BytesIO(pdf_bytes(chunk))) as source:
                scratch.copy(index, source, known.fonts)
            give_back_heap()
    union = FontUnion(scratch.pdf)
    copies = [scratch.copies[index] for index in range(len(chunks))]
    for row in copies:
        union.add_fonts(row)  # in the chunks' order: a face's first font is kept
    union.finish()
    writer = Writer(io.BytesIO(), None, first)
    copier = Copier(writer, {})
    lists = [[copier.number(union.replacement(font)) for font in row] for row in copies]
    copier.drain()
    scratch.pdf.close()
    segment = writer.segment()
    cache.put(key, {"numbers": lists}, segment)
    return segment, _maps(facts, lists)


def _maps(facts: list[Facts], lists: list[list[int]]) -> list[dict[ObjGen, int]]:
    """Per chunk, its fonts' (object, generation) → the number of each one's font."""
    pairs = zip(facts, lists, strict=True)
    return [dict(zip(known.fonts, row, strict=True)) for known, row in pairs]


def _materialize(out: pikepdf.Pdf, first: int) -> None:
    """Read the streams copied from a chunk (objects from `first` on) into `out`: pikepdf
    copies a foreign stream's data only when it is saved or read, which needs its chunk open."""
    objects = out.objects  # a new list of every object at each access: take it once
    for item in objects[first:]:
        if isinstance(item, pikepdf.Stream):
            filters: Any = item.get("/Filter")
            parameters: Any = item.get("/DecodeParms")
            item.write(item.read_raw_bytes(), filter=filters, decode_parms=parameters)


def named(annotation: Any) -> str | None:
    """The destination name a link annotation goes to (`/Dest`, or a GoTo action's `/D`)."""
    target = annotation.get("/Dest")
    if isinstance(target, String):
        return str(target)
    action = annotation.get("/A")
    if isinstance(action, Dictionary) and action.get("/S") == Name.GoTo:
        target = action.get("/D")
        if isinstance(target, String):
            return str(target)
    return None

"""What the merge of a chunked PDF (export/merge.py) must know before it writes any chunk.

Each chunk is opened in turn and let go: its destination names (a link to a name no chunk holds
is dropped, as one layout drops it), its page count and PDF version, whether it is tagged, and
its fonts, copied into a small scratch PDF where export/font_union.py makes one font per face.
The scratch holds the chunks' font subsets (about 9 MB at 400 reviews, 26 chunks), not their
pages.
"""

from __future__ import annotations

import io
from typing import Any

import pikepdf
from pikepdf import Dictionary

from .chunkdata import ChunkPdf
from .font_union import FontUnion, page_resources
from .pdf_writer import Copier, Writer


class Prepass:
    """What must be known before any chunk is written: every destination name (a link to a
    name no chunk holds is dropped), the PDF version (the first chunk's: PDF/UA-1 is PDF 1.7),
    whether the chunks are tagged, and the fonts, copied into a scratch PDF and united there
    (export/font_union.py): `fonts[index]` maps a chunk's font dictionaries to the scratch's."""

    def __init__(self, chunks: list[ChunkPdf]) -> None:
        self.names: set[str] = set()
        self.version = "1.3"
        self.pages = 0
        self.tagged = bool(chunks)
        self.scratch = pikepdf.new()
        self.union = FontUnion(self.scratch)
        self.fonts: list[dict[tuple[int, int], Any]] = []
        for index, chunk in enumerate(chunks):
            with pikepdf.open(io.BytesIO(chunk.data)) as source:
                if index == 0:
                    self.version = source.pdf_version
                self.pages += len(source.pages)
                self.tagged = self.tagged and "/StructTreeRoot" in source.Root
                names = source.Root.get("/Names")
                if names is not None and "/Dests" in names:
                    self.names.update(pikepdf.NameTree(names.Dests).keys())
                self.fonts.append(self._copy_fonts(source))
        self.union.finish()

    def _copy_fonts(self, source: pikepdf.Pdf) -> dict[tuple[int, int], Any]:
        """The chunk's fonts (of its pages and the forms they draw) copied into the scratch,
        in order of use; (object, generation) in the chunk → the copy."""
        before = len(self.scratch.objects)
        copies: dict[tuple[int, int], Any] = {}
        for resources in page_resources(source, range(len(source.pages)), set()):
            fonts = resources.get("/Font")
            if not isinstance(fonts, Dictionary):
                continue
            for font in fonts.values():
                if font.is_indirect and font.objgen not in copies:
                    copies[font.objgen] = self.scratch.copy_foreign(font)
                    self.union.add_fonts([copies[font.objgen]])
        _materialize(self.scratch, before)
        return copies

    def write_fonts(self, writer: Writer) -> list[dict[tuple[int, int], int]]:
        """Write the fonts standing for the chunks' (united, or each its own); per chunk, its
        font dictionaries' (object, generation) → number of the font written."""
        copier = Copier(writer, {})
        numbers = [
            {key: copier.number(self.union.replacement(font)) for key, font in copies.items()}
            for copies in self.fonts
        ]
        copier.drain()
        self.scratch.close()
        return numbers


def _materialize(out: pikepdf.Pdf, first: int) -> None:
    """Read the streams copied from a chunk (objects from `first` on) into `out`: pikepdf
    copies a foreign stream's data only when it is saved or read, which needs its chunk open."""
    objects = out.objects  # a new list of every object at each access: take it once
    for item in objects[first:]:
        if isinstance(item, pikepdf.Stream):
            filters: Any = item.get("/Filter")
            parameters: Any = item.get("/DecodeParms")
            item.write(item.read_raw_bytes(), filter=filters, decode_parms=parameters)

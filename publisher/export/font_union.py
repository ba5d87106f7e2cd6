"""One embedded font per face in a PDF merged from chunks (export/merge.py; issue 17).

Each chunk of a book laid out apart is written by WeasyPrint with its own subset of every face
it uses, so a merged book held one program per face per chunk. WeasyPrint subsets with
retained glyph ids (`weasyprint/pdf/fonts.py`: HarfBuzz's RETAIN_GIDS, fontTools'
`retain_gids`), so a glyph id drawn in any chunk is the original font's: the chunks' subsets of
one face differ only in which glyphs are filled. Here they become one font per face:

- the program: the subset with the most glyph slots, with every glyph another chunk filled and
  it left empty copied in (TrueType: `glyf` + `hmtx`; CFF, desubroutinized by WeasyPrint:
  the charstring + `hmtx`), and the `cmap` subtables' mappings joined;
- the CIDFont's `/W` widths and the `/ToUnicode` CMap: the union of the chunks' (a later chunk
  wins, as a later text run does in one layout: `weasyprint/draw/text.py`);
- the descriptor's `/FontBBox` width (the widest advance), FixedPitch flag and `/CIDSet`
  (PDF 1.4 and older) made again over the union, as WeasyPrint makes them;
- one font dictionary for the face: every resource dictionary that named another now names
  it, and the others are dropped (unreferenced objects are not written);
- a subset tag from the union program's bytes (ISO 32000-1 §9.6.4: a tag unique to the
  subset), the same for the same glyphs whatever the chunking.

A face is recognised by its BaseFont as the chunk wrote it: pdf/face_fonts.py (`_FaceFont`) makes
its tag from the face's file and description, so one tag means one source file. A face this
cannot unite (no embedded program or ToUnicode map; chunks disagreeing on the CIDFont's kind,
the CFF's private dictionary) keeps one font per chunk, each tagged from its own program.
A face some chunk drew a missing glyph with (as .notdef) has an embedded encoding CMap there
(WeasyPrint's `WP-Encod-0`): the union's CMap keeps those codes on CID 0.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name

from .font_cmaps import cid_cmap, cids_of, texts_of, to_unicode_cmap
from .font_programs import union_program

PROGRAM_KEYS = ("/FontFile2", "/FontFile3", "/FontFile")
FIXED_PITCH = 1  # descriptor flag bit 1 (ISO 32000-1 §9.8.2, Table 123)


@dataclass
class _Face:
    """Every font dictionary one face has in the merged file, and where each is named."""

    fonts: list[Any] = field(default_factory=list)  # Type0 dictionaries, first use first
    united: bool = False  # `finish` made fonts[0] the face's only font


class FontUnion:
    """Collects the chunks' font dictionaries, copied into `out` (`add_fonts`: the merge's
    prepass, export/merge_prepass.py), then makes one font per face (`finish`); the merge asks
    which font stands for each (`replacement`)."""

    def __init__(self, out: pikepdf.Pdf) -> None:
        self.out = out
        self.faces: dict[str, _Face] = {}
        self.face_of: dict[tuple[int, int], _Face] = {}

    def add_fonts(self, fonts: Iterable[Any]) -> None:
        """Record font dictionaries of `out` without the resource dictionaries naming them
        (a merge that maps the fonts itself asks `replacement` after `finish`)."""
        for font in fonts:
            face = self.faces.setdefault(str(font.get("/BaseFont", "")), _Face())
            if not any(font.objgen == known.objgen for known in face.fonts):
                face.fonts.append(font)
            self.face_of[font.objgen] = face

    def replacement(self, font: Any) -> Any:
        """After `finish`: the font dictionary standing for `font` (one recorded by
        `add_fonts`): its face's one font when the face was united, else itself."""
        face = self.face_of[font.objgen]
        return face.fonts[0] if face.united else font

    def finish(self) -> None:
        """One font per face that can be united; a tag from its own program for every other
        embedded subset."""
        for name, face in self.faces.items():
            if "+" not in name:
                continue  # not a subset: nothing to unite or tag
            if _unitable(face.fonts):
                face.united = _unite(self.out, face)
            else:
                for font in face.fonts:
                    program = _descriptor(font).get(_program_key(font) or "/FontFile")
                    if program is not None:
                        _retag(font, program.read_raw_bytes())


def page_resources(out: pikepdf.Pdf, pages: range, seen: set[tuple[int, int]]) -> Iterator[Any]:
    """The resource dictionaries of these pages and of the forms they use, each once."""
    pending = [out.pages[index].obj.get("/Resources") for index in pages]
    while pending:
        resources = pending.pop()
        if not isinstance(resources, Dictionary):
            continue
        if resources.is_indirect:
            if resources.objgen in seen:
                continue
            seen.add(resources.objgen)
        yield resources
        forms = resources.get("/XObject")
        for form in forms.values() if isinstance(forms, Dictionary) else ():
            if form.get("/Subtype") == "/Form":
                pending.append(form.get("/Resources"))


def _descriptor(font: Any) -> Any:
    descendants = font.get("/DescendantFonts")
    described = descendants[0] if descendants is not None else font
    return described.get("/FontDescriptor", Dictionary())


def _program_key(font: Any) -> str | None:
    descriptor = _descriptor(font)
    return next((key for key in PROGRAM_KEYS if key in descriptor), None)


def _unitable(fonts: list[Any]) -> bool:
    """Whether these fonts are WeasyPrint's Type0 fonts of one kind, encoded Identity-H or by
    an embedded CMap of codes to CIDs, with an embedded TrueType or OpenType program."""
    kinds = set()
    for font in fonts:
        encoding = font.get("/Encoding")
        if font.get("/Subtype") != "/Type0" or not (
            encoding == "/Identity-H" or isinstance(encoding, pikepdf.Stream)
        ):
            return False
        key = _program_key(font)
        if key not in ("/FontFile2", "/FontFile3") or "/ToUnicode" not in font:
            return False
        kinds.add((key, str(font.DescendantFonts[0].get("/Subtype"))))
    return len(kinds) == 1


def _unite(out: pikepdf.Pdf, face: _Face) -> bool:
    """Make the face's first font dictionary its only one, over the union of all (above);
    when the programs cannot be joined, tag each font from its own program instead (False)."""
    keeper = face.fonts[0]
    cid_font = keeper.DescendantFonts[0]
    descriptor = cid_font.FontDescriptor
    key = _program_key(keeper)
    assert key is not None  # _unitable
    programs: dict[bytes, bytes] = {}  # digest → decoded program, first use first
    widths: dict[int, Any] = {}
    texts: dict[int, str] = {}
    widest = 0.0
    encodings: list[Any] = []  # embedded CMaps (WeasyPrint's when glyphs are missing)
    for font in face.fonts:
        data = _descriptor(font)[key].read_bytes()
        programs.setdefault(hashlib.sha256(data).digest(), data)
        widths.update(_widths(font.DescendantFonts[0].get("/W", Array())))
        texts.update(texts_of(font.ToUnicode))
        if isinstance(font.Encoding, pikepdf.Stream):
            encodings.append(font.Encoding)
        widest = max(widest, float(_descriptor(font).FontBBox[2]))
    program = union_program(list(programs.values()))
    if program is None:
        for font in face.fonts:
            _retag(font, _descriptor(font)[key].read_raw_bytes())
        return False
    stream = out.make_stream(program)
    if key == "/FontFile3":
        stream.Subtype = Name.OpenType
    else:
        stream.Length1 = len(program)
    descriptor[key] = stream
    cid_font.W = _widths_array(widths)
    bbox = descriptor.FontBBox
    descriptor.FontBBox = Array([bbox[0], bbox[1], widest, bbox[3]])
    flags = int(descriptor.Flags) & ~FIXED_PITCH
    if len(widths) > 1 and len(set(widths.values())) == 1:
        flags |= FIXED_PITCH
    descriptor.Flags = flags
    if "/CIDSet" in descriptor:
        descriptor.CIDSet = out.make_stream(_cid_set(widths))
    keeper.ToUnicode = out.make_stream(to_unicode_cmap(texts))
    if encodings:
        keeper.Encoding = _encoding(out, encodings, texts)
    _retag(keeper, program)
    return True


def _encoding(out: pikepdf.Pdf, encodings: list[Any], texts: dict[int, str]) -> Any:
    """One code → CID CMap over the face's codes: a code any chunk drew as .notdef (CID 0, a
    glyph missing from every font) stays so, as it does in one layout's CMap; every other
    code is its own CID, as Identity-H maps it."""
    cids = dict(zip(texts, texts, strict=True))
    for encoding in encodings:
        cids.update((code, 0) for code, cid in cids_of(encoding).items() if cid == 0)
    first = encodings[0]
    name = str(first.get("/CMapName", "/WP-Encod-0"))[1:]
    stream = out.make_stream(cid_cmap(cids, name))
    for key in ("/Type", "/CMapName", "/CIDSystemInfo"):
        if key in first:
            stream[key] = first[key]
    return stream


def _retag(font: Any, program: bytes) -> None:
    """Name the font, its CIDFont and descriptor with a tag made from its program's bytes."""
    name = str(font.BaseFont)
    digest = hashlib.md5(program, usedforsecurity=False).digest()
    tag = "".join(chr(65 + byte % 26) for byte in digest[:6])
    renamed = Name("/" + tag + name[name.index("+") :])
    font.BaseFont = renamed
    descendants = font.get("/DescendantFonts")
    described = descendants[0] if descendants is not None else font
    described.BaseFont = renamed
    if "/FontDescriptor" in described:
        described.FontDescriptor.FontName = renamed


def _widths(array: Any) -> Iterator[tuple[int, Any]]:
    """(CID, width) of a CIDFont's /W array: `c [w …]` and `c_first c_last w` (§9.7.4.3)."""
    items = list(array)
    position = 0
    while position < len(items):
        first = int(items[position])
        if isinstance(items[position + 1], Array):
            for offset, width in enumerate(items[position + 1]):
                yield first + offset, width
            position += 2
        else:
            for cid in range(first, int(items[position + 1]) + 1):
                yield cid, items[position + 2]
            position += 3


def _widths_array(widths: dict[int, Any]) -> Array:
    """A /W array of runs of consecutive CIDs, `c [w …]`, as WeasyPrint writes it."""
    runs: list[Any] = []
    for cid in sorted(widths):
        if cid - 1 not in widths:
            runs += [cid, []]
        runs[-1].append(widths[cid])
    return Array([Array(run) if isinstance(run, list) else run for run in runs])


def _cid_set(widths: dict[int, Any]) -> bytes:
    """A /CIDSet bit string: bit CID set, high bit first (§9.8.3, Table 124)."""
    bits = bytearray((max(widths) + 8) // 8)
    for cid in widths:
        bits[cid // 8] |= 0x80 >> (cid % 8)
    return bytes(bits)

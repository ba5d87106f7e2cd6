"""`glyph-wrong`: every glyph a PDF draws is its source font's own glyph for its character.

For each composite (Type0) font embedded in a PDF, the font's ToUnicode CMap says which text
each glyph stands for (a subset's CMap lists exactly the glyphs drawn). Two facts are checked
per glyph, against the installed font the program was cut from (found by the PostScript name
in the program's own `name` table, through fontconfig):

1. its outline in the embedded program is the installed font's outline at the same glyph id
   (WeasyPrint subsets with retained glyph ids), so the program is the source's, unaltered;
2. that glyph is one the installed font uses for that text: its `cmap` glyph, or one reached
   from it by a GSUB substitution (oldstyle figures, small capitals, ligatures, alternates).

The fault this catches: WeasyPrint 70 once embedded one optical size of EB Garamond and drew
glyph ids of the other (see export/pdf/face_fonts.py), so "•" printed as a superscript "A" while the
text layer still read "•". Sources: ISO 32000-1 §9.7.4 (CIDFonts), §9.7.4.2 (CIDToGIDMap),
§9.10.3 (ToUnicode CMaps); OpenType GSUB lookup types 1-4 and 7.
"""

from __future__ import annotations

import functools
import io
import struct
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
from fontTools.pens.recordingPen import DecomposingRecordingPen, RecordingPen
from fontTools.ttLib import TTFont, TTLibError

from ..base.diagnostics import Diagnostic, Severity
from ..base.fonts import fc_list
from .fontmaps import glyph_texts, parse_to_unicode, stands_for
from .runner import ValidatorResult, diag, make_result

SOURCE = "publisher"
# Outline coordinates may differ by rounding when a subsetter re-encodes charstrings.
TOLERANCE = 1.0
Outline = tuple[tuple[str, tuple[tuple[float, ...], ...]], ...]


@dataclass(frozen=True)
class EmbeddedFont:
    """One Type0 font of a PDF: its name, program, CID→text and CID→glyph id maps."""

    name: str  # BaseFont without the subset tag, e.g. "EB-Garamond"
    program: TTFont
    texts: Mapping[int, str]  # CID → text, from ToUnicode
    gids: Mapping[int, int]  # CID → glyph id in `program`


def check_glyphs(pdf: Path) -> ValidatorResult:
    """`glyph-wrong` errors for `pdf`; `glyph-unverified` notes for fonts with no installed
    source. Counts: fonts, glyphs (checked), wrong. Never raises for a bad PDF or font."""
    problems: list[Diagnostic] = []
    fonts = glyphs = wrong = 0
    try:
        embedded = list(embedded_fonts(pdf))
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        problem = diag(
            Severity.ERROR, pdf, "glyph-check-failed", f"cannot read fonts: {exc}", SOURCE
        )
        return make_result("glyphs", pdf, [problem])
    for font in embedded:
        fonts += 1
        postscript = _postscript_name(font.program)
        source = _installed(postscript) if postscript else None
        if source is None:
            problems.append(
                diag(
                    Severity.INFO,
                    pdf,
                    "glyph-unverified",
                    f"font “{font.name}” ({postscript or 'no PostScript name'}) is not installed; "
                    "its glyphs were not compared",
                    SOURCE,
                )
            )
            continue
        drawn = _Face(font.program)
        for cid, text in sorted(font.texts.items()):
            if not text.strip():
                continue
            glyphs += 1
            try:
                fault = glyph_fault(drawn, font.gids.get(cid, cid), text, source)
            except Exception as exc:  # fontTools raises anything on a malformed program
                fault = f"its glyph cannot be read ({type(exc).__name__}: {exc})"
            if fault:
                wrong += 1
                problems.append(
                    diag(
                        Severity.ERROR,
                        pdf,
                        "glyph-wrong",
                        f"“{text}” ({_codepoints(text)}) in font {postscript}: {fault}",
                        SOURCE,
                    )
                )
    counts = {"fonts": fonts, "glyphs": glyphs, "wrong": wrong}
    return make_result("glyphs", pdf, problems, counts)


class _Face:
    """One font program with what the check reads from it, each read once."""

    def __init__(self, font: TTFont) -> None:
        self.font = font

    @functools.cached_property
    def order(self) -> list[str]:
        return list(self.font.getGlyphOrder())

    @functools.cached_property
    def glyph_set(self) -> Any:
        return self.font.getGlyphSet()

    @functools.cached_property
    def cmap(self) -> dict[int, str]:
        return dict(self.font.getBestCmap() or {})

    @functools.cached_property
    def texts(self) -> dict[str, frozenset[str]]:
        return glyph_texts(self.font, self.cmap)

    @functools.cached_property
    def charstrings(self) -> Any:
        """CFF charstrings when the font has them: drawn without reading `hmtx` (65,535
        entries in a CJK font), which a glyph set would."""
        if "CFF " not in self.font:
            return None
        return self.font["CFF "].cff.topDictIndex[0].CharStrings

    def outline(self, name: str) -> Outline:
        pen: RecordingPen
        if self.charstrings is not None:
            pen = RecordingPen()
            self.charstrings[name].draw(pen)
        else:
            pen = DecomposingRecordingPen(self.glyph_set)
            self.glyph_set[name].draw(pen)
        return tuple((op, tuple(tuple(point) for point in points)) for op, points in pen.value)


def glyph_fault(drawn: _Face, gid: int, text: str, source: _Face) -> str | None:
    """Why glyph `gid` of the embedded program, drawn for `text`, is not `source`'s own glyph
    for `text`, or None."""
    if gid >= len(drawn.order) or gid >= len(source.order):
        return f"draws glyph {gid}, which the font does not have"
    name = source.order[gid]
    if "fvar" not in source.font and not _same(
        drawn.outline(drawn.order[gid]), source.outline(name)
    ):
        return f"the embedded glyph {gid} is not the installed font's glyph {gid} “{name}”"
    if len(text) == 1 and source.cmap.get(ord(text)) == name:
        return None  # the common case, without walking GSUB
    if not stands_for(text, source.texts.get(name, frozenset())):
        own = ", ".join(f"“{source.cmap[ord(c)]}”" for c in text if ord(c) in source.cmap)
        own_glyph = f"its own is {own}" if own else "the font has no glyph for it"
        return f"draws glyph {gid} “{name}”, which is not a glyph for it ({own_glyph})"
    return None


def embedded_fonts(pdf: Path) -> Iterator[EmbeddedFont]:
    """Every Type0 font that a page or form of `pdf` uses, with an OpenType or TrueType
    program and a ToUnicode map, once each. Resource dictionaries are walked once each (pages
    usually share them), which is much faster than visiting every object of a long book."""
    with pikepdf.open(pdf) as document:
        seen: set[tuple[int, int]] = set()
        pending = [page.obj.get("/Resources") for page in document.pages]
        while pending:
            resources = pending.pop()
            if not isinstance(resources, pikepdf.Dictionary) or _visited(resources, seen):
                continue
            fonts = resources.get("/Font")
            for font in fonts.values() if isinstance(fonts, pikepdf.Dictionary) else ():
                if not isinstance(font, pikepdf.Dictionary) or _visited(font, seen):
                    continue
                if font.get("/Subtype") == "/Type0":
                    embedded = _embedded(font)
                    if embedded is not None:
                        yield embedded
            forms = resources.get("/XObject")
            for form in forms.values() if isinstance(forms, pikepdf.Dictionary) else ():
                if form.get("/Subtype") == "/Form" and not _visited(form, seen):
                    pending.append(form.get("/Resources"))


def _visited(obj: pikepdf.Object, seen: set[tuple[int, int]]) -> bool:
    """Whether an indirect object was seen before (direct ones never were); marks it seen."""
    if not obj.is_indirect:
        return False
    key = obj.objgen
    if key in seen:
        return True
    seen.add(key)
    return False


def _embedded(font: pikepdf.Dictionary) -> EmbeddedFont | None:
    descendants = font.get("/DescendantFonts")
    to_unicode = font.get("/ToUnicode")
    if not descendants or to_unicode is None:
        return None
    cid_font = descendants[0]
    if not isinstance(cid_font, pikepdf.Dictionary):
        return None
    descriptor = cid_font.get("/FontDescriptor")
    stream = descriptor.get("/FontFile2") if descriptor is not None else None
    if stream is None and descriptor is not None:
        stream = descriptor.get("/FontFile3")
        if stream is not None and stream.get("/Subtype") != "/OpenType":
            return None  # bare CFF: not what WeasyPrint writes
    if stream is None:
        return None
    try:
        program = TTFont(io.BytesIO(stream.read_bytes()), lazy=True)
    except (TTLibError, AssertionError, ValueError, struct.error):
        return None
    base = str(font.get("/BaseFont", "/unnamed"))[1:]
    return EmbeddedFont(
        name=base.split("+", 1)[-1],
        program=program,
        texts=parse_to_unicode(to_unicode.read_bytes()),
        gids=_cid_to_gid(cid_font, program),
    )


def _cid_to_gid(cid_font: pikepdf.Dictionary, program: TTFont) -> dict[int, int]:
    """CIDFontType2: `/CIDToGIDMap` (Identity or a stream of 2-byte ids). CIDFontType0 with a
    CID-keyed CFF: the charset's `cidNNNNN` names; otherwise CID = glyph id (§9.7.4.2)."""
    mapping = cid_font.get("/CIDToGIDMap")
    if isinstance(mapping, pikepdf.Stream):
        data = mapping.read_bytes()
        return {
            cid: int.from_bytes(data[2 * cid : 2 * cid + 2], "big") for cid in range(len(data) // 2)
        }
    if "CFF " in program and hasattr(program["CFF "].cff.topDictIndex[0], "ROS"):
        return {
            int(name[3:]): gid
            for gid, name in enumerate(program.getGlyphOrder())
            if name.startswith("cid") and name[3:].isdigit()
        }
    return {}


def _postscript_name(program: TTFont) -> str | None:
    if "name" not in program:
        return None
    name = program["name"].getDebugName(6)
    return str(name) if name else None


@functools.lru_cache(maxsize=1)
def _installed_files() -> dict[str, tuple[str, int]]:
    """PostScript name → (file, index in collection) of every installed face."""
    listing = fc_list("%{postscriptname}\t%{file}\t%{index}\n") or ""
    faces: dict[str, tuple[str, int]] = {}
    for line in listing.splitlines():
        name, _, rest = line.partition("\t")
        path, _, index = rest.partition("\t")
        if name and path and index.isdigit():
            faces.setdefault(name, (path, int(index)))
    return faces


@functools.lru_cache(maxsize=16)
def _installed(postscript: str) -> _Face | None:
    """The installed font with this PostScript name, or None."""
    face = _installed_files().get(postscript)
    if face is None:
        return None
    try:
        return _Face(TTFont(face[0], fontNumber=face[1], lazy=True))
    except (OSError, TTLibError, AssertionError):
        return None


def _same(drawn: Outline, own: Outline) -> bool:
    if len(drawn) != len(own):
        return False
    for (op_a, points_a), (op_b, points_b) in zip(drawn, own, strict=True):
        if op_a != op_b or len(points_a) != len(points_b):
            return False
        for point_a, point_b in zip(points_a, points_b, strict=True):
            if any(abs(a - b) > TOLERANCE for a, b in zip(point_a, point_b, strict=False)):
                return False
    return True


def _codepoints(text: str) -> str:
    return " ".join(f"U+{ord(char):04X}" for char in text)

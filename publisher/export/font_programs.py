"""One font program from the retained-glyph-id subsets of one font (export/font_union.py).

WeasyPrint subsets every face with retained glyph ids and desubroutinized CFF
(`weasyprint/pdf/fonts.py`: HarfBuzz's RETAIN_GIDS and DESUBROUTINIZE flags, fontTools'
`retain_gids` and `desubroutinize`): each subset keeps the original's glyph order up to the last
glyph it uses, with the glyphs it does not use left empty. Subsets of one font made for
different pages therefore join glyph by glyph: a filled glyph is the same in every subset that
fills it. Component glyphs (TrueType composites) are filled by the subsetter's closure, so a
copied composite finds its components.
"""

from __future__ import annotations

import io
import itertools
from typing import Any

from fontTools.ttLib import TTFont

# cmap subtable formats whose mapping is a plain code point → glyph name dictionary
PLAIN_CMAPS = frozenset({0, 4, 6, 10, 12, 13})


def union_program(programs: list[bytes]) -> bytes | None:
    """One program (OpenType or TrueType bytes) with every glyph any of `programs` (subsets
    of one font, as above) fills, built on the one with the most glyph slots; None when they
    cannot be joined (a CID-keyed CFF or different CFF width defaults). Raises fontTools'
    errors for a program it cannot read. One subset besides the union is read at a time."""
    if len(programs) == 1:
        return programs[0]
    slots = [_font(data)["maxp"].numGlyphs for data in programs]
    first = slots.index(max(slots))
    base = _font(programs[first])
    order = base.getGlyphOrder()
    for data in programs[:first] + programs[first + 1 :]:
        donor = _font(data)
        # Glyph by glyph id: names may differ (a `post` table without names, format 3,
        # gets names made from each subset's own cmap).
        pairs = list(zip(order, donor.getGlyphOrder(), strict=False))
        if not _take_glyphs(base, donor, pairs):
            return None
        if "CFF " in base:
            _join_bounds(base, donor)
    # CFF bounds are joined from the subsets' own, each covering its glyphs: drawing every
    # charstring to measure it again would double the merge's time.
    base.recalcBBoxes = "CFF " not in base
    buffer = io.BytesIO()
    base.save(buffer)
    return buffer.getvalue()


def _take_glyphs(base: TTFont, donor: TTFont, pairs: list[tuple[str, str]]) -> bool:
    """Copy into `base` each glyph `donor` fills and `base` leaves empty, its metrics and its
    cmap mappings; `pairs`: (base's name, donor's name) of each glyph id. False when the CFF
    private dictionaries differ (widths are relative to them) or the CFF is CID-keyed."""
    metrics, donor_metrics = base["hmtx"].metrics, donor["hmtx"].metrics
    names = dict((theirs, ours) for ours, theirs in pairs)
    if "glyf" in base:
        glyphs, donor_glyphs = base["glyf"], donor["glyf"]
        for ours, theirs in pairs:
            glyph = donor_glyphs[theirs]
            if glyph.numberOfContours and not glyphs[ours].numberOfContours:
                for component in glyph.components if glyph.isComposite() else ():
                    component.glyphName = names[component.glyphName]
                glyphs[ours] = glyph
                metrics[ours] = donor_metrics[theirs]
    else:
        top, donor_top = base["CFF "].cff.topDictIndex[0], donor["CFF "].cff.topDictIndex[0]
        if hasattr(top, "FDArray") or hasattr(donor_top, "FDArray"):
            return False  # CID-keyed CFF: not what WeasyPrint's subsetters write for a face
        private, donor_private = top.Private, donor_top.Private
        for value in ("defaultWidthX", "nominalWidthX"):
            if getattr(private, value, 0) != getattr(donor_private, value, 0):
                return False
        strings, donor_strings = top.CharStrings, donor_top.CharStrings
        filled, donor_filled = _filled(top), _filled(donor_top)
        for gid, (ours, theirs) in enumerate(pairs):
            if donor_filled[gid] and not filled[gid]:
                charstring = donor_strings[theirs]
                charstring.private = private
                strings[ours] = charstring
                metrics[ours] = donor_metrics[theirs]
    _join_cmaps(base, donor, names)
    return True


def _font(data: bytes) -> TTFont:
    """A program read lazily; its `head` keeps its date (fontTools would stamp the clock on
    saving, and the bytes must be reproducible)."""
    return TTFont(io.BytesIO(data), lazy=True, recalcTimestamp=False)


def _join_bounds(base: TTFont, donor: TTFont) -> None:
    """The `head` bounds and the CFF FontBBox of `base` widened to cover the donor's."""
    head, other = base["head"], donor["head"]
    head.xMin, head.yMin = min(head.xMin, other.xMin), min(head.yMin, other.yMin)
    head.xMax, head.yMax = max(head.xMax, other.xMax), max(head.yMax, other.yMax)
    top, box = base["CFF "].cff.topDictIndex[0], donor["CFF "].cff.topDictIndex[0].FontBBox
    low = [min(own, theirs) for own, theirs in zip(top.FontBBox[:2], box[:2], strict=True)]
    high = [max(own, theirs) for own, theirs in zip(top.FontBBox[2:], box[2:], strict=True)]
    top.FontBBox = low + high


def _filled(top: Any) -> list[bool]:
    """Whether each glyph (by id) of a CFF's top dictionary draws something, read from the
    bytes of its CharStrings INDEX, as it was read: making fontTools' charstring objects for
    every glyph of every subset would take most of the merge's time. The subsets' charstring
    INDEX was read by fontTools from the file (offsets, offsetBase, file: its reading state)."""
    index = top.CharStrings.charStringsIndex
    offsets: list[int] = index.offsets
    index.file.seek(index.offsetBase + offsets[0])
    data = index.file.read(offsets[-1] - offsets[0])
    return [
        not _empty_charstring(data[start - offsets[0] : end - offsets[0]])
        for start, end in itertools.pairwise(offsets)
    ]


def _empty_charstring(code: bytes) -> bool:
    """Whether a Type 2 charstring draws nothing: `endchar` after at most a width (Adobe TN
    #5177 §3.2: a number is 1 byte (32-246), 2 (247-254), 3 (28) or 5 (255) bytes)."""
    if code[-1:] != b"\x0e":
        return False
    head = code[:-1]
    if not head:
        return True
    first = head[0]
    size = 1 if 32 <= first <= 246 else 2 if 247 <= first <= 254 else 3 if first == 28 else 5
    return len(head) == size and (first >= 32 or first == 28)


def _join_cmaps(base: TTFont, donor: TTFont, names: dict[str, str]) -> None:
    """Add the donor's code point → glyph mappings to the base's matching subtables;
    `names`: the donor's glyph names → the base's."""
    if "cmap" not in base or "cmap" not in donor:
        return
    tables = {(t.platformID, t.platEncID, t.format): t for t in base["cmap"].tables}
    for table in donor["cmap"].tables:
        own = tables.get((table.platformID, table.platEncID, table.format))
        if own is not None and table.format in PLAIN_CMAPS:
            for code, name in table.cmap.items():
                own.cmap.setdefault(code, names.get(name, name))

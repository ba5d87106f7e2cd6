"""ToUnicode and encoding CMaps of the fonts WeasyPrint writes, read and written again for
one font per face (export/font_union.py).

Read with pikepdf's content-stream parser, which tokenizes a CMap (a small PostScript program)
and groups each operator's operands. Written here line by line in WeasyPrint's layout
(`weasyprint/pdf/fonts.py`): pikepdf's unparser chooses literal or hexadecimal strings by their
content, and a CMap's codes are hexadecimal strings. Sources: ISO 32000-1 §9.7.5 (CMaps),
§9.10.3 (ToUnicode); Adobe TN #5014 (CMap and CIDFont files) and #5411 (ToUnicode).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pikepdf
from pikepdf import Array

BATCH = 100  # entries per bfchar / cidchar block (at most 100: Adobe TN #5014, §5.4.2)
CODESPACE = (b"1 begincodespacerange", b"<0000> <ffff>", b"endcodespacerange")
FOOTER = (b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end")


def _instructions(stream: Any) -> Iterator[tuple[list[Any], str]]:
    for instruction in pikepdf.parse_content_stream(stream):
        if isinstance(instruction, pikepdf.ContentStreamInstruction):  # no inline image here
            yield list(instruction.operands), str(instruction.operator)


def cids_of(stream: Any) -> dict[int, int]:
    """Code → CID of an embedded CMap's `cidchar` pairs and `cidrange` rows (2-byte codes)."""
    cids: dict[int, int] = {}
    for values, operator in _instructions(stream):
        if operator == "endcidchar":
            for code, cid in zip(values[::2], values[1::2], strict=True):
                cids[_code(code)] = int(cid)
        elif operator == "endcidrange":
            for position in range(0, len(values), 3):
                low, high, cid = values[position : position + 3]
                for offset in range(_code(high) - _code(low) + 1):
                    cids[_code(low) + offset] = int(cid) + offset
    return cids


def cid_cmap(cids: dict[int, int], name: str) -> bytes:
    """An embedded CMap (CMapType 1) named `name` mapping each 2-byte code to its CID, in
    code order, as WeasyPrint writes one when glyphs are missing (codes drawn as .notdef)."""
    lines = [
        b"/CIDInit /ProcSet findresource begin",
        b"12 dict begin",
        b"begincmap",
        b"/CIDSystemInfo",
        b"3 dict dup begin",
        b"/Registry (Adobe) def",
        b"/Ordering (Identity) def",
        b"/Supplement 0 def",
        b"end def",
        b"/CMapName /%s def" % name.encode("ascii"),
        b"/CMapType 1 def",
        *CODESPACE,
    ]
    codes = sorted(cids)
    for start in range(0, len(codes), BATCH):
        batch = codes[start : start + BATCH]
        lines.append(b"%d begincidchar" % len(batch))
        lines += [b"<%04x> %d" % (code, cids[code]) for code in batch]
        lines.append(b"endcidchar")
    return b"\n".join([*lines, *FOOTER]) + b"\n"


def texts_of(stream: Any) -> dict[int, str]:
    """CID → text of a ToUnicode CMap (§9.10.3: `bfchar` pairs and `bfrange` rows, UTF-16BE)."""
    texts: dict[int, str] = {}
    for values, operator in _instructions(stream):
        if operator == "endbfchar":
            for code, text in zip(values[::2], values[1::2], strict=True):
                texts[_code(code)] = _text(text)
        elif operator == "endbfrange":
            for position in range(0, len(values), 3):
                low, high, target = values[position : position + 3]
                first, last = _code(low), _code(high)
                if isinstance(target, Array):
                    for offset, text in enumerate(target):
                        texts[first + offset] = _text(text)
                    continue
                start = _text(target)
                for offset in range(last - first + 1):
                    texts[first + offset] = start[:-1] + chr(ord(start[-1]) + offset)
    return texts


def _code(value: Any) -> int:
    return int.from_bytes(bytes(value), "big")


def _text(value: Any) -> str:
    return bytes(value).decode("utf-16-be", errors="replace")


def to_unicode_cmap(texts: dict[int, str]) -> bytes:
    """A ToUnicode CMap (CMapType 2) mapping each 2-byte CID to its text (UTF-16BE), in CID
    order, as WeasyPrint writes its own."""
    lines = [
        b"/CIDInit /ProcSet findresource begin",
        b"12 dict begin",
        b"begincmap",
        b"/CIDSystemInfo",
        b"<< /Registry (Adobe)",
        b"/Ordering (UCS)",
        b"/Supplement 0",
        b">> def",
        b"/CMapName /Adobe-Identity-UCS def",
        b"/CMapType 2 def",
        *CODESPACE,
    ]
    cids = sorted(texts)
    for start in range(0, len(cids), BATCH):
        batch = cids[start : start + BATCH]
        lines.append(b"%d beginbfchar" % len(batch))
        lines += [
            b"<%04x> <%s>" % (cid, texts[cid].encode("utf-16-be").hex().encode()) for cid in batch
        ]
        lines.append(b"endbfchar")
    return b"\n".join([*lines, *FOOTER]) + b"\n"

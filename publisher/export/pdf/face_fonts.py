"""One PDF font per font file (WeasyPrint 70 keys them by description): a patch of its writer,
for one write at a time."""

from __future__ import annotations

import hashlib
from contextlib import AbstractContextManager
from typing import Any
from unittest import mock

import weasyprint.pdf.fonts
import weasyprint.pdf.stream
import weasyprint.text.fonts
from weasyprint.text.ffi import harfbuzz


def fonts_keyed_by_file() -> AbstractContextManager[object]:
    """For this write only, key each embedded font by its face as well as its description.

    WeasyPrint 70 keys the fonts of a PDF by their Pango description (family, style, weight;
    `get_pango_font_key`), so two font files with one description become one PDF font: the
    glyph ids shaped with either are drawn from the program of the first (the fault behind
    "TODO: Find why we can have multiple fonts for one font file" in `build_fonts_dictionary`,
    and behind Kozea/WeasyPrint#1951). Debian's fonts-ebgaramond installs two optical sizes
    under the family "EB Garamond", 08 and 12, with identical descriptions: fontconfig picks
    08 for the text and Pango falls back to 12 for what 08 lacks (• ◦ → ™ №), whose glyph
    ids then drew 08's glyphs ("•", gid 1578 of the 12, drew `A.ordn` of the 08, a small
    superscript A). Keyed by face, each file is its own PDF font with its own program.
    """
    return mock.patch.multiple(
        weasyprint.pdf.stream, get_pango_font_key=_face_font_key, Font=_FaceFont
    )


def _face_font_key(pango_font: Any) -> tuple[Any, Any, float]:
    """WeasyPrint's key widened with the face: its index in its collection, glyph count and
    file length (cheap: this runs once per text run)."""
    key, description, font_size = weasyprint.text.fonts.get_pango_font_key(pango_font)
    face = weasyprint.text.fonts.get_pango_font_hb_face(pango_font)
    blob = harfbuzz.hb_face_reference_blob(face)
    try:
        length = harfbuzz.hb_blob_get_length(blob)
    finally:
        harfbuzz.hb_blob_destroy(blob)
    face_key = (harfbuzz.hb_face_get_index(face), harfbuzz.hb_face_get_glyph_count(face), length)
    return (key, face_key), description, font_size


class _FaceFont(weasyprint.pdf.fonts.Font):  # type: ignore[misc]
    """WeasyPrint's font whose `hash` (PDF resource name, subset tag and embedding group) also
    covers its face's bytes: six letters A-Z like WeasyPrint's own, stable across builds."""

    def __init__(self, pango_font: Any, description: Any, font_size: float) -> None:
        super().__init__(pango_font, description, font_size)
        described: str = getattr(self, "hash")  # noqa: B009 (untyped upstream attribute)
        name: bytes = getattr(self, "name")  # noqa: B009
        digest = hashlib.md5(usedforsecurity=False)
        digest.update(described.encode("ascii"))
        digest.update(self.index.to_bytes(4, "big"))
        digest.update(self.file_content)
        tag = "".join(chr(65 + byte % 26) for byte in digest.digest()[:6])
        self.hash = tag
        self.name = b"/" + tag.encode("ascii") + name[name.index(b"+") :]

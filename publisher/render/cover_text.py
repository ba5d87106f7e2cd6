"""The wrap's words with the book's typography (typography.py), for the exporter, which may
not import the renderer (tests/test_layering.py): the pipeline makes them and hands them on."""

from __future__ import annotations

from ..base.cover import CoverText
from ..base.model import AnthologySpec
from .typography import smarten


def cover_text(spec: AnthologySpec) -> CoverText:
    """`CoverText.plain(spec)` (the subtitle too, for the ONIX record) with curly quotes,
    apostrophes and dashes as the interior has them for `spec.lang` (`Kubrick's
    "Senderos"` → `Kubrick’s “Senderos”` in English)."""
    plain = CoverText.plain(spec)
    title = smarten(plain.title, spec.lang)
    # One paragraph at a time, as the interior smartens one paragraph at a time.
    paragraphs = tuple(smarten(p, spec.lang) for p in plain.paragraphs)
    spine = tuple(smarten(part, spec.lang) for part in plain.spine)
    # The title and subtitle apart, as the interior's `<title>` smartens them (book.html.j2).
    heading = title + (f". {smarten(spec.subtitle, spec.lang)}" if spec.subtitle else "")
    summary = smarten(spec.description, spec.lang)
    editors = tuple(smarten(name, spec.lang) for name in spec.editors)
    subtitle = smarten(plain.subtitle, spec.lang)
    return CoverText(title, paragraphs, spine, heading, summary, editors, subtitle)

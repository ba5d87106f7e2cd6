"""The screen PDF's page labels (ISO 32000-1 §12.4.2, /PageLabels): what a viewer's page box
shows for each page. The screen PDF is the cover and its blank verso, then the print book's
pages: the cover is labelled with the book's word for it ("Cubierta"), its blank verso with an
empty label (a range with neither /S nor /P, §12.4.2: "the prefix alone"), so no two pages
share a label and a viewer's "go to page Cubierta" finds the cover alone; the others with the
printed folios, so "p. 37" in the viewer is p. 37 of the printed book. Set with pikepdf
(the merge's, and `labelled` for a screen PDF laid out whole); made here by hand because pikepdf
reads page labels (`Page.label`) but does not write them.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, String

ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
_ROMAN_SHAPE = re.compile(r"m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})")


@dataclass(frozen=True)
class PageLabel:
    """One /PageLabels range: from page index `page` (0-based) on, numbers in `style` ("D"
    decimal, "r"/"R" lower/upper roman, "" none: the prefix alone) counting from `first`, each
    after `prefix`."""

    page: int
    style: str
    prefix: str = ""
    first: int = 1


def _number(label: str) -> tuple[str, int] | None:
    """("D" | "r" | "R", value) of a folio written in decimal or roman numerals, else None."""
    if label.isdigit():
        return "D", int(label)
    lower = label.lower()
    if lower and _ROMAN_SHAPE.fullmatch(lower) and label in (lower, label.upper()):
        values = [ROMAN[letter] for letter in lower]
        total = sum(-v if v < w else v for v, w in zip(values, [*values[1:], 0], strict=True))
        return ("r" if label == lower else "R"), total
    return None


def page_labels(cover: int, word: str, folios: Sequence[str]) -> tuple[PageLabel, ...]:
    """The ranges for `cover` cover pages, the first labelled `word`, the others (its verso)
    unlabelled, then pages labelled `folios` (the print book's, one per page: a folio, or the
    page number of a page that prints none). A folio that is not a decimal or roman number is a
    range of its own, labelled by its text."""
    ranges: list[PageLabel] = [PageLabel(0, "", word)] if cover else []
    if cover > 1:
        ranges.append(PageLabel(1, ""))
    last: tuple[str, int] | None = None
    for index, folio in enumerate(folios, start=cover):
        number = _number(folio)
        if number is None:
            ranges.append(PageLabel(index, "", folio))
        elif last is None or number != (last[0], last[1] + 1):
            ranges.append(PageLabel(index, number[0], "", number[1]))
        last = number
    return tuple(ranges)


def labelled(data: bytes, labels: tuple[PageLabel, ...]) -> bytes:
    """A PDF's bytes with its /PageLabels set to `labels`, its /ID kept."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        set_labels(pdf, labels)
        buffer = io.BytesIO()
        pdf.save(
            buffer,
            static_id=True,
            compress_streams=True,
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
        )
        return buffer.getvalue()


def set_labels(out: pikepdf.Pdf, labels: tuple[PageLabel, ...]) -> None:
    """`out`'s /PageLabels set to `labels` (none when empty)."""
    if labels:
        out.Root.PageLabels = label_tree(labels)


def label_tree(labels: tuple[PageLabel, ...]) -> Dictionary:
    """/PageLabels as a direct dictionary: a number tree from page index to label dictionary
    (ISO 32000-1 §12.4.2), one /Nums array."""
    numbers: list[Any] = []
    for label in labels:
        entry = Dictionary(Type=Name.PageLabel)
        if label.style:
            entry.S = Name("/" + label.style)
            if label.first != 1:
                entry.St = label.first
        if label.prefix:
            entry.P = String(label.prefix)
        numbers += [label.page, entry]
    return Dictionary(Nums=Array(numbers))

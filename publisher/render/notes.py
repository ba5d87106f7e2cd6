"""Footnotes on the element tree that Python-Markdown's `footnotes` extension leaves behind.

Called by `markup.py` (the only module that imports Markdown) once per manuscript body. Rules:

- Notes are numbered 1, 2, … in the reading order of their first call, whatever order the
  definitions have in the manuscript: WeasyPrint's `footnote` counter counts the floated notes
  in document order, so the EPUB and HTML numbers must follow the same order to agree with both
  PDFs (CSS GCPM 3, the `footnote` counter).
- A label cited several times is one note. Every call gets its own id (`<p>-noteref-<n>` for the
  first, `<p>-noteref-<n>-<k>` for the k-th), and the EPUB/HTML note links back to each call
  (DPUB-ARIA `doc-backlink`): a duplicate id is an EPUBCheck error (RSC-005).
- Print: the first call carries the note itself, to be floated to the page foot by `float:
  footnote` (paged.css); a later call is a plain superscript number linking to the note.
- Web/EPUB: the calls are `doc-noteref` links and the notes an end section of `doc-footnote`s.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

EPUB_TYPE = "epub:type"
BACK_ARROW = "\u21a9\ufe0e"  # ↩ as text, never as an emoji
# Markdown's stashed `&#160;` placeholder and the spaces it puts before a back link.
TRAILING_SPACE = re.compile(r"(\x02\w+\x03|[\u00a0 ])+$")
# Tags that may not sit inside a paragraph in the print HTML (tinyhtml5 would close the `<p>`).
NOT_PHRASING = {
    "p", "div", "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "table", "thead",
    "tbody", "tr", "th", "td", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "figure", "figcaption",
    "section", "aside",
}  # fmt: skip


@dataclass
class _Note:
    element: ET.Element  # the `<li>` of Markdown's note list
    number: int
    calls: list[ET.Element] = field(default_factory=list)  # the `<sup>` calls, in order
    body_calls: int = 0  # how many of `calls` (the first ones) stand in the body, not in notes


def _collect_calls(
    scope: ET.Element, items: dict[str, ET.Element], notes: dict[str, _Note]
) -> list[_Note]:
    """Add the calls in `scope` (Markdown's `<sup><a class="footnote-ref">`) to `notes`, in
    document order, numbering each note at its first call; return the notes first met here."""
    met = []
    for sup in list(scope.iter("sup")):
        link = sup.find("a")
        if link is None or "footnote-ref" not in link.get("class", ""):
            continue
        label = link.get("href", "#")[1:]
        if label not in items:
            continue
        if label not in notes:
            notes[label] = _Note(items[label], len(notes) + 1)
            met.append(notes[label])
        notes[label].calls.append(sup)
    return met


def number_notes(root: ET.Element, prefix: str, inline: bool) -> int:
    """Number, link and place the notes of one body; return how many notes it cites.

    `prefix` makes ids unique in the book (the review's slug); `inline` selects print notes
    (each note inside its first call) over an end section. Notes defined but never cited are
    kept at the end of the section (web/EPUB) or after the body (print), so no text is lost;
    so are notes cited only from inside other notes, numbered after those cited in the body.
    """
    container = next(
        (node for node in root if node.tag == "div" and node.get("class") == "footnote"), None
    )
    if container is None:
        return 0
    root.remove(container)
    listing = container.find("ol")
    items = {item.get("id", ""): item for item in (listing if listing is not None else ())}
    notes: dict[str, _Note] = {}
    queue = _collect_calls(root, items, notes)
    for note in queue:
        note.body_calls = len(note.calls)
    for note in queue:  # calls made inside notes, in the order of the notes (queue grows)
        queue.extend(_collect_calls(note.element, items, notes))
    for label, item in items.items():  # defined but never cited: numbered after the rest
        notes.setdefault(label, _Note(item, len(notes) + 1))
    for note in notes.values():
        _drop_backrefs(note.element)
        note.element.attrib.clear()
        note.element.set("id", f"{prefix}-note-{note.number}")
        for index, sup in enumerate(note.calls):
            _mark_call(sup, note, _call_id(prefix, note.number, index))
    if inline:
        for note in notes.values():
            _place_inline(root, note)
    else:
        _end_section(root, prefix, list(notes.values()))
    return sum(1 for note in notes.values() if note.calls)


def _call_id(prefix: str, number: int, index: int) -> str:
    base = f"{prefix}-noteref-{number}"
    return base if index == 0 else f"{base}-{index + 1}"


def _mark_call(sup: ET.Element, note: _Note, call_id: str) -> None:
    """Turn Markdown's `<sup id><a class="footnote-ref">` into a DPUB-ARIA note reference."""
    tail = sup.tail
    sup.clear()  # clear() also drops the tail: the text after the call
    sup.tail = tail
    sup.set("id", call_id)
    sup.set("class", "noteref")
    link = ET.SubElement(sup, "a", {"href": f"#{note.element.get('id', '')}"})
    link.set("role", "doc-noteref")
    link.set(EPUB_TYPE, "noteref")
    link.text = str(note.number)


def _place_inline(root: ET.Element, note: _Note) -> None:
    """Print: the first call becomes the note, floated to the page foot by paged.css.

    Later calls stay superscript numbers linking to the note. A note cited only from other
    notes (WeasyPrint floats no note inside a note), or not at all, is printed as a paragraph
    after the body.
    """
    element = note.element
    element.tag = "span"
    element.set("class", "footnote")
    element.text = None  # the list item's line break would open the note with a blank line
    for child in element:
        child.tail = None  # paged.css puts one space between a note's paragraphs
        for node in child.iter():
            if node.tag in NOT_PHRASING:
                node.tag = "span"
        child.set("class", "footnote-para")
    if not note.body_calls:
        for sup in note.calls:  # calls inside other notes
            sup.set("class", "noteref noteref-repeat")
        paragraph = ET.SubElement(root, "p", {"class": "note-after-body"})
        paragraph.text = f"{note.number}. "
        paragraph.append(element)
        element.set("class", "footnote-inline")
        return
    first = note.calls[0]
    element.tail = first.tail
    first.clear()
    first.tag, first.text, first.tail = element.tag, element.text, element.tail
    first.attrib.update(element.attrib)
    first.extend(list(element))
    for sup in note.calls[1:]:  # later calls, in the body or inside other notes
        sup.set("class", "noteref noteref-repeat")


def _end_section(root: ET.Element, prefix: str, notes: list[_Note]) -> None:
    """Web/EPUB: a `doc-endnotes` section; each note opens with its number, linking back."""
    section = ET.SubElement(root, "section", {"class": "footnotes", "role": "doc-endnotes"})
    section.set(EPUB_TYPE, "footnotes")
    for note in notes:
        element = note.element
        element.tag = "aside"
        element.set("class", "footnote")
        element.set("role", "doc-footnote")
        element.set(EPUB_TYPE, "footnote")
        if not len(element) or element[0].tag != "p":
            element.insert(0, ET.Element("p"))
        first = element[0]
        marker = ET.Element("a" if note.calls else "span", {"class": "note-number"})
        if note.calls:
            marker.set("href", f"#{_call_id(prefix, note.number, 0)}")
            marker.set("role", "doc-backlink")
        marker.text = str(note.number)
        marker.tail = ". " + (first.text or "")
        first.text = None
        first.insert(0, marker)
        if len(note.calls) > 1:
            _backlinks(element, prefix, note)
        section.append(element)


def _backlinks(element: ET.Element, prefix: str, note: _Note) -> None:
    """`↩ a b …` at the end of the note: one link back to each call, lettered in order."""
    last = element[-1] if element[-1].tag == "p" else ET.SubElement(element, "p")
    holder = ET.SubElement(last, "span", {"class": "note-backlinks"})
    holder.text = f" {BACK_ARROW} "
    for index in range(len(note.calls)):
        link = ET.SubElement(holder, "a", {"href": f"#{_call_id(prefix, note.number, index)}"})
        link.set("role", "doc-backlink")
        link.text = _letter(index)
        link.tail = " " if index < len(note.calls) - 1 else None


def _letter(index: int) -> str:
    """a … z, then aa, ab …: the call's letter in the note's list of back links."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def _drop_backrefs(note: ET.Element) -> None:
    """Remove Markdown's own back links (with the non-breaking space before them)."""
    for parent in list(note.iter()):
        for backref in [c for c in parent if "footnote-backref" in c.get("class", "")]:
            children = list(parent)
            position = children.index(backref)
            tail = (backref.tail or "").rstrip("\u00a0 ")
            if position:
                previous = children[position - 1]
                previous.tail = TRAILING_SPACE.sub("", (previous.tail or "") + tail)
            else:
                parent.text = TRAILING_SPACE.sub("", (parent.text or "") + tail)
            parent.remove(backref)
    for child in list(note):  # a paragraph that held nothing but the back link
        if child.tag == "p" and not len(child) and not TRAILING_SPACE.sub("", child.text or ""):
            note.remove(child)

"""Markdown → XHTML fragment. The only module that imports Python-Markdown.

Everything the book needs beyond plain Markdown happens here on the element tree, never on
strings: language-aware typography, book-wide unique ids, DPUB-ARIA footnotes, figures,
epigraphs and pull quotes, heading levels that fit under the review title.
"""

from __future__ import annotations

import html
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass

import markdown
from lxml import etree
from markdown import inlinepatterns
from markdown.extensions import Extension
from markdown.preprocessors import HtmlBlockPreprocessor
from markdown.treeprocessors import Treeprocessor

from .figures import mark_long_captions
from .linebreaks import break_urls
from .sanitize import sanitize_block, sanitize_tag
from .tables import mark_dense_tables
from .typography import smarten, smarten_segments

BLOCK_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "td", "th", "figcaption",
    "blockquote", "div", "ol", "ul", "dl", "table", "thead", "tbody", "tr", "section",
    "aside", "figure", "hr", "pre",
}  # fmt: skip
NO_TYPOGRAPHY = {"code", "pre", "kbd", "samp"}
XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
NAMED_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
EMPTY_PARAGRAPH = re.compile(r"<p>\s*</p>\n?")
NUMERIC_REFERENCE = re.compile(r"&#([xX][0-9A-Fa-f]{1,8}|[0-9]{1,10});")
EPUB_TYPE = "epub:type"
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
SAFE_SCHEMES = {"http", "https", "mailto"}


@dataclass(frozen=True)
class Fragment:
    html: str
    images: tuple[str, ...]  # image sources as written, in order
    footnotes: int


def render_markdown(
    source: str,
    lang: str,
    id_prefix: str,
    heading_offset: int,
    inline_notes: bool = False,
    resolve_image: Callable[[str], str] = str,
    raw_html: bool = True,
) -> Fragment:
    """Convert one manuscript body.

    `inline_notes` puts each note at its call (print footnotes); `resolve_image` maps an image
    source as written to the reference the output uses. `raw_html=False` shows raw HTML as
    text instead of sanitizing it.
    """
    engine, book = _engine(raw_html)
    book.configure(lang, id_prefix, heading_offset, inline_notes, resolve_image)
    try:
        converted = engine.convert(source)
    finally:
        engine.reset()
    # A raw block that sanitizes to nothing leaves an empty paragraph behind.
    body = EMPTY_PARAGRAPH.sub("", _literal_entities(converted))
    if raw_html and not _well_formed(body):
        # Tags that Markdown split across blocks (`<em>a` … `b</em>`): show them as text.
        return render_markdown(source, lang, id_prefix, heading_offset, inline_notes,
                               resolve_image, raw_html=False)  # fmt: skip
    return Fragment(body, tuple(book.images), book.notes)


_ENGINES = threading.local()  # one engine per thread: serve renders from two threads


def _engine(raw_html: bool) -> tuple[markdown.Markdown, _BookTree]:
    """A configured Markdown instance, made once and reset between documents.

    Building one costs about as much as converting a review, so it is reused.
    """
    engines: dict[bool, tuple[markdown.Markdown, _BookTree]] = getattr(_ENGINES, "by_mode", {})
    _ENGINES.by_mode = engines
    if raw_html not in engines:
        book = _BookExtension()
        engine = markdown.Markdown(
            extensions=["footnotes", "tables", "def_list", "attr_list", "sane_lists", book],
            extension_configs={
                "footnotes": {"BACKLINK_TEXT": "\u21a9\ufe0e", "SUPERSCRIPT_TEXT": "{}"}
            },
            output_format="xhtml",
        )
        if raw_html:
            # Raw HTML passes only through the allowlist of sanitize.py, as XHTML.
            engine.preprocessors.register(_SafeHtmlBlocks(engine), "html_block", 20)
            engine.inlinePatterns.register(
                _SafeHtmlInline(inlinepatterns.HTML_RE, engine), "html", 90
            )
        else:  # shown as text
            engine.preprocessors.deregister("html_block")
            engine.inlinePatterns.deregister("html")
        engines[raw_html] = (engine, book.processor)
    return engines[raw_html]


def _well_formed(body: str) -> bool:
    try:
        etree.fromstring(f'<div xmlns:epub="http://www.idpf.org/2007/ops">{body}</div>')
    except etree.XMLSyntaxError:
        return False
    return True


class _SafeHtmlBlocks(HtmlBlockPreprocessor):
    def run(self, lines: list[str]) -> list[str]:
        stash = self.md.htmlStash.rawHtmlBlocks
        start = len(stash)
        result = super().run(lines)
        for index in range(start, len(stash)):
            entry = stash[index]
            if isinstance(entry, str):
                stash[index] = sanitize_block(entry)
        return result


class _SafeHtmlInline(inlinepatterns.HtmlInlineProcessor):
    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[str, int, int]:
        placeholder, start, end = super().handleMatch(m, data)
        stash = self.md.htmlStash.rawHtmlBlocks
        if stash and isinstance(stash[-1], str):
            stash[-1] = sanitize_tag(stash[-1])
        return str(placeholder), int(start or 0), int(end or 0)


def _literal_entities(text: str) -> str:
    """Named entities are fatal in EPUB XHTML: turn each into its character."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in XML_ENTITIES:
            return match.group(0)
        char = html.unescape(match.group(0))
        return html.escape(char, quote=False) if char != match.group(0) else "&amp;" + name + ";"

    return NUMERIC_REFERENCE.sub(_valid_reference, NAMED_ENTITY.sub(replace, text))


def _valid_reference(match: re.Match[str]) -> str:
    """`&#0;`, `&#xD800;`, `&#x110000;` are fatal in XML: the replacement character instead."""
    digits = match.group(1)
    code = int(digits[1:], 16) if digits[0] in "xX" else int(digits)
    valid = code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
    return match.group(0) if valid or 0x10000 <= code <= 0x10FFFF else "\ufffd"


class _BookExtension(Extension):
    def __init__(self) -> None:
        super().__init__()
        self.processor = _BookTree()

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        self.processor.md = md
        # Priority below the footnotes extension's tree work, so notes exist when we run.
        md.treeprocessors.register(self.processor, "publisher-book", 1)


class _BookTree(Treeprocessor):
    def __init__(self) -> None:
        super().__init__()
        self.configure("en", "x", 0, False, str)

    def configure(
        self, lang: str, prefix: str, offset: int, inline_notes: bool, resolve: Callable[[str], str]
    ) -> None:
        """Set up for the next document; the engine is reused from one to the next."""
        self.lang, self.prefix, self.offset, self.inline_notes = lang, prefix, offset, inline_notes
        self.resolve = resolve
        self.images: list[str] = []
        self.notes = 0

    def run(self, root: ET.Element) -> None:
        self._typography(root)
        self._headings(root)
        self._figures(root)
        self._quotes(root)
        self._tables(root)
        self._footnotes(root)
        _safe_links(root)
        break_urls(root, self.lang)
        mark_dense_tables(root)
        mark_long_captions(root)

    # -- typography -------------------------------------------------------------------------
    def _typography(self, element: ET.Element) -> None:
        if element.tag in NO_TYPOGRAPHY:
            return
        if element.tag in BLOCK_TAGS or element.tag == "div":
            refs = list(_inline_text_slots(element))
            if refs:
                texts = smarten_segments([get() for get, _ in refs], self.lang)
                for (_, put), text in zip(refs, texts, strict=True):
                    put(text)
        for child in element:
            if child.tag in BLOCK_TAGS:
                self._typography(child)
        for attribute in ("alt", "title"):
            for node in element.iter("img"):
                if node.get(attribute):
                    node.set(attribute, smarten(node.get(attribute, ""), self.lang))

    # -- structure --------------------------------------------------------------------------
    def _headings(self, root: ET.Element) -> None:
        for node in root.iter():
            if re.fullmatch(r"h[1-6]", node.tag):
                level = min(6, int(node.tag[1]) + self.offset)
                node.tag = f"h{level}"

    def _figures(self, root: ET.Element) -> None:
        for paragraph in list(root.iter("p")):
            children = list(paragraph)
            lone_image = (
                len(children) == 1
                and children[0].tag == "img"
                and not (paragraph.text or "").strip()
                and not (children[0].tail or "").strip()
            )
            for image in paragraph.iter("img"):
                self.images.append(image.get("src", ""))
                image.set("src", self.resolve(image.get("src", "")))
            if not lone_image:
                continue
            image = children[0]
            paragraph.tag = "figure"
            image.tail = None
            caption = image.attrib.pop("title", None)
            if caption:
                ET.SubElement(paragraph, "figcaption").text = caption

    def _tables(self, root: ET.Element) -> None:
        # An empty header cell (a table's corner) is announced as a blank header: make it data.
        for head in root.iter("thead"):
            for cell in head.iter("th"):
                if not "".join(cell.itertext()).strip() and not len(cell):
                    cell.tag = "td"

    def _quotes(self, root: ET.Element) -> None:
        for index, quote in enumerate(root):
            if quote.tag != "blockquote":
                continue
            paragraphs = [child for child in quote if child.tag == "p"]
            if any("pullquote" in p.get("class", "") for p in paragraphs):
                quote.tag = "aside"
                quote.set("class", "pullquote")
                quote.set("role", "doc-pullquote")
                quote.set(EPUB_TYPE, "pullquote")
                for p in paragraphs:
                    p.attrib.pop("class", None)
            elif index == 0:
                quote.set("class", "epigraph")
                quote.set("role", "doc-epigraph")
                quote.set(EPUB_TYPE, "epigraph")
                if paragraphs:
                    _split_attribution(quote, paragraphs[-1])

    def _footnotes(self, root: ET.Element) -> None:
        container = next(
            (node for node in root if node.tag == "div" and node.get("class") == "footnote"), None
        )
        if container is None:
            return
        notes = {item.get("id", ""): item for item in container.iter("li")}
        self.notes = len(notes)
        for note in notes.values():
            for backref in list(note.iter("a")):
                if "footnote-backref" in backref.get("class", ""):
                    _remove(note, backref)
        for sup in list(root.iter("sup")):
            link = sup.find("a")
            if link is None or "footnote-ref" not in link.get("class", ""):
                continue
            note_id = link.get("href", "#")[1:]
            number = (link.text or "").strip()
            new_note_id = f"{self.prefix}-note-{number}"
            sup.set("id", f"{self.prefix}-noteref-{number}")
            sup.set("class", "noteref")
            link.attrib.clear()
            link.set("href", f"#{new_note_id}")
            link.set("role", "doc-noteref")
            link.set(EPUB_TYPE, "noteref")
            link.text = number
            notes[note_id].set("id", new_note_id)
            if self.inline_notes:
                _inline_note(sup, notes[note_id])
        root.remove(container)
        if self.inline_notes:
            return
        section = ET.SubElement(root, "section", {"class": "footnotes", "role": "doc-endnotes"})
        section.set(EPUB_TYPE, "footnotes")
        for note in notes.values():
            note.tag = "aside"
            note.set("role", "doc-footnote")
            note.set(EPUB_TYPE, "footnote")
            note.set("class", "footnote")
            marker = ET.Element(
                "a", {"href": f"#{note.get('id', '').replace('-note-', '-noteref-')}"}
            )
            marker.set("class", "note-number")
            marker.text = note.get("id", "").rsplit("-", 1)[-1]
            marker.tail = ". " + (note[0].text or "") if len(note) else ". "
            if len(note):
                note[0].text = None
                note[0].insert(0, marker)
            section.append(note)


def _safe_links(root: ET.Element) -> None:
    """A Markdown link can name any URL: `javascript:` and the like lose their href."""
    for link in root.iter("a"):
        href = link.get("href", "").strip()
        scheme = SCHEME.match(href)
        if scheme and scheme.group(1).lower() not in SAFE_SCHEMES:
            del link.attrib["href"]


def _split_attribution(quote: ET.Element, last: ET.Element) -> None:
    """`> verse` + `> --- Author` arrive as one paragraph; give the source its own line."""
    if (last.text or "").startswith("\u2014") and len(quote) > 1:
        last.set("class", "epigraph-source")
        return
    holder, attribute = (last[-1], "tail") if len(last) else (last, "text")
    text = getattr(holder, attribute) or ""
    head, separator, source = text.rpartition("\n\u2014")
    if not separator:
        return
    setattr(holder, attribute, head)
    ET.SubElement(quote, "p", {"class": "epigraph-source"}).text = "\u2014" + source


def _inline_note(sup: ET.Element, note: ET.Element) -> None:
    """Print: the note's text rides inside the call, and CSS floats it to the page foot."""
    note_id = note.get("id", "")
    sup.clear()
    sup.tag = "span"
    sup.set("class", "footnote")
    sup.set("id", note_id)
    for paragraph in note:
        paragraph.tag = "span"
        paragraph.set("class", "footnote-para")
        sup.append(paragraph)


def _remove(parent: ET.Element, target: ET.Element) -> None:
    for node in parent.iter():
        if target in list(node):
            previous = None
            for child in node:
                if child is target:
                    break
                previous = child
            tail = (target.tail or "").rstrip("\u00a0 ")
            # The footnotes extension puts a stashed &#160; before the back link; drop it too.
            strip = re.compile(r"(\x02\w+\x03|[\u00a0 ])+$")
            if previous is not None:
                previous.tail = strip.sub("", (previous.tail or "") + tail)
            else:
                node.text = strip.sub("", (node.text or "") + tail)
            node.remove(target)
            return


def _inline_text_slots(element: ET.Element):  # type: ignore[no-untyped-def]
    """Yield (getter, setter) pairs for each text run of `element` up to nested blocks."""

    def text_slot(node: ET.Element):  # type: ignore[no-untyped-def]
        return (lambda: node.text or "", lambda value: setattr(node, "text", value))

    def tail_slot(node: ET.Element):  # type: ignore[no-untyped-def]
        return (lambda: node.tail or "", lambda value: setattr(node, "tail", value))

    yield text_slot(element)
    for child in element:
        if child.tag in BLOCK_TAGS:
            continue  # handled on its own; its tail belongs to a different run
        if child.tag not in NO_TYPOGRAPHY:
            yield from _inline_text_slots(child)
        yield tail_slot(child)

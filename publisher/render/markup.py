"""Markdown → XHTML fragment. The only module that imports Python-Markdown.

Everything the book needs beyond plain Markdown happens here on the element tree, never on
strings: language-aware typography, book-wide unique ids, DPUB-ARIA footnotes, figures,
epigraphs and pull quotes, heading levels that fit under the review title.

Length: one Python-Markdown extension (`_BookTree` and the hooks it needs) that only makes
sense whole; split, each half would reach into the other's engine state.
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
from markdown import inlinepatterns, util
from markdown.extensions import Extension
from markdown.preprocessors import HtmlBlockPreprocessor
from markdown.treeprocessors import Treeprocessor

from ..base.links import LinkPlan
from ..base.sanitize import sanitize_block, sanitize_tag
from ..base.xmlnames import OPS_NS
from .figures import mark_long_captions
from .italics import mark_italic_ends
from .linebreaks import break_urls
from .notes import number_notes
from .tables import mark_dense_tables
from .textruns import RawSpans, Slot, smarten_block, text_slots
from .typography import Run, smarten, smarten_runs

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
# fenced_code: what load/body.FENCE masks as code (no raw HTML there) is code in the book too.
EXTENSIONS = ("footnotes", "tables", "def_list", "attr_list", "sane_lists", "fenced_code")


@dataclass(frozen=True)
class Fragment:
    html: str
    images: tuple[str, ...]  # image sources as written, in order
    footnotes: int
    headings: tuple[str, ...] = ()  # each heading's plain text, in order (see `survey`)
    links: tuple[str, ...] = ()  # each link's href as parsed, in order, footnote calls aside


def render_markdown(
    source: str,
    lang: str,
    id_prefix: str,
    heading_offset: int,
    inline_notes: bool = False,
    resolve_image: Callable[[str], str] = str,
    raw_html: bool = True,
    links: LinkPlan | None = None,
) -> Fragment:
    """Convert one manuscript body.

    `inline_notes` puts each note at its call (print footnotes); `resolve_image` maps an image
    source as written to the reference the output uses. `raw_html=False` shows raw HTML as
    text instead of sanitizing it. `links` (links.py) gives the body headings their ids and
    the links their edition's hrefs; without it they are left as Markdown made them.
    """
    engine, book = _engine(raw_html)
    book.configure(lang, id_prefix, heading_offset, inline_notes, resolve_image)
    book.links = links
    try:
        converted = engine.convert(source)
    finally:
        engine.reset()
    # A raw block that sanitizes to nothing leaves an empty paragraph behind.
    body = EMPTY_PARAGRAPH.sub("", _literal_entities(converted))
    if raw_html and not _well_formed(body):
        # Tags that Markdown split across blocks (`<em>a` … `b</em>`): show them as text.
        return render_markdown(source, lang, id_prefix, heading_offset, inline_notes,
                               resolve_image, raw_html=False, links=links)  # fmt: skip
    return Fragment(
        body, tuple(book.images), book.notes, tuple(book.heading_texts), tuple(book.hrefs)
    )


def survey(source: str, lang: str) -> Fragment:
    """Parse a body as the book will (for `check`): its `headings` and `links` are what the
    renderer will see, in the same order, so links.py can give ids and resolve links once."""
    return render_markdown(source, lang, "x", 1)


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
            extensions=[*EXTENSIONS, book],
            extension_configs={
                "footnotes": {"BACKLINK_TEXT": "\u21a9\ufe0e", "SUPERSCRIPT_TEXT": "{}"}
            },
            output_format="xhtml",
        )
        if raw_html:
            # Raw HTML passes only through the allowlist of sanitize.py, as XHTML.
            engine.preprocessors.register(_SafeHtmlBlocks(engine, book.processor), "html_block", 20)
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
        etree.fromstring(f'<div xmlns:epub="{OPS_NS}">{body}</div>')
    except etree.XMLSyntaxError:
        return False
    return True


class _SafeHtmlBlocks(HtmlBlockPreprocessor):
    def __init__(self, md: markdown.Markdown, book: _BookTree) -> None:
        super().__init__(md)
        self.book = book  # for the document's language

    def run(self, lines: list[str]) -> list[str]:
        stash = self.md.htmlStash.rawHtmlBlocks
        start = len(stash)
        result = super().run(lines)
        for index in range(start, len(stash)):
            entry = stash[index]
            if isinstance(entry, str):
                stash[index] = smarten_block(
                    sanitize_block(entry), self.book.lang, BLOCK_TAGS, NO_TYPOGRAPHY
                )
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
        self.links: LinkPlan | None = None
        self.heading_texts: list[str] = []
        self.hrefs: list[str] = []

    def run(self, root: ET.Element) -> None:
        self._anchors(root)
        self._typography(root)
        self._headings(root)
        self._figures(root)
        self._quotes(root)
        self._tables(root)
        self._footnotes(root)
        _safe_links(root)
        break_urls(root, self.lang)
        mark_italic_ends(root, BLOCK_TAGS)
        mark_dense_tables(root)
        mark_long_captions(root)

    # -- typography -------------------------------------------------------------------------
    def _typography(self, element: ET.Element, lang: str | None = None) -> None:
        """Smarten each block's text, run by run in the language of its element or `lang` span
        (a `lang` attribute from attr_list, or a raw `<span lang="…">` stashed by Markdown)."""
        if element.tag in NO_TYPOGRAPHY:
            return
        lang = element.get("lang") or lang or self.lang
        if element.tag in BLOCK_TAGS:
            slots = list(text_slots(element, lang, BLOCK_TAGS, NO_TYPOGRAPHY))
            if slots:
                self._smarten_slots(slots)
        for child in element:
            if child.tag in BLOCK_TAGS:
                self._typography(child, lang)
        for attribute in ("alt", "title"):
            for node in element.iter("img"):
                if node.get(attribute):
                    node.set(attribute, smarten(node.get(attribute, ""), node.get("lang") or lang))

    def _smarten_slots(self, slots: list[Slot]) -> None:
        """Split the slots' text at stashed inline tags, tag each piece with its language."""
        stash = self.md.htmlStash.rawHtmlBlocks
        spans = RawSpans()
        runs: list[Run] = []
        counts: list[int] = []
        for slot in slots:
            if slot.verbatim:
                runs.append(Run(slot.get(), slot.lang, True, slot.get()))
                counts.append(1)
                continue
            pieces = util.HTML_PLACEHOLDER_RE.split(slot.get())
            counts.append(len(pieces))
            for position, piece in enumerate(pieces):
                if position % 2 == 0:
                    code = spans.inside(NO_TYPOGRAPHY)
                    runs.append(Run(piece, spans.lang(slot), code, piece))
                    continue
                entry = stash[int(piece)] if int(piece) < len(stash) else ""
                raw = entry if isinstance(entry, str) else ""
                spans.tag(raw, slot)
                shown = "" if raw.startswith("<") else html.unescape(raw)  # an entity
                runs.append(Run(util.HTML_PLACEHOLDER % piece, slot.lang, True, shown))
        texts = iter(smarten_runs(runs))
        for slot, count in zip(slots, counts, strict=True):
            slot.put("".join(next(texts) for _ in range(count)))

    # -- links ------------------------------------------------------------------------------
    def _anchors(self, root: ET.Element) -> None:
        """Record headings and links as parsed; with a plan, set heading ids and link hrefs.

        Runs first, before footnotes and typography change the tree, so `survey` at check and
        the render of every edition see the same headings and hrefs.
        """
        headings = [node for node in root.iter() if re.fullmatch(r"h[1-6]", node.tag)]
        self.heading_texts = [_heading_text(node) for node in headings]
        ids = self.links.heading_ids if self.links is not None else ()
        for node, heading_id in zip(headings, ids, strict=False):
            node.set("id", heading_id)
        hrefs = dict(self.links.hrefs) if self.links is not None else {}
        for link in root.iter("a"):
            if "footnote-" in link.get("class", "") or "href" not in link.attrib:
                continue
            href = _parsed_href(link.get("href", ""))
            self.hrefs.append(href)
            if href in hrefs:
                target = hrefs[href]
                if target is None:
                    del link.attrib["href"]
                else:
                    link.set("href", target)

    # -- structure --------------------------------------------------------------------------
    def _headings(self, root: ET.Element) -> None:
        for node in root.iter():
            if re.fullmatch(r"h[1-6]", node.tag):
                level = min(6, int(node.tag[1]) + self.offset)
                node.tag = f"h{level}"

    def _figures(self, root: ET.Element) -> None:
        # Every image is resolved, wherever it stands (a tight list item or a table cell has no
        # paragraph around it); only one alone in its paragraph becomes a figure.
        for image in root.iter("img"):
            self.images.append(image.get("src", ""))
            image.set("src", self.resolve(image.get("src", "")))
        for paragraph in list(root.iter("p")):
            children = list(paragraph)
            lone_image = (
                len(children) == 1
                and children[0].tag == "img"
                and not (paragraph.text or "").strip()
                and not (children[0].tail or "").strip()
            )
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
        self.notes = number_notes(root, self.prefix, self.inline_notes)


def _heading_text(heading: ET.Element) -> str:
    """A heading's words without its footnote calls' numbers (ids must not carry them)."""

    def words(node: ET.Element) -> list[str]:
        parts = [node.text or ""]
        for child in node:
            call = child.tag == "sup" and any(
                "footnote-ref" in link.get("class", "") for link in child.iter("a")
            )
            if not call:
                parts.extend(words(child))
            parts.append(child.tail or "")
        return parts

    return "".join(words(heading))


def _parsed_href(href: str) -> str:
    """An email autolink's href arrives as stashed character references: decode it."""
    if util.AMP_SUBSTITUTE in href:
        return html.unescape(href.replace(util.AMP_SUBSTITUTE, "&"))
    return href


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

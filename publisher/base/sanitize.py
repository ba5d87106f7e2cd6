"""Raw HTML in manuscripts, cut down to an allowlist (nh3) and re-serialized as XHTML.

Pasted HTML is untrusted: no scripts, frames, forms or embeds, no event handlers, no `style`
(it can load resources), no `javascript:` links, no images (those come from Markdown, checked
by the loader). What is left is harmless phrasing and structure, and `lang` on any element
(with `xml:lang` beside it, for the EPUB's XHTML).
"""

from __future__ import annotations

import re

import lxml.html
import nh3
from lxml import etree

from .text import LANG_TAG
from .xmlnames import XML_LANG

INLINE_TAGS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "del", "dfn", "em", "i", "ins", "kbd",
    "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
})  # fmt: skip
BLOCK_TAGS = frozenset({
    "blockquote", "dd", "div", "dl", "dt", "hr", "li", "ol", "p", "pre", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "ul", "caption",
})  # fmt: skip
ALLOWED_TAGS = INLINE_TAGS | BLOCK_TAGS
GENERIC_ATTRIBUTES = frozenset({"lang", "title", "dir"})
ATTRIBUTES: dict[str, set[str]] = {
    "*": set(GENERIC_ATTRIBUTES),
    "a": {"href"},
    "time": {"datetime"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "reversed"},
}
URL_SCHEMES = {"http", "https", "mailto"}
EXTERNAL_HREF = re.compile(r"^\s*(?:https?|mailto):", re.I)
VOID = frozenset({"br", "hr"})
OPEN_TAG = re.compile(r"^<([A-Za-z][A-Za-z0-9]*)\b")
CLOSE_TAG = re.compile(r"^</\s*([A-Za-z][A-Za-z0-9]*)\s*>$")


def _attribute(element: str, attribute: str, value: str) -> str | None:
    if attribute == "lang" and not LANG_TAG.match(value):
        return None
    if attribute == "dir" and value not in ("ltr", "rtl", "auto"):
        return None
    if attribute == "href" and not EXTERNAL_HREF.match(value):
        # A link within the book is written in Markdown, where links.py checks and resolves
        # it per edition; a raw `<a href="other.md">` would be a dead link in the EPUB.
        return None
    return value


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
        attribute_filter=_attribute,
    )


def _xhtml(element: etree._Element) -> str:
    for node in element.iter():
        if isinstance(node.tag, str) and node.get("lang"):
            node.set(XML_LANG, node.get("lang", ""))
    return etree.tostring(element, method="xml", encoding="unicode", with_tail=False)


def sanitize_block(html: str) -> str:
    """A block of raw HTML → allowed elements only, as well-formed XHTML."""
    cleaned = _clean(html)
    if not cleaned.strip():
        return ""
    holder = lxml.html.fragment_fromstring(cleaned, create_parent="div")
    out = [_escape(holder.text or "")]
    for child in holder:
        out.append(_xhtml(child) + _escape(child.tail or ""))
    return "".join(out)


def sanitize_tag(tag: str) -> str:
    """One inline tag as Python-Markdown stashes it (`<span lang="en">`, `</span>`)."""
    closing = CLOSE_TAG.match(tag)
    if closing:
        name = closing.group(1).lower()
        return f"</{name}>" if name in INLINE_TAGS and name not in VOID else ""
    opening = OPEN_TAG.match(tag)
    if not opening or opening.group(1).lower() not in INLINE_TAGS:
        return ""
    name = opening.group(1).lower()
    cleaned = _clean(tag if name in VOID else f"{tag}</{name}>")
    if not cleaned:
        return ""
    element = lxml.html.fragment_fromstring(cleaned)
    text = _xhtml(element)
    # `<span lang="en"></span>` → the opening tag alone; the closing tag is its own stash entry.
    return text if name in VOID else re.sub(r"(/>|></\w+>)$", ">", text)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

"""The XML names the book's files use, written once: XHTML, EPUB's `epub:` attributes (OPS),
and `xml:lang`. Clark notation (`{namespace}name`) is what lxml and ElementTree take."""

from __future__ import annotations

XHTML_NS = "http://www.w3.org/1999/xhtml"
OPS_NS = "http://www.idpf.org/2007/ops"  # EPUB 3 Content Documents, `epub:type`
XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_LANG = f"{{{XML_NS}}}lang"
EPUB_TYPE = f"{{{OPS_NS}}}type"

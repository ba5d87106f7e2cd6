"""What an edition prints, as one sequence of word keys in reading order.

* PDF: poppler's `pdftotext -raw`: the text in the order the page draws it, which is the
  document order for WeasyPrint (body lines, then the page's footnotes). Its default "reading
  order" guesses columns from geometry and misorders a line that holds an inline image or a
  two-column film card. It reads a 75-page book in under 0.1 s; its output keeps line ends, so
  a word the typesetter broke at a line end (`fran‐` / `quista`) is recognised
  (`Edition.fragment`).
* EPUB: the XHTML documents of the spine, in spine order (OPF `<spine>`, EPUB 3.3 §5.6).
* HTML: the one file's `<body>`.

Extraction never uses WeasyPrint: the edition is read as any reader's software would read it.
"""

from __future__ import annotations

import bisect
import posixpath
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
from lxml import etree

from .runner import run_tool
from .words import BROKEN_LINE_END, element_text, keys

# Never printed: document metadata, scripts and styles.
UNPRINTED = frozenset({"head", "script", "style", "template", "title"})
_OPF_NS = {"opf": "http://www.idpf.org/2007/opf"}
_CONTAINER_NS = {"c": "urn:oasis:names:tc:opendocument:xmlns:container"}
PDFTOTEXT_TIMEOUT_S = 120.0
LETTERS = 24  # the longest letter-spaced word recognised


class ExtractionError(Exception):
    """The edition could not be read (missing tool, broken file); the message says why."""


@dataclass
class Edition:
    """An edition's words: `keys[i]` is the i-th word; `fragment[i]` is True when that word was
    broken at a line end (it ends in a hyphen there), so the next words may complete it."""

    keys: list[str] = field(default_factory=list)
    fragment: list[bool] = field(default_factory=list)
    positions: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    # Adjacent words spelled as one, as (first index, index after): a word that kerning or a
    # line-end hyphen split in two (`filmograf ía`, `fran‐ quista`), or letter-spaced capitals
    # (`N O T A E D I T O R I A L`: any run of single letters may spell a word).
    pieces: dict[str, list[tuple[int, int]]] = field(default_factory=lambda: defaultdict(list))

    def add_text(self, text: str, broken: bool = False) -> None:
        found = keys(text)
        base = len(self.keys)
        for index, key in enumerate(found):
            at = len(self.keys)
            if at:
                self.pieces[self.keys[-1] + key].append((at - 1, at + 1))
            self.positions[key].append(at)
            if key.isdigit() and len(key) > 2:
                # A number with a note call after it prints as one run of digits (`1973` +
                # call `1`: `19731`): the number is read there too, with a call of 1 or 2 digits.
                for call in (1, 2):
                    if len(key) - call >= 2:
                        self.positions[key[:-call]].append(at)
            self.keys.append(key)
            self.fragment.append(broken and index == len(found) - 1)
        if sum(len(key) == 1 for key in found) < 3:
            return
        run = 0
        for index in range(len(found) + 1):
            if index < len(found) and len(found[index]) == 1:
                run += 1
                continue
            for first in range(index - run, index) if run >= 3 else ():
                for after in range(first + 3, min(index, first + LETTERS) + 1):
                    spelled = "".join(found[first:after])
                    bisect.insort(self.pieces[spelled], (base + first, base + after))
            run = 0


def read_edition(path: Path) -> Edition:
    """The words of `path` by its kind (`.pdf`, `.epub`, `.html`/`.xhtml`).

    Raises ExtractionError when the file cannot be read or the extractor is missing.
    """
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return pdf_words(path)
    if suffix == ".epub":
        return epub_words(path)
    if suffix in (".html", ".htm", ".xhtml"):
        return html_words(path.read_bytes())
    raise ExtractionError(f"no text extractor for `{suffix}` files")


def pdf_words(path: Path) -> Edition:
    done = run_tool(["pdftotext", "-raw", "-enc", "UTF-8", "-q", path, "-"], PDFTOTEXT_TIMEOUT_S)
    if isinstance(done, str):
        raise ExtractionError(done)
    if done.returncode != 0:
        raise ExtractionError(f"pdftotext failed (exit {done.returncode}): {done.stderr[-300:]}")
    edition = Edition()
    for line in done.stdout.splitlines():
        edition.add_text(line, broken=BROKEN_LINE_END.search(line) is not None)
    return edition


def html_words(data: bytes) -> Edition:
    edition = Edition()
    try:
        document = lxml.html.document_fromstring(data)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"cannot parse the HTML: {exc}") from None
    body = document.find("body")
    edition.add_text(element_text(body if body is not None else document, UNPRINTED))
    return edition


def epub_words(path: Path) -> Edition:
    edition = Edition()
    try:
        with zipfile.ZipFile(path) as archive:
            for name in spine(archive):
                root = etree.fromstring(archive.read(name))
                edition.add_text(element_text(root, UNPRINTED))
    except (OSError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError) as exc:
        raise ExtractionError(f"cannot read the EPUB: {exc}") from None
    return edition


def spine(archive: zipfile.ZipFile) -> list[str]:
    """Archive names of the spine's documents, in reading order."""
    container = etree.fromstring(archive.read("META-INF/container.xml"))
    opf_name = container.xpath("string(//c:rootfile/@full-path)", namespaces=_CONTAINER_NS)
    opf = etree.fromstring(archive.read(str(opf_name)))
    base = posixpath.dirname(str(opf_name))
    hrefs = {
        item.get("id"): item.get("href", "")
        for item in opf.iterfind("opf:manifest/opf:item", _OPF_NS)
    }
    names = []
    for itemref in opf.iterfind("opf:spine/opf:itemref", _OPF_NS):
        href = hrefs.get(itemref.get("idref"))
        if href:
            names.append(posixpath.normpath(posixpath.join(base, href.split("#")[0])))
    return names

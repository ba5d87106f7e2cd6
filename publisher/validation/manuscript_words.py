"""What the book must print, as word streams read from the manuscripts, each word with its line.

The Markdown is read here by a second, independent parser (markdown-it-py, CommonMark with the
table, footnote and definition-list plugins), not by `markup.py`: a word our own Markdown
processing loses is then still expected, and missed. Python-Markdown and CommonMark differ in
structure at the edges (list indents, HTML block ends), not in which words a text holds, and
structure does not matter here: only words and their order.

What Markdown holds that prints no words: link and image URLs, reference definitions, image alt
text (an attribute, not print; a lone image's title prints as its caption), raw HTML tags, and
what the sanitizer (`sanitize.py`, nh3) drops with its content (scripts, styles...), attribute
lists (`{: .pullquote}`, Python-Markdown's attr_list). A footnote is its own stream: PDFs print
it at the page foot, EPUB and HTML at the end of the document.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from lxml import etree
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin

from ..base.model import Anthology, FrontPiece, Manuscript, Part
from ..load.frontmatter import FrontMatterError, parse_fields, split_front_matter
from .words import Word, element_text
from .words import words as _words

# Text under an explicit bidi override (RLO/LRO … PDF, Unicode UAX #9 §2.2) is printed with its
# characters reordered, as asked: a PDF's text layer holds it in that visual order, so it cannot
# be read back as the words written. It is left out of the expected words.
_OVERRIDDEN = re.compile("[\u202d\u202e][^\u202c\n]*\u202c?")


def words(text: str, line: int) -> Iterator[Word]:
    return _words(_OVERRIDDEN.sub(" ", text), line)


# Raw HTML whose content never prints: the sanitizer drops it with its tag, or it is not text.
SILENT_HTML = frozenset({
    "script", "style", "template", "iframe", "noscript", "textarea", "title", "xmp", "noembed",
    "noframes", "plaintext", "object", "svg", "math", "select", "head", "option",
})  # fmt: skip
_ATTR_LIST = re.compile(r"\{:?[ ]*[#.:]?[A-Za-z_][^}\n]*\}|\{:[^}\n]*\}")
_OPEN_TAG = re.compile(r"<\s*([A-Za-z][A-Za-z0-9]*)")
_CLOSE_TAG = re.compile(r"<\s*/\s*([A-Za-z][A-Za-z0-9]*)")


class Anchor(enum.Enum):
    """Where in an edition a stream is looked for."""

    FIELD = "field"  # printed near the section's start, in no fixed order with the rest
    BODY = "body"  # the running text: sections follow each other in book order
    NOTE = "note"  # after its section's body starts (page foot, or the document's end)


@dataclass(frozen=True)
class Stream:
    path: str  # the manuscript, as messages show it
    what: str  # "body", "note 2", "film.title"...
    anchor: Anchor
    words: tuple[Word, ...]


@dataclass(frozen=True)
class Section:
    """One document of the book (title page, front piece, part, review) and what it prints."""

    name: str
    streams: tuple[Stream, ...]


def book_streams(anthology: Anthology) -> tuple[Section, ...]:
    """Every stream the book prints, section by section in reading order."""
    spec = anthology.spec
    shown = str(spec.path)
    toml = _toml_lines(spec.root / spec.path)
    title_page = [
        _field(shown, "title", spec.title, toml.get("title", 1)),
        _field(shown, "subtitle", spec.subtitle, toml.get("subtitle", 1)),
        _field(shown, "editors", " ".join(spec.editors), toml.get("editors", 1)),
        _field(shown, "publisher", spec.publisher, toml.get("publisher", 1)),
    ]
    sections = [Section("title-page", tuple(s for s in title_page if s.words))]
    sections.extend(_front(piece, spec.root) for piece in anthology.front)
    part_lines = {part.id: part.line for part in spec.parts}
    for part in anthology.parts:
        sections.append(_part(part, shown, part_lines.get(part.id, 1)))
        sections.extend(_review(review.manuscript, spec.root, spec.editors)
                        for review in part.reviews)  # fmt: skip
    return tuple(sections)


def _field(path: str, what: str, value: str | None, line: int) -> Stream:
    return Stream(path, what, Anchor.FIELD, tuple(words(value or "", line)))


def _toml_lines(path: Path) -> dict[str, int]:
    """Line of each top-level `key =` of the anthology file (first occurrence)."""
    found: dict[str, int] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return found
    for number, text in enumerate(lines, 1):
        if text.lstrip().startswith("["):
            break
        key = text.split("=", 1)[0].strip()
        if "=" in text and key not in found:
            found[key] = number
    return found


def _field_lines(path: Path) -> dict[str, int]:
    """Line of each front-matter key (`film.title` for nested ones); empty if unreadable."""
    try:
        split = split_front_matter(path.read_text(encoding="utf-8-sig"))
        fields = parse_fields(split.yaml_text or "")
    except (OSError, UnicodeDecodeError, FrontMatterError):
        return {}
    lines = {}
    for key, field in fields.items():
        lines[key] = field.line
        for child, sub in (field.children or {}).items():
            lines[f"{key}.{child}"] = sub.line
    return lines


def _review(manuscript: Manuscript, root: Path, editors: Sequence[str]) -> Section:
    path, film = str(manuscript.path), manuscript.film
    at = _field_lines(root / manuscript.path)
    fields = [
        ("title", manuscript.title),
        ("summary", manuscript.summary),
        ("author", manuscript.author or " ".join(editors)),
        ("film.title", film.title),
        ("film.original_title", film.original_title),
        ("film.year", str(film.year)),
        ("film.directors", " ".join(film.directors)),
        ("film.cast", " ".join(film.cast)),
        ("film.country", film.country),
        ("film.runtime_min", str(film.runtime_min) if film.runtime_min else None),
    ]
    streams = [_field(path, key, value, at.get(key, 1)) for key, value in fields]
    streams.extend(markdown_streams(manuscript.body, manuscript.body_line, path))
    return Section(manuscript.slug, tuple(s for s in streams if s.words))


def _front(piece: FrontPiece, root: Path) -> Section:
    path = str(piece.path)
    at = _field_lines(root / piece.path)
    streams = [
        _field(path, "title", piece.title, at.get("title", 1)),
        _field(path, "author", piece.author, at.get("author", 1)),
        *markdown_streams(piece.body, piece.body_line, path),
    ]
    return Section(piece.slug, tuple(s for s in streams if s.words))


def _part(part: Part, path: str, line: int) -> Section:
    streams = [_field(path, f"part {part.id} title", part.title, line)]
    if part.intro:
        streams.extend(markdown_streams(part.intro, line, path))
    return Section(f"part-{part.id}", tuple(s for s in streams if s.words))


# Python-Markdown as markup.py configures it has fenced code (its `fenced_code` extension) and
# makes a link of any URL (markup._safe_links then drops a dangerous href, keeping the link text).
_PARSER = MarkdownIt("commonmark").enable("table")
# …but Python-Markdown's fence needs its closing fence; CommonMark's runs to the end of the
# document. An opening fence with no closing one is text there: escape it here.
_FENCE_LINE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.M)
_PARSER.use(footnote_plugin, inline=False).use(deflist_plugin)
_PARSER.validateLink = lambda url: True  # type: ignore[method-assign]


def markdown_streams(source: str, first_line: int, path: str) -> list[Stream]:
    """The body's words as one BODY stream, then one NOTE stream per footnote definition.

    `first_line` is the file line where `source` starts.
    """
    body: list[Word] = []
    notes: list[Stream] = []
    note: list[Word] | None = None
    label = ""
    line = first_line
    for token in _PARSER.parse(_unclosed_fences_escaped(source)):
        if token.map is not None:
            line = first_line + token.map[0]
        if token.type == "footnote_open":
            note, label = [], str(token.meta.get("label", ""))
        elif token.type == "footnote_close" and note is not None:
            notes.append(Stream(path, f"note [^{label}]", Anchor.NOTE, tuple(note)))
            note = None
        else:
            (body if note is None else note).extend(_token_words(token, line))
    return [Stream(path, "body", Anchor.BODY, tuple(body)), *notes]


def _unclosed_fences_escaped(source: str) -> str:
    """`source` with each opening code fence that is never closed turned into text (`\\```)."""
    fences = list(_FENCE_LINE.finditer(source))
    unclosed: list[int] = []
    index = 0
    while index < len(fences):
        opening = fences[index].group(1)
        closing = next(
            (
                later
                for later in range(index + 1, len(fences))
                if fences[later].group(1).startswith(opening)
                and not source[fences[later].end() :].split("\n", 1)[0].strip()
            ),
            None,
        )
        if closing is None:
            unclosed.append(fences[index].start(1))
            index += 1
        else:
            index = closing + 1
    for start in reversed(unclosed):
        source = source[:start] + "\\" + source[start:]
    return source


def _token_words(token: Token, line: int) -> Iterator[Word]:
    if token.type == "inline":
        yield from _inline_words(token.children or [], line)
    elif token.type in ("code_block", "fence"):
        yield from words(token.content, line + (token.type == "fence"))
    elif token.type == "html_block":
        yield from words(_html_text(token.content), line)


def _inline_words(children: Sequence[Token], line: int) -> Iterator[Word]:
    """Words of one paragraph, heading or cell: text runs joined as printed (`*pala*bra` is
    one word), split where the source breaks a line or a note is called."""
    lone_image = [c for c in children if c.type != "text" or c.content.strip()]
    if len(lone_image) == 1 and lone_image[0].type == "image":
        # A lone image becomes a figure whose caption is its title (markup._figures).
        yield from words(str(lone_image[0].attrs.get("title") or ""), line)
        return
    run: list[str] = []
    silent: list[str] = []  # open raw tags whose content does not print

    def flush() -> Iterator[Word]:
        text = _ATTR_LIST.sub(" ", "".join(run))
        run.clear()
        yield from words(text, line)

    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            yield from flush()
            line += 1
        elif child.type == "footnote_ref":
            yield from flush()
        elif child.type == "image":
            run.append(" ")  # alt text is an attribute: nothing printed
        elif child.type == "html_inline":
            _track_silent(child.content, silent)
        elif child.type in ("text", "code_inline") and not silent:
            run.append(child.content)
            line_breaks = child.content.count("\n")
            if line_breaks:
                yield from flush()
                line += line_breaks
    yield from flush()


def _track_silent(tag: str, silent: list[str]) -> None:
    opened, closed = _OPEN_TAG.match(tag), _CLOSE_TAG.match(tag)
    if opened and opened.group(1).lower() in SILENT_HTML and not tag.rstrip().endswith("/>"):
        silent.append(opened.group(1).lower())
    elif closed and silent and closed.group(1).lower() == silent[-1]:
        silent.pop()


def _html_text(html: str) -> str:
    """The text a raw HTML block prints once sanitized: tags, comments and silent elements
    gone. Blocks are separated by newlines (lines stay roughly where they were)."""
    try:
        fragments = lxml.html.fragments_fromstring(html)
    except (etree.ParserError, ValueError):
        return ""
    out: list[str] = []
    for fragment in fragments:
        if isinstance(fragment, str):
            out.append(fragment)
            continue
        out.append(element_text(fragment, SILENT_HTML) + " " + (fragment.tail or ""))
    return " ".join(out)

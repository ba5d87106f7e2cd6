"""Checks on a manuscript body: limits, images, raw HTML, and its outline for links.

The limits are a scan of the text (no conversion), so a hostile body costs linear time; only a
body within them is parsed, once, by the renderer's Markdown reading (`render.survey`, handed
in by the pipeline as `survey`: this stage never imports the renderer), for its headings and
links (base/links.py resolves them once the book is assembled). Each problem is a
`Diagnostic` made where it is found, at its line and column in the whole file.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..base.access import Access, Refused
from ..base.diagnostics import Diagnostic, error, warning
from ..base.model import LinkUse, Outline
from ..base.placeholder import find_placeholder
from ..base.sanitize import ALLOWED_TAGS
from .images import check_image


class Parsed(Protocol):
    """What a body's Markdown reading gives back: headings' plain text and link targets, in
    the order the renderer will meet them."""

    @property
    def headings(self) -> tuple[str, ...]: ...

    @property
    def links(self) -> tuple[str, ...]: ...


# (body, language) → its reading: `render.survey`, the renderer's own Markdown reading.
Survey = Callable[[str, str], Parsed]

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^ {0,3}\1[ \t]*$|\Z)", re.M | re.S)
CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1", re.S)
NESTING = re.compile(r"^(?:[ \t]*(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t])))+", re.M)
INLINE_IMAGE = re.compile(r"!\[((?:[^\]\\\n]|\\.)*)\]\(\s*(<[^>\n]*>|[^\s)]+)")
REF_IMAGE = re.compile(r"!\[((?:[^\]\\\n]|\\.)*)\](?:\s?\[([^\]\n]*)\])?(?![(:])")
REF_DEFINITION = re.compile(r"^ {0,3}\[([^\]\n]+)\]:\s*(<[^>\n]*>|\S+)", re.M)
# Python-Markdown's AUTOLINK_RE and AUTOMAIL_RE (markdown/inlinepatterns.py): links, not HTML.
AUTOLINK = re.compile(r"<((?:[Ff]|[Hh][Tt])[Tt][Pp][Ss]?://[^<>]*)>|<([^<> !]+@[^@<> ]+)>")
INLINE_LINK_TARGET = re.compile(r"\]\(\s*(<[^>\n]*>|[^\s)]*)")
# An indented code block: a block of lines indented four spaces (or a tab) after a blank line.
INDENTED_CODE = re.compile(r"(?:\A|\n[ \t]*\n)((?:(?: {4}|\t)[^\n]*(?:\n|\Z)|[ \t]*\n)+)")
LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])[ \t]", re.M)
HTML_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)([^<>]*)>")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
RAW_HREF = re.compile(r"""\shref\s*=\s*["']?([^"'\s>]*)""", re.I)
RISKY_ATTRIBUTE = re.compile(r"""\s(on[a-z]+|style|src|srcset)\s*=""", re.I)
BLANK_LINES = re.compile(r"\n[ \t]*\n")
OPENERS = {"[": "]", "(": ")", "<": ">"}


@dataclass(frozen=True)
class Checked:
    """What `check_body` found: problems, and the outline links.py needs (empty when a limit
    stopped the check before parsing)."""

    diagnostics: list[Diagnostic]
    outline: Outline


class _Positions:
    def __init__(self, body: str, body_line: int) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", body)]
        self.body_line = body_line

    def at(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        return self.body_line + index, offset - self.starts[index] + 1


def check_body(
    body: str, body_line: int, base: Path, access: Access, lang: str, survey: Survey, shown: Path
) -> Checked:
    """Check one body (file line `body_line` is its first); `base` is its folder, for images;
    `shown` is the file's name in problems.

    Returns the problems and, when no limit stopped the check, the body's outline (headings
    and links, each link at its `line`:`col`) from one Markdown parse. Raises nothing.
    """
    where = _Positions(body, body_line)
    text = mask_code(body)
    structural = list(_structure(text, where, access, shown))
    if structural:
        # The rest would only repeat the cost the limits guard against.
        return Checked(structural, Outline())
    findings = [
        *_images(text, where, base, access, shown),
        *_raw_html(AUTOLINK.sub(_blank, text), where, shown),
        *_placeholder(text, where, shown),
    ]  # glyph-missing: glyphs.check_book, on everything the PDF typesets
    return Checked(findings, _outline(body, text, where, lang, survey))


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


@functools.lru_cache(maxsize=4)  # a body is masked by `check_body`, then by its loader
def mask_code(body: str) -> str:
    """Code is shown as written: blank it out (keeping offsets) so it is not scanned."""
    text = CODE_SPAN.sub(_blank, FENCE.sub(_blank, body))

    def indented(match: re.Match[str]) -> str:
        before = text[: match.start(1)].rstrip()
        last_block = before[before.rfind("\n\n") + 2 :] if "\n\n" in before else before
        if LIST_ITEM.search(last_block) or last_block.startswith((" " * 4, "\t")):
            return match.group(0)  # a list item's continuation, not code
        start = match.start(1) - match.start(0)
        return match.group(0)[:start] + re.sub(r"[^\n]", " ", match.group(1))

    return INDENTED_CODE.sub(indented, text)


def intro_outline(intro: str, line: int, survey: Survey) -> Outline:
    """A part's introduction (Markdown in the anthology file): its links, all placed at `line`,
    the part's table (the TOML string's own lines are not the file's)."""
    found = _outline(intro, mask_code(intro), _Positions(intro, line), "en", survey)
    return Outline(found.headings, tuple(LinkUse(use.href, line, 0) for use in found.links))


def _outline(body: str, text: str, where: _Positions, lang: str, survey: Survey) -> Outline:
    """Headings and links as Markdown parses them, each link placed where its target is
    written (an inline link's `(…)`, a reference definition, an autolink)."""
    parsed = survey(body, lang)
    # (target, offset, whether it is a reference definition, which any number of links use)
    written: list[tuple[str, int, bool]] = [
        (m.group(1).strip("<>"), m.start(1), False) for m in INLINE_LINK_TARGET.finditer(text)
    ]
    written += [(m.group(2).strip("<>"), m.start(2), True) for m in REF_DEFINITION.finditer(text)]
    for match in AUTOLINK.finditer(text):
        url = match.group(1) or match.group(2)
        if match.group(2) and not url.lower().startswith("mailto:"):
            url = "mailto:" + url
        written.append((url, match.start() + 1, False))
    places: dict[str, list[tuple[int, bool]]] = {}
    for target, offset, shared in sorted(written, key=lambda item: item[1]):
        places.setdefault(target, []).append((offset, shared))
    uses: list[LinkUse] = []
    after = 0  # links come in text order: the next one is written after the last one found
    for href in parsed.links:
        found = places.get(href, [])
        index = bisect.bisect_left(found, (after, False))
        if not found:
            uses.append(LinkUse(href, where.body_line, 0))
            continue
        if index < len(found):
            offset, shared = found[index]
        else:  # written before: a definition any link may use, or a repeat we lost track of
            offset, shared = next((place for place in found if place[1]), found[0])
        if not shared:
            after = offset + 1
        line, col = where.at(offset)
        uses.append(LinkUse(href, line, col))
    return Outline(parsed.headings, tuple(uses))


def _structure(text: str, where: _Positions, access: Access, shown: Path) -> Iterator[Diagnostic]:
    limits = access.limits
    for match in NESTING.finditer(text):
        prefix = match.group(0).expandtabs(4)
        indent = len(prefix) - len(prefix.lstrip())
        depth = len(re.findall(r"[>*+-]|\d[.)]", prefix)) + indent // 4
        if depth > limits.max_nesting_depth:
            line, col = where.at(match.start())
            yield error(
                shown, line, "markdown-too-deep",
                f"block quotes and lists nest {depth} deep here (limit {limits.max_nesting_depth})",
                col,
            )  # fmt: skip
            break
    start = 0
    for gap in [*BLANK_LINES.finditer(text), None]:
        end = gap.start() if gap else len(text)
        block = text[start:end]
        first = start + len(block) - len(block.lstrip())  # report the block's first text line
        if len(block) > limits.max_paragraph_chars:
            line, _ = where.at(first)
            yield error(
                shown, line, "paragraph-too-long",
                f"a paragraph of {len(block):,} characters (limit {limits.max_paragraph_chars:,})",
            )  # fmt: skip
        elif _scan_cost(block) > limits.max_inline_scan:
            line, _ = where.at(first)
            yield error(
                shown, line, "markdown-too-complex",
                "too many unclosed `[`, `(` or `<` in this paragraph to convert in reasonable"
                " time: close them, or escape them as `\\[`",
            )  # fmt: skip
        start = gap.end() if gap else len(text)


def _scan_cost(block: str) -> int:
    """What Python-Markdown's inline parsing would read: from each opener to its next closer."""
    cost = 0
    for opener, closer in OPENERS.items():
        closers = [m.start() for m in re.finditer(re.escape(closer), block)]
        for match in re.finditer(re.escape(opener), block):
            index = bisect.bisect_right(closers, match.start())
            cost += (closers[index] if index < len(closers) else len(block)) - match.start()
    return cost


def remote_images(body: str) -> list[str]:
    """The http(s) sources of a body's images, found as `check_body` finds them (code
    masked, inline and reference style), for the pipeline's fetch phase."""
    sources = [src for src, _, _ in _image_sources(mask_code(body))]
    return [src for src in sources if src.lower().startswith(("http://", "https://"))]


def _image_sources(text: str) -> list[tuple[str, str, int]]:
    """(source, alt, offset) of each image in `text` (code masked), in text order."""
    definitions = {
        m.group(1).strip().lower(): (m.group(2).strip("<>"), m.start(2))
        for m in REF_DEFINITION.finditer(text)
    }
    found: list[tuple[str, str, int]] = [
        (m.group(2).strip("<>"), m.group(1), m.start()) for m in INLINE_IMAGE.finditer(text)
    ]
    for match in REF_IMAGE.finditer(text):
        key = (match.group(2) or match.group(1)).strip().lower()
        if key in definitions:
            found.append((definitions[key][0], match.group(1), match.start()))
    return sorted(found, key=lambda item: item[2])


def _images(
    text: str, where: _Positions, base: Path, access: Access, shown: Path
) -> Iterator[Diagnostic]:
    for src, alt, offset in _image_sources(text):
        line, col = where.at(offset)
        try:
            path = access.reference(src, base)
            data = access.read(path, access.limits.max_image_bytes, "image-too-large", src)
            check_image(data, path, src, access.limits)
        except Refused as refused:
            yield refused.diagnostic(shown, line, col)
        except OSError as exc:
            message = f"image `{src}` cannot be read: {exc}"
            yield error(shown, line, "image-invalid", message, col)
        if not alt.strip():
            # The one alt-text rule, inline or reference style: the OPF promises every image
            # a text description (accessibilityFeature alternativeText).
            message = "image has no alt text: write ![description](…)"
            yield error(shown, line, "image-missing-alt", message, col)


def _placeholder(text: str, where: _Positions, shown: Path) -> Iterator[Diagnostic]:
    """The sentence `publisher new` leaves in a skeleton (base/placeholder.py), still there."""
    found = find_placeholder(text)
    if found:
        line, col = where.at(found.start())
        yield warning(
            shown, line, "placeholder-text",
            f"`{found.group()}` is the placeholder `publisher new` wrote: the text is not"
            " written yet", col,
        )  # fmt: skip


def _raw_html(text: str, where: _Positions, shown: Path) -> Iterator[Diagnostic]:
    reported: set[str] = set()
    for match in HTML_TAG.finditer(text):
        name = match.group(2).lower()
        risky = RISKY_ATTRIBUTE.search(match.group(3))
        href = RAW_HREF.search(match.group(3)) if name == "a" else None
        if name not in ALLOWED_TAGS:
            what = f"`<{name}>`"
        elif risky:
            what = f"attribute `{risky.group(1).lower()}`"
        elif href and not SCHEME.match(href.group(1)):  # a place in the book, in raw HTML
            what = f'`<a href="{href.group(1)}">`'
        else:
            continue
        if what in reported:
            continue
        reported.add(what)
        line, col = where.at(match.start())
        hint = ": use Markdown `![alt](file)` for images" if name == "img" else ""
        if href and what.startswith("`<a href"):
            hint = f": write a Markdown link `[…]({href.group(1)})`, which is checked"
        yield warning(
            shown, line, "raw-html-removed",
            f"raw HTML {what} is not allowed in a manuscript and is left out{hint}", col,
        )  # fmt: skip

"""Checks on a manuscript body before Markdown sees it: limits, images, raw HTML.

Everything here is a scan of the text (no conversion), so a hostile body costs linear time.
Each finding carries the line and column in the whole file.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .fetch import Access, Refused
from .imagecheck import check_image
from .sanitize import ALLOWED_TAGS

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^ {0,3}\1[ \t]*$|\Z)", re.M | re.S)
CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1", re.S)
NESTING = re.compile(r"^(?:[ \t]*(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t])))+", re.M)
INLINE_IMAGE = re.compile(r"!\[(?:[^\]\\\n]|\\.)*\]\(\s*(<[^>\n]*>|[^\s)]+)")
REF_IMAGE = re.compile(r"!\[((?:[^\]\\\n]|\\.)*)\](?:\s?\[([^\]\n]*)\])?(?![(:])")
REF_DEFINITION = re.compile(r"^ {0,3}\[([^\]\n]+)\]:\s*(<[^>\n]*>|\S+)", re.M)
HTML_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)([^<>]*)>")
RISKY_ATTRIBUTE = re.compile(r"""\s(on[a-z]+|style|src|srcset)\s*=""", re.I)
BLANK_LINES = re.compile(r"\n[ \t]*\n")
OPENERS = {"[": "]", "(": ")", "<": ">"}


@dataclass(frozen=True)
class Finding:
    line: int
    col: int
    code: str
    message: str
    warning: bool = False


class _Positions:
    def __init__(self, body: str, body_line: int) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", body)]
        self.body_line = body_line

    def at(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        return self.body_line + index, offset - self.starts[index] + 1


def check_body(body: str, body_line: int, base: Path, access: Access) -> list[Finding]:
    where = _Positions(body, body_line)
    text = _mask_code(body)
    structural = list(_structure(text, where, access))
    if structural:
        return structural  # the rest would only repeat the cost the limits guard against
    return [
        *_images(text, where, base, access),
        *_raw_html(text, where),
    ]  # glyph-missing: glyphs.check_book, on everything the PDF typesets


def _mask_code(body: str) -> str:
    """Code is shown as written: blank it out (keeping offsets) so it is not scanned."""

    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))

    return CODE_SPAN.sub(blank, FENCE.sub(blank, body))


def _structure(text: str, where: _Positions, access: Access) -> Iterator[Finding]:
    limits = access.limits
    for match in NESTING.finditer(text):
        prefix = match.group(0).expandtabs(4)
        indent = len(prefix) - len(prefix.lstrip())
        depth = len(re.findall(r"[>*+-]|\d[.)]", prefix)) + indent // 4
        if depth > limits.max_nesting_depth:
            line, col = where.at(match.start())
            yield Finding(
                line, col, "markdown-too-deep",
                f"block quotes and lists nest {depth} deep here (limit {limits.max_nesting_depth})",
            )  # fmt: skip
            break
    start = 0
    for gap in [*BLANK_LINES.finditer(text), None]:
        end = gap.start() if gap else len(text)
        block = text[start:end]
        first = start + len(block) - len(block.lstrip())  # report the block's first text line
        if len(block) > limits.max_paragraph_chars:
            line, _ = where.at(first)
            yield Finding(
                line, 0, "paragraph-too-long",
                f"a paragraph of {len(block):,} characters (limit {limits.max_paragraph_chars:,})",
            )  # fmt: skip
        elif _scan_cost(block) > limits.max_inline_scan:
            line, _ = where.at(first)
            yield Finding(
                line, 0, "markdown-too-complex",
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


def _images(text: str, where: _Positions, base: Path, access: Access) -> Iterator[Finding]:
    definitions = {
        m.group(1).strip().lower(): (m.group(2).strip("<>"), m.start(2))
        for m in REF_DEFINITION.finditer(text)
    }
    found: list[tuple[str, int]] = [
        (m.group(1).strip("<>"), m.start()) for m in INLINE_IMAGE.finditer(text)
    ]
    for match in REF_IMAGE.finditer(text):
        key = (match.group(2) or match.group(1)).strip().lower()
        if key in definitions:
            found.append((definitions[key][0], match.start()))
    for src, offset in found:
        line, col = where.at(offset)
        try:
            path = access.reference(src, base)
            check_image(path, src, access.limits)
        except Refused as refused:
            yield Finding(line, col, refused.code, refused.message)
        except OSError as exc:
            yield Finding(line, col, "image-invalid", f"image `{src}` cannot be read: {exc}")


def _raw_html(text: str, where: _Positions) -> Iterator[Finding]:
    reported: set[str] = set()
    for match in HTML_TAG.finditer(text):
        name = match.group(2).lower()
        risky = RISKY_ATTRIBUTE.search(match.group(3))
        if name not in ALLOWED_TAGS:
            what = f"`<{name}>`"
        elif risky:
            what = f"attribute `{risky.group(1).lower()}`"
        else:
            continue
        if what in reported:
            continue
        reported.add(what)
        line, col = where.at(match.start())
        hint = ": use Markdown `![alt](file)` for images" if name == "img" else ""
        yield Finding(
            line, col, "raw-html-removed",
            f"raw HTML {what} is not allowed in a manuscript and is left out{hint}", True,
        )  # fmt: skip

"""Stylesheets a project adds (`style-overrides/css/`, its own `styles/`, the anthology's
`extra_css`) are checked before rendering: each must be CSS (tinycss2, the CSS Syntax Level 3
parser WeasyPrint itself uses, finds no rule it would drop), must not hold `</style` (the HTML
edition inlines it in a `<style>` element, which that would close), and the resources it names
with `url()` and `@import` must pass the same gate as a manuscript's images.

The only module that imports tinycss2.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import tinycss2

from ..base.access import SCHEME, Access, Refused
from ..base.diagnostics import Diagnostic, error
from ..base.gate import inside
from ..base.model import ExtraStylesheet

URL = re.compile(r"""(?:url\(\s*(["']?)(.*?)\1\s*\)|@import\s+(["'])(.*?)\3)""", re.I | re.S)
COMMENT = re.compile(r"/\*.*?\*/", re.S)
# The HTML tokenizer ends a `<style>` element's text at `</style` (WHATWG HTML §13.2.5.11),
# whatever CSS string or comment it sits in.
CLOSE_STYLE = re.compile(r"</style", re.I)
# tinycss2's wording for a rule it drops → ours.
PARSE_MESSAGES = {
    "EOF reached before {} block": "a selector with no `{ … }` block after it: is this CSS?",
    "Stop token reached before {} block": "expected `property: value;` or a rule with a"
    " `{ … }` block",
}


def extra_css_problems(
    sheets: Sequence[ExtraStylesheet], anthology: str, access: Access
) -> list[Diagnostic]:
    """The problems of the anthology's `extra_css`: at `anthology`'s line of `extra_css` for a
    file that is not a `.css` file (`stylesheet-invalid`), does not exist
    (`stylesheet-missing`), is outside the project (`path-outside-project`) or that the gate
    refuses (its code); at the stylesheet's own line:col for what is wrong inside it (as
    `stylesheet_problems`)."""
    found: list[Diagnostic] = []
    for sheet in sheets:
        written = f"`extra_css`: `{sheet.written}`"
        try:
            if inside(sheet.path, (access.root,)) is None:
                message = f"{written} is outside the project: not read"
                found.append(error(anthology, sheet.line, "path-outside-project", message))
            elif not sheet.path.name.lower().endswith(".css"):
                message = f"{written} is not a stylesheet: name a `.css` file"
                found.append(error(anthology, sheet.line, "stylesheet-invalid", message))
            elif not access.exists(sheet.path):
                message = f"{written} not found (relative to the anthology file's folder)"
                found.append(error(anthology, sheet.line, "stylesheet-missing", message))
            else:
                found += stylesheet_problems(sheet.path, access)
        except Refused as refused:
            message = f"`extra_css`: {refused.message}"
            found.append(error(anthology, sheet.line, refused.code, message, 0, refused.names))
    return found


def stylesheet_problems(path: Path, access: Access) -> list[Diagnostic]:
    """An error at the stylesheet's line:col for each rule the CSS parser drops and each
    `</style` (`stylesheet-invalid`), and for each resource `path` names that may not be read
    (the gate's code).

    The stylesheet itself is read through the gate: raises Refused when it cannot be."""
    return list(_problems(path, access))


def remote_urls(source: str) -> list[str]:
    """The http(s) resources a stylesheet's text names, for the pipeline's fetch phase."""
    return [t for t, _ in _targets(source) if t.lower().startswith(("http://", "https://"))]


def _targets(source: str) -> Iterator[tuple[str, int]]:
    """(resource, offset) for each `url()` and `@import` outside comments."""
    text = COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), source)
    for match in URL.finditer(text):
        target = (match.group(2) or match.group(4) or "").strip()
        if not target or target.startswith("#") or target.lower().startswith("data:"):
            continue
        yield target, match.start()


def _problems(path: Path, access: Access) -> Iterator[Diagnostic]:
    text = access.read_text(path)
    where = access.shown(path)
    for line, col, message in _syntax(text):
        yield error(where, line, "stylesheet-invalid", message, col)
    for close in CLOSE_STYLE.finditer(text):
        line, col = _position(text, close.start())
        message = "`</style` would end the HTML edition's `<style>` element: write `<\\/style`"
        yield error(where, line, "stylesheet-invalid", message, col)
    for target, offset in _targets(text):
        line, col = _position(text, offset)
        try:
            scheme = SCHEME.match(target)
            if scheme and len(scheme.group(1)) > 1:
                access.reference(target, access.root)  # refuses file:, remote without leave…
            else:
                # The stylesheet is inlined in the page, so WeasyPrint resolves against the root.
                access.local(access.root / target, target)
        except Refused as refused:
            yield refused.diagnostic(where, line, col)


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of `offset` in `text`."""
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def _syntax(text: str) -> Iterator[tuple[int, int, str]]:
    """(line, col, message) for each rule or declaration a CSS parser drops, at any depth."""
    pending = list(tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True))
    while pending:
        node = pending.pop(0)
        if node.type == "error":
            said = next((ours for theirs, ours in PARSE_MESSAGES.items()
                         if node.message.startswith(theirs)), node.message)  # fmt: skip
            yield node.source_line, node.source_column, f"not valid CSS: {said}"
        elif node.type in ("qualified-rule", "at-rule") and node.content is not None:
            pending[:0] = tinycss2.parse_blocks_contents(
                node.content, skip_comments=True, skip_whitespace=True
            )

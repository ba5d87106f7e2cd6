"""Stylesheets a project adds (`style-overrides/css/`, its own `styles/`) name resources with
`url()` and `@import`: each must pass the same gate as a manuscript's images."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ..base.access import SCHEME, Access, Refused
from ..base.diagnostics import Diagnostic

URL = re.compile(r"""(?:url\(\s*(["']?)(.*?)\1\s*\)|@import\s+(["'])(.*?)\3)""", re.I | re.S)
COMMENT = re.compile(r"/\*.*?\*/", re.S)


def stylesheet_problems(path: Path, access: Access) -> list[Diagnostic]:
    """An error at the stylesheet's line:col for each resource `path` names that may not be
    read.

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
    for target, offset in _targets(text):
        line = text.count("\n", 0, offset) + 1
        col = offset - text.rfind("\n", 0, offset)
        try:
            scheme = SCHEME.match(target)
            if scheme and len(scheme.group(1)) > 1:
                access.reference(target, access.root)  # refuses file:, remote without leave…
            else:
                # The stylesheet is inlined in the page, so WeasyPrint resolves against the root.
                access.local(access.root / target, target)
        except Refused as refused:
            yield refused.diagnostic(access.shown(path), line, col)

"""The remote resources a book names, found before loading so the pipeline can fetch them.

A cheap scan with load's own finders (`body.remote_images`, `stylesheets.remote_urls`): the
images of every manuscript body and part introduction, and the `url()`/`@import` targets of
the theme's stylesheets. It reports nothing: a file it cannot read or split is skipped, and
loading reports it at its path and line as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from ..base.access import Access, Refused
from .body import remote_images
from .frontmatter import FrontMatterError, split_front_matter
from .stylesheets import remote_urls


def remote_references(
    folders: Sequence[Path],
    intros: Iterable[str],
    stylesheets: Sequence[Path],
    access: Access,
    extra_css: Sequence[Path] = (),
) -> list[str]:
    """Each http(s) URL named by the `*.md` files of `folders` (bodies only), the part
    `intros` (Markdown), the `css/*.css` of the theme `stylesheets` folders and the
    `extra_css` files, once each, in the order found. Reads through `access`; raises
    nothing."""
    found: list[str] = []
    for folder in folders:
        for text in _texts(folder, ".md", access):
            try:
                found += remote_images(split_front_matter(text).body)
            except FrontMatterError:
                continue
    for intro in intros:
        found += remote_images(intro)
    for folder in stylesheets:
        for text in _texts(folder / "css", ".css", access):
            found += remote_urls(text)
    for sheet in extra_css:
        found += remote_urls(_text(sheet, access))
    return list(dict.fromkeys(found))


def _texts(folder: Path, suffix: str, access: Access) -> list[str]:
    """The texts of `folder`'s files named `*suffix` that can be read (normalised newlines)."""
    try:
        if not access.exists(folder):
            return []
        entries = [entry for entry in access.listing(folder) if entry.name.endswith(suffix)]
    except Refused:
        return []
    return [text for text in (_text(entry.path, access) for entry in entries) if text]


def _text(path: Path, access: Access) -> str:
    """`path`'s text with normalised newlines; "" when it cannot be read."""
    try:
        data = access.read(path, access.limits.max_manuscript_bytes, "too-large")
    except Refused:
        return ""
    text = data.decode("utf-8-sig", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")

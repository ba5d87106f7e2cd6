"""A manuscript's slug: its id in links and anchors and the name of its EPUB file.

The slug comes from the file name (`slugify` of its stem) or, when the front matter says so,
from its `slug` key. Every slug in a book is unique across reviews and front pieces.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from ..base.access import Access, Refused
from ..base.diagnostics import Diagnostic
from ..base.text import slugify
from .anthology_file import MAX_SLUG_CHARS
from .fields import Problems, read_string
from .frontmatter import Field, FrontMatterError, parse_fields, split_front_matter

# A slug as `slugify` writes one: lowercase ASCII words of letters and digits, single hyphens.
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def read_slug(problems: Problems, fields: dict[str, Field]) -> str | None:
    """The optional `slug` key, in place of the slug the file name gives. It must be what
    `slugify` writes (`SLUG`) and at most MAX_SLUG_CHARS long (the room output file names
    leave); a bad one is `slug-invalid` or `slug-too-long` at the key's line and column, the
    first with the slug `slugify` makes of the value as a suggestion. None when absent or bad."""
    field = fields.get("slug")
    value = read_string(problems, fields, "slug", 1, required=False)
    if field is None or value is None:
        return None
    if not SLUG.fullmatch(value):
        better = slugify(value, fallback="")[:MAX_SLUG_CHARS].strip("-")
        hint = f" (did you mean `{better}`?)" if better else ""
        message = (
            "`slug` may hold only lowercase ASCII letters, digits and single hyphens,"
            f" not `{value}`{hint}"
        )
        problems.add(field.line, "slug-invalid", message, field.col)
        return None
    if len(value) > MAX_SLUG_CHARS:
        message = (
            f"`slug` is {len(value)} characters; output file names need it at most {MAX_SLUG_CHARS}"
        )
        problems.add(field.line, "slug-too-long", message, field.col)
        return None
    return value


def file_slug(problems: Problems, fields: dict[str, Field]) -> str | None:
    """The file's slug: its `slug` key when it has one, else its file name's (`slug-too-long`
    past MAX_SLUG_CHARS: the slug names `EPUB/text/<slug>.xhtml`, and past 255 bytes that
    cannot be unpacked). None, with the problem reported, when it cannot be used."""
    if "slug" in fields:
        return read_slug(problems, fields)
    slug = slugify(problems.path.stem)
    if len(slug) > MAX_SLUG_CHARS:
        message = (
            f"the file name gives a slug of {len(slug)} characters; output file names"
            f" need it at most {MAX_SLUG_CHARS}: rename the file or set a shorter `slug`"
        )
        problems.add(0, "slug-too-long", message)
        return None
    return slug


class Slugs:
    """The slugs a book's files have taken so far (slug → the file that took it)."""

    def __init__(self) -> None:
        self.seen: dict[str, Path] = {}

    def claim(self, problems: Problems, fields: dict[str, Field]) -> str | None:
        """The file's slug (`file_slug`), now taken; None, with the problem reported, when it
        is invalid or another file took it first (`duplicate-slug`, naming that file, at the
        `slug` key or at line 1)."""
        slug = file_slug(problems, fields)
        if slug is None:
            return None
        key = fields.get("slug")
        line, col = (key.line, key.col) if key else (1, 0)
        if slug in self.seen:
            taken = str(self.seen[slug])
            message = f"slug `{slug}` is already used by `{taken}`"
            problems.add(line, "duplicate-slug", message, col, (taken,))
            return None
        self.seen[slug] = problems.path
        return slug


def taken_slugs(folders: Sequence[Path], access: Access) -> set[str]:
    """The slugs the `*.md` files of `folders` take (a valid `slug` key, else the file
    name's), read through `access`; a file that cannot be read or parsed takes its file
    name's. For `publisher new`, which must not give a new file a slug already in use."""
    taken: set[str] = set()
    for folder in folders:
        try:
            entries = access.listing(folder) if access.exists(folder) else []
        except Refused:
            continue
        for entry in (e for e in entries if e.name.endswith(".md")):
            fields: dict[str, Field] = {}
            try:
                data = access.read(entry.path, access.limits.max_manuscript_bytes, "too-large")
                yaml_text = split_front_matter(data.decode("utf-8-sig")).yaml_text
                fields = parse_fields(yaml_text) if yaml_text else {}
            except (Refused, UnicodeDecodeError, FrontMatterError):
                pass
            sink: list[Diagnostic] = []
            slug = file_slug(Problems(Path(entry.name), sink), fields)
            taken.add(slug or slugify(Path(entry.name).stem))
    return taken

"""The book's cover as data, handed from the pipeline to the renderer and the exporters.

One value for both covers: the anthology's `cover_image` (read through the gate) or the
typographic cover `export/cover.py` draws. The renderer puts it at the head of the screen PDF
and the web edition, the EPUB exporter makes it the `cover-image`, the wrap its front panel;
the renderer never imports `export/` (tests/test_layering.py), so it gets the bytes.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from .locale import Locale
from .model import AnthologySpec

EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg"}


@dataclass(frozen=True)
class CoverArt:
    """`data`: the image file's bytes; `media_type`: `image/png` or `image/jpeg`; `alt`: its
    text alternative (`cover_alt`); `generated`: drawn by the tool (no `cover_image`)."""

    data: bytes
    media_type: str
    alt: str
    generated: bool

    @property
    def extension(self) -> str:
        """`.png` or `.jpg`: the file name's ending inside the EPUB."""
        return EXTENSIONS.get(self.media_type, ".jpg")

    def data_uri(self) -> str:
        """The image as a `data:` URI (RFC 2397), for the one-file editions and the wrap."""
        return f"data:{self.media_type};base64,{base64.b64encode(self.data).decode('ascii')}"


def cover_alt(spec: AnthologySpec) -> str:
    """The cover's text alternative, in the book's language: what a cover says (title,
    subtitle, editors, publisher), e.g. `Cubierta: Guerra y memoria. El cine español….
    Edición de Lucía Garrido y Andrés Robles. Ediciones del Fotograma.`"""
    locale = Locale.for_spec(spec)
    parts = [spec.title + (f". {spec.subtitle}" if spec.subtitle else "")]
    if spec.editors:
        parts.append(f"{locale.word('edited_by')} {locale.join(spec.editors)}")
    parts.append(spec.publisher)
    return f"{cover_title(spec)}: " + ". ".join(parts) + "."


def cover_title(spec: AnthologySpec) -> str:
    """The cover page's name (its title, the landmark's): the catalogue's `cover` word."""
    return Locale.for_spec(spec).word("cover")


@dataclass(frozen=True)
class CoverText:
    """The words printed on the wrap (export/wrap.py), typeset as the interior is: `title`,
    the description's `paragraphs` (split at blank lines), the `spine`'s parts (title,
    editors joined in the book's language, publisher). The pipeline makes it with the
    renderer's typography (render/cover_text.py: curly quotes, apostrophes, dashes for the
    book's language); `plain` keeps the anthology file's characters as written. For the
    wrap PDF's metadata, as the interior's: `heading`, the document title (title, `. `,
    subtitle), and `summary`, the whole description; `editors`, each editor's name, for a
    spine too short for them all (export/wrap.py keeps the first). The ONIX record takes its
    title, `subtitle` and `description` from the same value, so the store's page and the wrap
    print the same characters."""

    title: str
    paragraphs: tuple[str, ...]
    spine: tuple[str, ...]
    heading: str
    summary: str
    editors: tuple[str, ...]
    subtitle: str = ""  # not on the wrap; the ONIX record's (export/onix.py) takes it from here

    @classmethod
    def plain(cls, spec: AnthologySpec) -> CoverText:
        locale = Locale.for_spec(spec)
        paragraphs = tuple(p for p in spec.description.split("\n\n") if p.strip())
        editors = (locale.join(spec.editors),) if spec.editors else ()
        heading = spec.title + (f". {spec.subtitle}" if spec.subtitle else "")
        return cls(
            spec.title,
            paragraphs,
            (spec.title, *editors, spec.publisher),
            heading,
            spec.description,
            spec.editors,
            spec.subtitle or "",
        )

    @property
    def description(self) -> str:
        """The description's paragraphs, typeset, separated by a blank line (as written)."""
        return "\n\n".join(self.paragraphs)

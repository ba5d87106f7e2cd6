"""The one gate for every resource the book reads: images, stylesheets, fonts.

Allowed: `data:` URIs (for the renderer's own output), files inside the project root (symlinks
resolved first) and the tool's own `styles/`; remote `http(s)` only with `--allow-remote`,
through `remote.py`. Everything else is refused with a `Refused(code, message)`. The loader
uses it to check manuscripts, the renderer to read images, the PDF exporter's WeasyPrint
adapter for whatever the page names. No WeasyPrint import here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from .limits import Limits

if TYPE_CHECKING:
    from .model import AnthologySpec

TOOL_STYLES = Path(__file__).resolve().parent.parent / "styles"
CACHE_DIR = ".publisher-cache"
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


class Refused(Exception):
    """A resource that may not be read; `code` is the diagnostic code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Access:
    root: Path
    allow_remote: frozenset[str] | None = None  # None: no network; empty: any public host
    limits: Limits = field(default_factory=Limits)
    tool_dirs: tuple[Path, ...] = (TOOL_STYLES,)

    @classmethod
    def for_spec(cls, spec: AnthologySpec) -> Access:
        return cls(spec.root, spec.allow_remote, spec.limits)

    @property
    def remote_cache(self) -> Path:
        return self.root / CACHE_DIR / "remote"

    def local(self, path: Path, written: str | None = None) -> Path:
        """`path` with symlinks resolved, if it stays inside the project or the tool's styles."""
        resolved = path.resolve()
        for allowed in (self.root, *self.tool_dirs):
            if resolved.is_relative_to(allowed.resolve()):
                return resolved
        raise Refused(
            "path-outside-project",
            f"`{written or path}` is outside the project ({self.root.resolve()}): not read",
        )

    def reference(self, src: str, base: Path) -> Path:
        """A source as written in a manuscript → the local file to read (remote: its cached
        copy, downloaded once). Raises Refused."""
        match = SCHEME.match(src)
        scheme = match.group(1).lower() if match and len(match.group(1)) > 1 else ""
        if scheme == "file":
            raise Refused("file-url-refused", f"`{src}`: `file:` URLs are not read; use a path")
        if scheme in ("http", "https"):
            return self.remote(src)
        if scheme:
            raise Refused("unsupported-url", f"`{src}`: only project files can be images")
        path = Path(unquote(src))
        resolved = self.local(path if path.is_absolute() else base / path, src)
        if not resolved.is_file():
            raise Refused("image-missing", f"image `{src}` not found")
        return resolved

    def remote(self, url: str) -> Path:
        if self.allow_remote is None:
            raise Refused(
                "remote-image", f"`{url}` is remote: download it into the project, or build with"
                " --allow-remote"
            )  # fmt: skip
        from .remote import download  # urllib and sockets only when asked for

        return download(url, self.allow_remote, self.remote_cache, self.limits)

    def read_url(self, url: str) -> bytes:
        """An absolute `file:` or `http(s):` URL that a renderer asks for (not `data:`)."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "file":
            # Our own renderer names project files by file URL; anything else is refused.
            path = self.local(Path(url2pathname(parts.path)), url)
            if path.stat().st_size > self.limits.max_image_bytes:
                raise Refused("resource-too-large", f"`{url}` is larger than the limit")
            return path.read_bytes()
        if scheme in ("http", "https"):
            return self.remote(url).read_bytes()
        raise Refused("unsupported-url", f"`{url}`: this kind of URL is not read")

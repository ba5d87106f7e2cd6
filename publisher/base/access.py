"""The one gate for every file the book reads: manuscripts, the anthology, images, templates,
stylesheets, fonts.

Allowed: `data:` URIs (for the renderer's own output), regular files inside the project root
(symlinks resolved first) and the tool's own `styles/`; remote `http(s)` only with
`--allow-remote`, downloaded through `remote.py` by the pipeline's fetch phase before loading
(`fetched`, a read-only map URL → cached file or refusal): this gate only reads. Everything
else is refused with a `Refused(code, message)`. Files are opened by `gate.py` (no symlink
followed after the check, regular files only, the size limit enforced on the read) and recorded
for the build cache. The loader reads
manuscripts and checks images with it, the renderer reads templates, stylesheets and images, the
PDF exporter's WeasyPrint adapter whatever the page names. No WeasyPrint import here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from . import gate
from .gate import Refused as Refused  # the gate's refusal, re-exported for its users
from .limits import Limits
from .project import BUILTIN_STYLES, CACHE_DIR, shown

if TYPE_CHECKING:
    from .model import AnthologySpec

SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


@dataclass(frozen=True)
class Access:
    root: Path
    allow_remote: frozenset[str] | None = None  # None: no network; empty: any public host
    limits: Limits = field(default_factory=Limits)
    tool_dirs: tuple[Path, ...] = (BUILTIN_STYLES,)
    # Remote URL → its downloaded copy, or why it was not downloaded: the pipeline's fetch
    # phase (`pipeline.fetch_remote`) fills it before loading; None until that phase ran.
    fetched: Mapping[str, Path | Refused] | None = field(default=None, compare=False)

    @classmethod
    def for_spec(cls, spec: AnthologySpec, allow_remote: frozenset[str] | None = None) -> Access:
        """The gate for `spec`'s project and limits. `allow_remote` is the command line's
        `--allow-remote` (never part of the anthology): None keeps the network closed."""
        return cls(spec.root, allow_remote, spec.limits)

    @property
    def remote_cache(self) -> Path:
        return self.root / CACHE_DIR / "remote"

    @property
    def roots(self) -> tuple[Path, ...]:
        return (self.root, *self.tool_dirs)

    def shown(self, path: Path) -> str:
        """`path` as messages show it (`project.shown`)."""
        return shown(path, self.root)

    def read(self, path: Path, limit: int, too_large: str, written: str | None = None) -> bytes:
        """The bytes of `path` through the gate (see gate.read_file). Raises Refused; a file
        that does not exist is `unreadable` here (callers that expect absence ask `exists`)."""
        try:
            return gate.read_file(path, self.roots, limit, too_large, written or self.shown(path))
        except Refused as refused:
            # `written`: as the manuscript wrote it (relative to it), not a project path.
            names = () if written else refused.names
            code = gate.UNREADABLE if refused.code == gate.MISSING else refused.code
            raise Refused(code, refused.message, names) from None

    def read_text(self, path: Path, limit: int | None = None) -> str:
        """A template or stylesheet as UTF-8 text. Raises Refused (`encoding` when not UTF-8)."""
        limit = limit or self.limits.max_manuscript_bytes
        data = self.read(path, limit, "resource-too-large")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            name = self.shown(path)
            raise Refused("encoding", f"`{name}` is not UTF-8 text", (name,)) from None

    def listing(self, folder: Path) -> list[gate.Entry]:
        """The entries of a project folder, recorded for the cache. Raises Refused."""
        return gate.list_folder(folder, self.roots, self.shown(folder))

    def exists(self, path: Path) -> bool:
        """Whether `path` exists (its absence is recorded for the cache)."""
        return gate.exists(path)

    def local(self, path: Path, written: str | None = None) -> Path:
        """`path` with symlinks resolved, if it stays inside the project or the tool's styles."""
        resolved = gate.inside(path, self.roots)
        if resolved is not None:
            return resolved
        name = written or self.shown(path)  # as the manuscript wrote it, or a project path
        raise Refused(
            "path-outside-project",
            f"`{name}` is outside the project (`{self.root.resolve()}`): not read",
            (str(self.root.resolve()),) if written else (name, str(self.root.resolve())),
        )

    def reference(self, src: str, base: Path) -> Path:
        """A source as written in a manuscript → the local file to read (remote: its cached
        copy, fetched before loading). Raises Refused."""
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
        if not os.path.lexists(resolved):
            raise Refused("image-missing", f"image `{src}` not found")
        return resolved

    def remote(self, url: str) -> Path:
        """The local copy of a remote `url` the fetch phase downloaded. Never downloads (the
        stages write nothing). Raises Refused: without --allow-remote, the fetch's own
        refusal, or `remote-refused` for a URL the fetch phase did not find."""
        if self.allow_remote is None:
            raise Refused(
                "remote-image", f"`{url}` is remote: download it into the project, or build with"
                " --allow-remote"
            )  # fmt: skip
        found = (self.fetched or {}).get(url)
        if found is None:
            raise Refused(
                "remote-refused", f"`{url}` is not a manuscript image or a stylesheet `url()`"
                " the build fetched before loading: not read"
            )  # fmt: skip
        if isinstance(found, Refused):
            raise found
        return found

    def read_url(self, url: str) -> bytes:
        """An absolute `file:` or `http(s):` URL that a renderer asks for (not `data:`)."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "file":
            # Our own renderer names project files by file URL; anything else is refused.
            from urllib.request import url2pathname  # http.client, email: not for every build

            path = self.local(Path(url2pathname(parts.path)), url)
            return self.read(path, self.limits.max_image_bytes, "resource-too-large", url)
        if scheme in ("http", "https"):
            cached = self.remote(url)
            return self.read(cached, self.limits.max_remote_bytes, "remote-too-large", url)
        raise Refused("unsupported-url", f"`{url}`: this kind of URL is not read")

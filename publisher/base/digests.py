"""Content hashes: of byte strings, of files, of folders, and of the package's own code.

The build cache keys outputs and fragments with them; the renderer keys its fragments too.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from .. import __version__
from .project import CACHE_DIR

PACKAGE_DIR = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {"__pycache__", ".git", CACHE_DIR, "node_modules"}


def digest(*parts: bytes | str) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def file_sha256(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()


def tree_digest(paths: Iterable[Path], relative_to: Path) -> str:
    """Hash of every file under `paths` (names and contents), in a stable order."""
    entries: list[str] = []
    for base in paths:
        if base.is_file():
            files = [base]
        elif base.is_dir():
            files = [
                Path(folder) / name
                for folder, dirs, names in os.walk(base)
                for name in names
                if not SKIPPED_DIRS & set(Path(folder).parts)
            ]
        else:
            continue
        for path in files:
            try:
                name = path.resolve().relative_to(relative_to.resolve()).as_posix()
            except ValueError:
                name = path.resolve().as_posix()
            entries.append(f"{name}\0{file_sha256(path)}")
    return digest(*sorted(entries))


@functools.lru_cache(maxsize=1)
def package_digest() -> str:
    """The code that builds counts as an input too: a changed module rebuilds everything."""
    return digest(__version__, tree_digest([PACKAGE_DIR], PACKAGE_DIR))

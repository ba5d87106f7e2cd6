"""Where a project's files are, and the facts every stage reads the same way.

* `project_root`: `<root>/manuscripts/anthology.toml` → `<root>`; elsewhere, the file's folder.
* `source_date`: `SOURCE_DATE_EPOCH` (reproducible-builds.org/specs/source-date-epoch/), read
  here only: a string of ASCII digits, seconds since 1970-01-01 UTC; anything else counts as unset.
* `shown`: a path as every message names it (relative to the project when inside it).
* `CACHE_DIR`: the project's cache folder (build cache, downloaded remote images).
* `BUILTIN_STYLES`: the package's own themes, package data found with `importlib.resources`,
  so a wheel ships them. Installed as files (a wheel unpacks; `pip install -e` points at the
  checkout), never zipped: the gate reads themes by path, as it reads a project's files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from importlib import resources
from pathlib import Path

CACHE_DIR = ".publisher-cache"
BUILTIN_STYLES = Path(str(resources.files("publisher").joinpath("styles")))


def project_root(anthology_file: Path) -> Path:
    """`<root>/manuscripts/anthology.toml` → `<root>`; elsewhere, the file's own folder."""
    folder = anthology_file.resolve().parent
    return folder.parent if folder.name == "manuscripts" else folder


def shown(path: Path, root: Path) -> str:
    """`path` as messages show it: relative to `root` when inside it (unresolved last name, so
    a symlink is named as written), undecodable bytes as U+FFFD."""
    absolute = Path(os.path.abspath(path))
    with contextlib.suppress(OSError, RuntimeError):  # a loop: show the path as given
        absolute = absolute.parent.resolve() / absolute.name  # the last name as written
    resolved_root = root.resolve()
    text = (
        absolute.relative_to(resolved_root).as_posix()
        if absolute.is_relative_to(resolved_root)
        else str(path)
    )
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def source_epoch() -> str:
    """`SOURCE_DATE_EPOCH` as set (surrounding blanks dropped), or "" when unset or not a
    whole number of seconds: the one reading of it (the build cache keys outputs by it)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return epoch if epoch.isdigit() else ""


def source_date() -> dt.datetime | None:
    """`SOURCE_DATE_EPOCH` as an aware UTC date-time, or None when unset."""
    epoch = source_epoch()
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else None


def today() -> dt.date:
    """The build's date: `SOURCE_DATE_EPOCH`'s day when set, else the clock's."""
    moment = source_date()
    return moment.date() if moment is not None else dt.date.today()

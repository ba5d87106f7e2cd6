"""Where a project's files are, and the facts every stage reads the same way.

* `project_root`: `<root>/manuscripts/anthology.toml` → `<root>`; elsewhere, the file's folder.
* `source_date`: `SOURCE_DATE_EPOCH` (reproducible-builds.org/specs/source-date-epoch/), read
  here only: a string of ASCII digits, seconds since 1970-01-01 UTC; anything else counts as unset.
* `shown`: a path as every message names it (relative to the project when inside it).
* `CACHE_DIR`: the project's cache folder (build cache, downloaded remote images).
* `find_anthology`: the anthology file a command means, found like git finds its repository.
* `for_reader`: a message's path as the reader, standing in some folder, can open it.
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
# What makes a folder a project, in the order looked for: a book's own `anthology.toml`, or the
# layout of this repository's book (`manuscripts/anthology.toml`, root one level up).
ANTHOLOGY_NAMES = ("anthology.toml", "manuscripts/anthology.toml")
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
    # Outside the root the path is absolute: a relative one in a message is the root's.
    text = (
        absolute.relative_to(resolved_root).as_posix()
        if absolute.is_relative_to(resolved_root)
        else str(absolute)
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


class ProjectNotFound(Exception):
    """No anthology file in `folder` or any folder above it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        super().__init__(
            f"no anthology.toml in `{folder}` or any folder above it;"
            " start a book with `publisher init DIR`"
        )


def find_anthology(given: Path | None, cwd: Path) -> Path:
    """The anthology file a command means. `given`: a `.toml` file (returned as it is, even
    when missing: loading reports that at its path), another file of a project (a review: its
    book is searched from the file's folder), a folder, or None for `cwd`. From the folder
    upwards, the first folder holding one of `ANTHOLOGY_NAMES` wins (as git finds `.git`).
    Relative paths are relative to `cwd`; the result is absolute when searched.
    Raises ProjectNotFound naming the folder the search started from."""
    if given is not None and (cwd / given).is_file() and given.suffix.lower() != ".toml":
        given = Path(os.path.abspath(cwd / given)).parent  # a review: the book that holds it
    if given is not None and not (cwd / given).is_dir():
        return given
    start = Path(os.path.abspath(cwd / given)) if given is not None else Path(os.path.abspath(cwd))
    for folder in (start, *start.parents):
        for name in ANTHOLOGY_NAMES:
            if (folder / name).is_file():
                return folder / name
    raise ProjectNotFound(start)


def repository_root(cwd: Path, workspace: str | None) -> Path:
    """Where GitHub annotations' paths start: `workspace` (`GITHUB_WORKSPACE`) when set, else
    the nearest folder from `cwd` upwards holding `.git` (a folder, or a worktree's file),
    else `cwd` itself."""
    if workspace:
        return Path(os.path.abspath(workspace))
    here = Path(os.path.abspath(cwd))
    return next((f for f in (here, *here.parents) if (f / ".git").exists()), here)


def for_reader(path: str, root: Path, base: Path) -> str:
    """A message's `path` (relative to the project `root`, or absolute: see `shown`) as seen
    from `base` (the working directory, or a repository's root): relative to `base`
    (`../reviews/a.md` from a subfolder), unless the two share no folder but `/` (a project in
    /tmp seen from /home): then absolute. "" (no file) stays "". Both folders absolute."""
    if not path:
        return path
    absolute = os.path.normpath(root / path)
    common = os.path.commonpath((absolute, os.path.normpath(base)))
    return os.path.relpath(absolute, base) if common != os.sep else absolute

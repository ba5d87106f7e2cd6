"""Writing the retailer package (package.py) so that it is whole or absent: a folder or a zip
made under a staging name beside its path, then renamed onto it.

- The path must be ours to replace (`check_target`): a zip path absent or a regular file
  (`base/files.check_replaceable`, like every output); a folder path absent, or a real folder
  (no symlink) holding nothing but the files its own `SHA256SUMS` lists, i.e. a package this
  tool wrote. Anything else is `output-not-a-file`, left as it is.
- A folder is swapped in with two renames (the old one aside, the new one in), then the old one
  is removed; if the second rename fails the old one is put back. Between the two renames, for
  an instant, the path is absent. A process killed with SIGKILL while writing leaves a hidden
  `.<name>.<pid>.<random>.staging` beside it (any other exit removes it).
- The zip: entries in name order, each with the same timestamp, the package's moment (the
  build's: SOURCE_DATE_EPOCH when set, else the clock, in UTC; the ONIX record's SentDateTime
  is the same moment; never the book's `date`, which may be in the future), fixed permissions
  (0644), deflated: the same contents at the same moment give the same bytes.
  Written with `base/files.write_atomically`.
- `SHA256SUMS` is in the format of GNU `sha256sum` (`<hex>  <name>`, one line a file, sorted
  by name), so `sha256sum -c SHA256SUMS` in the folder checks every file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .base.diagnostics import BuildFailed, error
from .base.files import ForeignOutput, check_replaceable, write_atomically

MANIFEST = "SHA256SUMS"
# The zip format's earliest date: a SOURCE_DATE_EPOCH before it is written as this.
ZIP_EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Packed:
    """One file of the package: its name in it, size in bytes, SHA-256 (hex)."""

    name: str
    bytes: int
    sha256: str


def manifest(contents: Mapping[str, bytes]) -> bytes:
    """The `sha256sum` lines of `contents` (name → bytes), sorted by name, UTF-8."""
    lines = (
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(contents.items())
    )
    return "".join(lines).encode("utf-8")


def check_target(target: Path) -> None:
    """Raise BuildFailed (`output-not-a-file`) unless the package may be written at `target`
    (see the module doc)."""
    try:
        if target.suffix == ".zip":
            check_replaceable(target)
        else:
            _check_package_folder(target)
    except ForeignOutput as foreign:
        raise BuildFailed([error(foreign.path, 0, "output-not-a-file", foreign.advice)]) from None


def _check_package_folder(target: Path) -> None:
    try:
        mode = os.lstat(target).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return
    if not stat.S_ISDIR(mode):
        check_replaceable(target)  # names a symlink, a device…
        raise ForeignOutput(target, "a regular file")
    listed = _listed(target / MANIFEST)
    for entry in os.scandir(target):
        if entry.name not in listed or not entry.is_file(follow_symlinks=False):
            raise ForeignOutput(target, "a folder with files a package did not put there")


def _listed(manifest_path: Path) -> set[str]:
    """The names a package's manifest lists, and the manifest's own; () without one."""
    try:
        if not stat.S_ISREG(os.lstat(manifest_path).st_mode):
            return set()
        text = manifest_path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return set()
    names = {line.split("  ", 1)[1] for line in text.splitlines() if "  " in line}
    return names | {MANIFEST}


def write_package(
    target: Path, contents: Mapping[str, bytes], moment: dt.datetime
) -> tuple[Packed, ...]:
    """Write `contents` (name → bytes, the manifest among them) as the folder or (`.zip`) the
    zip `target`, all or nothing; `moment` (aware): the zip entries' timestamp, in UTC (see the
    module doc; before 1980, the zip format's first day).
    Raises BuildFailed (`output-not-a-file`, `output-unwritable`) naming the path."""
    files = tuple(
        Packed(name, len(data), hashlib.sha256(data).hexdigest())
        for name, data in sorted(contents.items(), key=lambda item: (item[0] == MANIFEST, item[0]))
    )
    try:
        check_target(target)
        if target.suffix == ".zip":
            stamp = max(moment.astimezone(dt.UTC), ZIP_EPOCH)
            write_atomically(target, lambda temp: _zip(temp, contents, stamp))
        else:
            _swap_folder(target, contents)
    except ForeignOutput as foreign:
        raise BuildFailed([error(foreign.path, 0, "output-not-a-file", foreign.advice)]) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        message = f"cannot write the package: {reason}; nothing was replaced"
        raise BuildFailed(
            [error(exc.filename or target, 0, "output-unwritable", message)]
        ) from None
    return files


def _zip(path: Path, contents: Mapping[str, bytes], moment: dt.datetime) -> None:
    stamp = moment.timetuple()[:6]
    with zipfile.ZipFile(path, "w") as archive:
        for name in sorted(contents):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.create_system = 3  # Unix: the permissions above are read as such
            archive.writestr(info, contents[name])


def _swap_folder(target: Path, contents: Mapping[str, bytes]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{target.name}.{os.getpid()}."
    staging = Path(tempfile.mkdtemp(prefix=prefix, suffix=".staging", dir=target.parent))
    old = staging.with_suffix(".old")
    try:
        os.chmod(staging, 0o755)
        for name, data in contents.items():
            (staging / name).write_bytes(data)
            os.chmod(staging / name, 0o644)
        check_target(target)  # again: writing took a moment
        had_old = os.path.lexists(target)
        if had_old:
            os.rename(target, old)
        try:
            os.rename(staging, target)
        except OSError:
            if had_old:
                os.rename(old, target)
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)

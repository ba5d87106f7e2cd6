"""Atomic output: write beside the target, then rename; a failed build leaves old files intact.

Every file publisher writes (an edition, the JSON report, a cache file) ends as a rename onto
its path, and a rename replaces whatever name is there: a symlink, a device node such as
`/dev/stdout`, a FIFO. So one check runs first, `check_replaceable`: the path must be absent or
a regular file (`lstat`, never followed); anything else raises `ForeignOutput` and is left as
it is. A symlink is refused even when its owner made it on purpose: renaming through it would
need the link resolved, and a link in an output folder could then aim a write anywhere (into
the sources, say). Between that check and the rename another process could swap the name; the
folders written to are the user's own, so that race is not guarded against.

The temporary name, `.<name>.<pid>.<random>.part`, says whose it is, and the writer holds an
exclusive `flock` on it until it is renamed away (the kernel drops the lock when the process dies,
zombie or not): `staging.sweep_parts` removes only such files whose lock it can take."""

from __future__ import annotations

import fcntl
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

# What `lstat` can find at a path, named as messages say it (a regular file is absent here).
_KINDS = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)


class ForeignOutput(Exception):
    """A path publisher would write holds something that is not a regular file: `what` is
    "a symbolic link", "a folder", "a character device", "a block device", "a FIFO (named
    pipe)", "a socket" or "not a regular file"."""

    def __init__(self, path: Path, what: str) -> None:
        super().__init__(f"`{path}` is {what}, not ours to replace: it is left as it is")
        self.path, self.what = path, what

    @property
    def advice(self) -> str:
        """The message for an edition's path, without the path (a diagnostic names it)."""
        return (
            f"this output's path is {self.what}, not a file a build wrote; nothing was replaced:"
            " move it away or build with another --out"
        )


def kind_of(path: Path) -> str | None:
    """None when `path` is absent or a regular file; else what it is (see ForeignOutput).
    Never follows a symlink. Raises OSError when `path` cannot be examined (a parent folder
    that cannot be searched)."""
    try:
        mode = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None  # NotADirectoryError: the parent is a file; writing will say so
    if stat.S_ISREG(mode):
        return None
    return next((what for test, what in _KINDS if test(mode)), "not a regular file")


def check_replaceable(path: Path) -> None:
    """Raise ForeignOutput unless `path` is absent or a regular file (never followed): the one
    check before anything publisher writes lands on a path."""
    what = kind_of(path)
    if what is not None:
        raise ForeignOutput(path, what)


def check_folder(path: Path) -> None:
    """Raise ForeignOutput unless `path` is absent or a folder itself (a symlink to a folder is
    refused too): the folders publisher writes into (`--out`, the cache)."""
    try:
        mode = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return
    if not stat.S_ISDIR(mode):
        what = "a regular file" if stat.S_ISREG(mode) else kind_of(path)
        raise ForeignOutput(path, what or "not a folder")


def write_atomically(target: Path, produce: Callable[[Path], None]) -> Path:
    """Call `produce(temp_path)` and move the result onto `target` only if it succeeded.
    Raises ForeignOutput, before anything is written, when `target` is not absent or a regular
    file; OSError when the folder cannot be written."""
    check_replaceable(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = _locked_temp(target)
    try:
        produce(temp)
        os.chmod(temp, 0o644)
        check_replaceable(target)  # again: `produce` may have taken long
        os.replace(temp, target)
    finally:
        try:
            temp.unlink(missing_ok=True)
        finally:
            os.close(handle)  # releases the lock
    return target


def _locked_temp(target: Path) -> tuple[int, Path]:
    """A new `.<name>.<pid>.<random>.part` beside `target` and an fd holding its lock. A sweep
    can take the lock in the instant between creation and `flock`; it then unlinks the file,
    which is seen here (the name no longer leads to the locked file) and another is made."""
    prefix = f".{target.name}.{os.getpid()}."
    while True:
        handle, name = tempfile.mkstemp(prefix=prefix, suffix=".part", dir=target.parent)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            if os.path.samestat(os.fstat(handle), os.lstat(name)):
                return handle, Path(name)
        except FileNotFoundError:
            pass
        except BaseException:
            os.close(handle)
            raise
        os.close(handle)


def write_bytes_atomically(target: Path, data: bytes) -> Path:
    def produce(temp: Path) -> None:
        temp.write_bytes(data)

    return write_atomically(target, produce)

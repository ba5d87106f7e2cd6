"""Opening files safely, and remembering what was opened: the mechanism under `access.Access`.

Every byte the build reads from disk is opened here: the path is resolved (symlinks followed),
must lie inside one of the allowed folders, and is then opened component by component from `/`
with `O_NOFOLLOW` (`openat(2)` on each folder's descriptor), so a symlink swapped in between
the check and the open fails instead of escaping. The opened descriptor is `fstat`ed: anything
but a regular file (FIFO, device, socket, folder) is refused before one byte is read; FIFOs are
opened with `O_NONBLOCK`, so opening one does not wait for a writer. At most `limit + 1` bytes
are read, whatever `stat` said.

While a `recording()` is active (the pipeline wraps each build in one), each read is recorded
as an `Input`: the resolved path and the sha256 of the exact bytes returned, plus folder
listings and the absence of files that would have been read had they existed (an override that
does not exist yet). `still_valid()` re-checks a recorded list: that is the build cache's
freshness test, so the cache key covers exactly what the build used.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import hashlib
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic, error

ABSENT = "absent"
FILE = "sha256:"
LISTING = "listing:"
NOT_REGULAR = "not-a-regular-file"
OUTSIDE = "path-outside-project"
UNREADABLE = "unreadable"
MISSING = "missing"


class Refused(Exception):
    """A path the gate will not read; `code` is the diagnostic code (`path-outside-project`,
    `not-a-regular-file`, `unreadable`, `missing`, or the caller's too-large code)."""

    def __init__(self, code: str, message: str, names: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.names = names  # the paths the message quotes, as `project.shown` gives them

    def diagnostic(self, path: str | Path, line: int = 0, col: int = 0) -> Diagnostic:
        """The refusal as the one problem type, an error at `path`:`line`:`col` (the place
        that named what was refused): the only conversion of a Refused."""
        return error(path, line, self.code, self.message, col, self.names)


@dataclass(frozen=True, order=True)
class Input:
    """One thing a build depended on: `path` (absolute, resolved) and `digest`, which is
    `sha256:<hex>` of the bytes read, `listing:<hex>` of a folder's entries, or `absent`."""

    path: str
    digest: str


class Recorder:
    """The inputs of one build, in the order first seen."""

    def __init__(self) -> None:
        self._seen: dict[Input, None] = {}

    def add(self, item: Input) -> None:
        self._seen.setdefault(item, None)

    def inputs(self) -> tuple[Input, ...]:
        return tuple(sorted(self._seen))


_CURRENT: contextvars.ContextVar[Recorder | None] = contextvars.ContextVar(
    "publisher_gate_recorder", default=None
)


@contextlib.contextmanager
def recording() -> Iterator[Recorder]:
    """Record every read made in this context (this thread) until it ends."""
    recorder = Recorder()
    token = _CURRENT.set(recorder)
    try:
        yield recorder
    finally:
        _CURRENT.reset(token)


def note(inputs: Iterable[Input]) -> None:
    """Record inputs read elsewhere (a worker process, a result kept in the cache) in the
    current recording, if any."""
    recorder = _CURRENT.get()
    if recorder is not None:
        for item in inputs:
            recorder.add(item)


def _record(path: Path, digest: str) -> None:
    recorder = _CURRENT.get()
    if recorder is not None:
        recorder.add(Input(os.fsdecode(path), digest))


def inside(path: Path, roots: Iterable[Path]) -> Path | None:
    """`path` resolved, if it lies inside one of `roots`; else None. Raises Refused
    (`unreadable`) for a symlink loop."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError, ValueError) as exc:
        # 3.11 raises RuntimeError on a symlink loop, ValueError on a NUL byte (`a%00b.png`).
        raise Refused(UNREADABLE, f"cannot resolve `{os.fsdecode(path)}`: {exc}") from None
    for root in roots:
        if resolved.is_relative_to(root.resolve()):
            return resolved
    return None


def _open_resolved(resolved: Path, directory: bool = False) -> int:
    """Open an absolute, symlink-free path without following any symlink on the way."""
    flags = os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW
    fd = os.open("/", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        parts = resolved.parts[1:]
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            mode = (os.O_DIRECTORY if directory else os.O_NONBLOCK) if last else os.O_DIRECTORY
            child = os.open(part, flags | mode, dir_fd=fd)
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


def _failure(exc: OSError, shown: str) -> Refused:
    if exc.errno in (errno.ELOOP, errno.ENOTDIR):
        # A component became a symlink (or a file) after the path was resolved.
        return Refused(OUTSIDE, f"`{shown}` changed while it was being opened: not read", (shown,))
    if exc.errno == errno.ENOENT:
        return Refused(MISSING, f"`{shown}` does not exist", (shown,))
    return Refused(UNREADABLE, f"cannot read `{shown}`: {exc.strerror or exc}", (shown,))


def read_file(
    path: Path, roots: Iterable[Path], limit: int, too_large: str, shown: str | None = None
) -> bytes:
    """The bytes of the regular file `path` (inside `roots`), at most `limit` of them.

    Raises Refused: `path-outside-project`, `missing`, `not-a-regular-file`, `unreadable`,
    or `too_large` (the caller's code) when the file holds more than `limit` bytes."""
    shown = shown or os.fsdecode(path)
    resolved = inside(path, roots)
    if resolved is None:
        raise Refused(OUTSIDE, f"`{shown}` is outside the project: not read", (shown,))
    try:
        fd = _open_resolved(resolved)
    except OSError as exc:
        raise _failure(exc, shown) from None
    # Checked before `fdopen`, which refuses a folder with a bare `[Errno 21] Is a directory: 3`.
    regular = False
    try:
        info = os.fstat(fd)
        regular = stat.S_ISREG(info.st_mode)
    except OSError as exc:
        raise _failure(exc, shown) from None
    finally:
        if not regular:
            os.close(fd)
    if not regular:
        raise Refused(NOT_REGULAR, f"`{shown}` is not a regular file: not read", (shown,))
    with os.fdopen(fd, "rb", buffering=0) as handle:
        try:
            if info.st_size > limit:
                raise Refused(
                    too_large, f"`{shown}` is {info.st_size:,} bytes (limit {limit:,})", (shown,)
                )
            chunks: list[bytes] = []
            size = 0
            while size <= limit:
                chunk = handle.read(min(1 << 20, limit + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        except OSError as exc:
            raise _failure(exc, shown) from None
    data = b"".join(chunks)
    if len(data) > limit:
        raise Refused(too_large, f"`{shown}` holds more than {limit:,} bytes", (shown,))
    _record(resolved, FILE + hashlib.sha256(data).hexdigest())
    return data


@dataclass(frozen=True)
class Entry:
    """One name in a folder; `name` may carry surrogate escapes (a non-UTF-8 name)."""

    path: Path
    name: str

    @property
    def utf8(self) -> bool:
        try:
            self.name.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True


def list_folder(folder: Path, roots: Iterable[Path], shown: str | None = None) -> list[Entry]:
    """The entries of `folder` (inside `roots`) sorted by name; recorded as one input.

    Raises Refused: `path-outside-project`, `missing`, `not-a-regular-file` (not a folder),
    `unreadable`."""
    shown = shown or os.fsdecode(folder)
    resolved = inside(folder, roots)
    if resolved is None:
        raise Refused(OUTSIDE, f"`{shown}` is outside the project: not read", (shown,))
    entries = _entries(resolved, shown)
    _record(resolved, LISTING + _listing_digest(entries))
    return [Entry(folder / name, name) for name, _ in entries]


def _entries(resolved: Path, shown: str) -> list[tuple[str, str]]:
    try:
        fd = _open_resolved(resolved, directory=True)
    except OSError as exc:
        if exc.errno == errno.ENOTDIR:
            raise Refused(NOT_REGULAR, f"`{shown}` is not a folder", (shown,)) from None
        raise _failure(exc, shown) from None
    try:
        with os.scandir(fd) as scan:
            # Hidden names (editor swap files) are never read, as `glob("*.md")` skipped them.
            return sorted((e.name, _kind(e)) for e in scan if not e.name.startswith("."))
    except OSError as exc:
        raise _failure(exc, shown) from None
    finally:
        os.close(fd)


def _kind(entry: os.DirEntry[str]) -> str:
    if entry.is_symlink():
        return "l"
    if entry.is_dir(follow_symlinks=False):
        return "d"
    return "f" if entry.is_file(follow_symlinks=False) else "o"


def _listing_digest(entries: list[tuple[str, str]]) -> str:
    hasher = hashlib.sha256()
    for name, kind in entries:
        hasher.update(os.fsencode(name) + b"\x00" + kind.encode("ascii") + b"\x00")
    return hasher.hexdigest()


def exists(path: Path) -> bool:
    """Whether `path` exists; its absence is recorded (a file that appears later counts)."""
    if os.path.lexists(path):
        return True
    _record(path.parent.resolve() / path.name, ABSENT)
    return False


def still_valid(inputs: Iterable[Input]) -> bool:
    """True when every recorded input is as it was: same bytes, same listing, still absent.

    Files are re-read with the same no-symlink, regular-file rules; any change, error or
    unknown kind of record answers False (a rebuild), never an exception."""
    for item in inputs:
        path = Path(item.path)
        try:
            if item.digest == ABSENT:
                if os.path.lexists(path):
                    return False
            elif item.digest.startswith(LISTING):
                entries = _entries(path, item.path)
                if LISTING + _listing_digest(entries) != item.digest:
                    return False
            elif item.digest.startswith(FILE):
                if FILE + _file_digest(path) != item.digest:
                    return False
            else:
                return False
        except (OSError, Refused):
            return False
    return True


def _file_digest(resolved: Path) -> str:
    fd = _open_resolved(resolved)
    with os.fdopen(fd, "rb", buffering=0) as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise Refused(NOT_REGULAR, f"`{os.fsdecode(resolved)}` is not a regular file")
        hasher = hashlib.sha256()
        for block in iter(lambda: handle.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()

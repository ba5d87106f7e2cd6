"""Transactional outputs: a build's files are made in a staging folder, then replace the old set.

POSIX renames one name at a time, so "all files replaced together" is built from single renames
and a journal. What is guaranteed (tests in `tests/test_faults_writing.py`):

- Until `commit()` starts, nothing in the output folder changes: an exporter error, a full disk,
  SIGTERM or Ctrl-C leave the previous files byte for byte, and the staging folder is removed.
- `commit()` writes a journal (`journal.json`: the output names in a fixed order, and which had
  a previous version), then for each output renames the previous file into `old/` and the new
  one into place. If any step raises, every step done so far is undone in reverse order and the
  error is raised again. SIGTERM and SIGINT that arrive during the renames (or the undo) are held
  back until they end, so a signal cannot stop a half-done set.
- SIGKILL between two renames cannot be held back: the output folder may then
  show some new files, some old ones and (for one instant) a missing one. The staging folder
  keeps the journal and every previous file, so `recover()`, run first by the next build, undoes
  the half-done commit: the previous set is back, byte for byte, before anything else happens.
  The commit point is the journal's removal after the last rename: a kill before it means the
  previous set, after it the new one.
- Only our own names are ever removed: staging folders `.publisher-staging-<pid>-<random>` whose
  process is gone, and temporary files `.<name>.<pid>.<random>.part` of a dead process (or, from
  versions before the pid was in the name, `.<output name>.<random>.part`). An output path that
  exists but is not a regular file (a folder, a symlink) is never replaced: `ForeignOutput`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Collection, Iterator
from pathlib import Path
from types import TracebackType

STAGING_PREFIX = ".publisher-staging-"
_STAGING = re.compile(r"\.publisher-staging-(\d+)-[a-z0-9_]+")
# `write_atomically`'s temporary names; the legacy form has no pid (tempfile's 8 random chars).
_PART = re.compile(r"\.(?P<name>.+?)\.(?:(?P<pid>\d+)\.)?[a-z0-9_]{8}\.part")
_JOURNAL = "journal.json"


class ForeignOutput(Exception):
    """An output path holds something that is not a file we wrote (a folder, a symlink)."""

    def __init__(self, path: Path, what: str) -> None:
        super().__init__(f"{path} is {what}, not a file a build wrote: it is left as it is")
        self.path, self.what = path, what

    @property
    def advice(self) -> str:
        """The message without the path (a diagnostic names it)."""
        return (
            f"this output's path is {self.what}, not a file a build wrote; nothing was replaced:"
            " move it away or build with another --out"
        )


def check_replaceable(path: Path) -> None:
    """Raise ForeignOutput unless `path` is absent or a regular file (never followed)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISLNK(mode):
        raise ForeignOutput(path, "a symbolic link")
    if stat.S_ISDIR(mode):
        raise ForeignOutput(path, "a folder")
    if not stat.S_ISREG(mode):
        raise ForeignOutput(path, "not a regular file")


class Staging:
    """`with Staging(out) as staging:` → `staging.place(final)` gives the path to write each
    output to; `staging.commit()` replaces the finals together. Leaving the block without a
    commit (an exception, a signal) removes the staging folder and touches nothing else."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.folder: Path | None = None
        self._finals: list[Path] = []

    def __enter__(self) -> Staging:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        prefix = f"{STAGING_PREFIX}{os.getpid()}-"
        self.folder = Path(tempfile.mkdtemp(prefix=prefix, dir=self.out_dir))
        try:
            (self.folder / "new").mkdir()
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)  # `__exit__` is not called for this
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.folder is None:
            return
        if (self.folder / _JOURNAL).exists():
            try:
                _roll_back(self.folder, self.out_dir)
            except OSError:
                return  # kept, journal and all: the next build's `recover()` tries again
        shutil.rmtree(self.folder, ignore_errors=True)

    def place(self, final: Path) -> Path:
        """Where to write the output that becomes `final` (a short name: long slugs fit)."""
        assert self.folder is not None, "use Staging as a context manager"
        if final.parent != self.out_dir:
            raise ValueError(f"{final} is not in {self.out_dir}")
        self._finals.append(final)
        return self.folder / "new" / f"{len(self._finals) - 1}{final.suffix}"

    def commit(self) -> None:
        """Replace every placed output; all or (after an exception) none. See the module doc."""
        assert self.folder is not None, "use Staging as a context manager"
        folder = self.folder
        for index, final in enumerate(self._finals):
            check_replaceable(final)
            with (folder / "new" / f"{index}{final.suffix}").open("rb") as staged:
                os.fsync(staged.fileno())
        (folder / "old").mkdir()
        journal = [{"name": f.name, "had_old": os.path.lexists(f)} for f in self._finals]
        _write_synced(folder / _JOURNAL, json.dumps(journal).encode("utf-8"))
        with _signals_held():
            try:
                for index, final in enumerate(self._finals):
                    if journal[index]["had_old"]:
                        check_replaceable(final)
                        os.rename(final, folder / "old" / str(index))
                    os.rename(folder / "new" / f"{index}{final.suffix}", final)
            except BaseException:
                _roll_back(folder, self.out_dir)  # raises if it cannot: the next build retries
                raise
            (folder / _JOURNAL).unlink()  # the commit point: from here on the new set stands
        shutil.rmtree(folder, ignore_errors=True)
        self.folder = None


def recover(out_dir: Path, output_names: Collection[str] = ()) -> None:
    """Undo the half-done commits of dead builds and remove their staging folders and temporary
    files (only names matching our patterns; `output_names` are this build's outputs, for the
    temporary files of versions without the pid in the name)."""
    try:
        entries = list(os.scandir(out_dir))
    except (FileNotFoundError, NotADirectoryError):
        return
    for entry in entries:
        staging = _STAGING.fullmatch(entry.name)
        if staging and entry.is_dir(follow_symlinks=False) and _dead(int(staging[1])):
            folder = Path(entry.path)
            if (folder / _JOURNAL).is_file():
                _roll_back(folder, out_dir)
            shutil.rmtree(folder, ignore_errors=True)
    sweep_parts(out_dir, output_names)


def sweep_parts(folder: Path, legacy_names: Collection[str] = ()) -> None:
    """Remove `write_atomically` temporary files of dead processes from `folder`."""
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return
    for entry in entries:
        part = _PART.fullmatch(entry.name)
        if part is None or not entry.is_file(follow_symlinks=False):
            continue
        pid = part["pid"]
        if _dead(int(pid)) if pid else part["name"] in legacy_names:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


def _roll_back(folder: Path, out_dir: Path) -> None:
    """Put back the previous set from a staging folder's journal (in reverse order)."""
    try:
        journal = json.loads((folder / _JOURNAL).read_text(encoding="utf-8"))
    except ValueError:
        journal = []  # written and synced before the first rename: nothing was moved yet
    for index in reversed(range(len(journal))):
        name, had_old = str(journal[index]["name"]), bool(journal[index]["had_old"])
        final = out_dir / name
        old = folder / "old" / str(index)
        new = folder / "new" / f"{index}{final.suffix}"
        if had_old and old.exists():
            os.replace(old, final)  # the new file (if it got there) is replaced by the old one
        elif not had_old and not new.exists() and os.path.lexists(final):
            os.rename(final, new)  # it is the new file: there was nothing before it
    (folder / _JOURNAL).unlink()


def _dead(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # someone else's live process
    return False


def _write_synced(path: Path, data: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGTERM and SIGINT back for the duration (main thread only; elsewhere Python
    delivers no signal handler anyway), then deliver them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {
        int(signum): signal.signal(signum, lambda number, frame: caught.append(number))
        for signum in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in caught:
            os.kill(os.getpid(), signum)

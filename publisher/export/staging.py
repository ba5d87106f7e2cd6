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
- Only our own names are ever removed: staging folders `.publisher-staging-<pid>-<random>` and
  temporary files `.<name>.<pid>.<random>.part` (or, from versions before the pid was in the
  name, `.<output name>.<random>.part`) of a build that is no longer running. An output path
  that exists but is not a regular file (a folder, a symlink, a device, a FIFO) is never
  replaced: `ForeignOutput` (`base/files.check_replaceable`, the check every write goes through).

Whether a build is still running never rests on its pid alone: `kill(pid, 0)` succeeds on a
zombie (a killed build whose parent has not reaped it) and on an unrelated process that got the
pid later. A live build holds an exclusive `flock` on `<staging folder>/lock`, and on each `.part`
file, for as long as it needs them; the kernel releases it when the process dies, zombie or not.
The next build takes that lock (non-blocking) before it repairs or removes anything, and holds
it while it does: whatever it can lock is abandoned, whatever it cannot is left alone. The lock
file is made under another name and renamed to `lock` once locked, so a `lock` that can be taken
is never one still being set up. A staging folder without `lock` (the instant between `mkdtemp`
and the rename, or a version before the lock) is judged by its pid: abandoned when no such
process exists, when it is a zombie, or when it started after the folder was last changed (pid
reuse; `/proc/<pid>/stat`, Linux).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Collection, Iterator
from pathlib import Path
from types import TracebackType

from ..base.files import ForeignOutput as ForeignOutput  # raised here, imported from here too
from ..base.files import check_replaceable as check_replaceable

STAGING_PREFIX = ".publisher-staging-"
_STAGING = re.compile(r"\.publisher-staging-(\d+)-[a-z0-9_]+")
# `write_atomically`'s temporary names; the legacy form has no pid (tempfile's 8 random chars).
_PART = re.compile(r"\.(?P<name>.+?)\.(?:(?P<pid>\d+)\.)?[a-z0-9_]{8}\.part")
_JOURNAL = "journal.json"
_LOCK = "lock"


class Staging:
    """`with Staging(out) as staging:` → `staging.place(final)` gives the path to write each
    output to; `staging.commit()` replaces the finals together. Leaving the block without a
    commit (an exception, a signal) removes the staging folder and touches nothing else."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.folder: Path | None = None
        self._finals: list[Path] = []
        self._lock: int | None = None  # an fd holding `<folder>/lock` while we are alive

    def __enter__(self) -> Staging:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        prefix = f"{STAGING_PREFIX}{os.getpid()}-"
        self.folder = Path(tempfile.mkdtemp(prefix=prefix, dir=self.out_dir))
        try:
            self._lock = _hold_lock(self.folder)
            (self.folder / "new").mkdir()
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)  # `__exit__` is not called for this
            self._release()
            raise
        return self

    def _release(self) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.folder is None:
            return
        try:
            if (self.folder / _JOURNAL).exists():
                try:
                    _roll_back(self.folder, self.out_dir)
                except OSError:
                    return  # kept, journal and all, unlocked: the next `recover()` tries again
            shutil.rmtree(self.folder, ignore_errors=True)
        finally:
            self._release()

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
        self._release()


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
        if not (staging and entry.is_dir(follow_symlinks=False)):
            continue
        folder = Path(entry.path)
        try:
            lock = _claim(folder / _LOCK)
        except FileNotFoundError:
            lock = -1 if _abandoned_by(int(staging[1]), folder) else None
        except OSError:
            continue  # not ours to judge (unreadable): left alone
        if lock is None:
            continue  # a live build's
        try:
            if (folder / _JOURNAL).is_file():
                _roll_back(folder, out_dir)
            shutil.rmtree(folder, ignore_errors=True)
        finally:
            if lock >= 0:
                os.close(lock)
    sweep_parts(out_dir, output_names)


def sweep_parts(folder: Path, legacy_names: Collection[str] = ()) -> None:
    """Remove `write_atomically` temporary files from `folder` whose lock nobody holds (their
    writer has died; see the module doc)."""
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return
    for entry in entries:
        part = _PART.fullmatch(entry.name)
        if part is None or not entry.is_file(follow_symlinks=False):
            continue
        if not part["pid"] and part["name"] not in legacy_names:
            continue
        try:
            lock = _claim(Path(entry.path))
        except OSError:
            continue
        if lock is not None:
            try:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
            finally:
                os.close(lock)


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


def _hold_lock(folder: Path) -> int:
    """Lock a new file, then rename it to `<folder>/lock`: the fd that holds the lock."""
    handle, name = tempfile.mkstemp(prefix=".lock-", dir=folder)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        os.rename(name, folder / _LOCK)
    except BaseException:
        os.close(handle)
        raise
    return handle


def _claim(path: Path) -> int | None:
    """An fd holding `path`'s exclusive lock, or None when another open file holds it (a live
    process, or this one). Raises OSError (FileNotFoundError when `path` is absent)."""
    handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(handle)
        return None
    except BaseException:
        os.close(handle)
        raise
    return handle


def _abandoned_by(pid: int, folder: Path) -> bool:
    """For a staging folder without a lock file: its process is gone, a zombie, or a later
    process that got the same pid (started after the folder last changed)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # another user's process: /proc still tells its state
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        boot = next(
            float(line.split()[1])
            for line in Path("/proc/stat").read_text(encoding="ascii").splitlines()
            if line.startswith("btime ")
        )
        changed = folder.stat().st_mtime
    except FileNotFoundError:
        return True  # the process ended meanwhile (or the folder went)
    except (OSError, StopIteration, ValueError, IndexError):
        return False  # no /proc: the pid is all there is, and it is alive
    fields = stat_line.rpartition(")")[2].split()  # after `(comm)`, which may hold spaces
    if fields[0] in ("Z", "X"):
        return True
    started = boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: starttime
    return started > changed + 2  # `btime` is rounded to the second


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

"""Atomic output: write beside the target, then rename; a failed build leaves old files intact.

The temporary name, `.<name>.<pid>.<random>.part`, says whose it is, and the writer holds an
exclusive `flock` on it until it is renamed away (the kernel drops the lock when the process dies,
zombie or not): `staging.sweep_parts` removes only such files whose lock it can take."""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomically(target: Path, produce: Callable[[Path], None]) -> Path:
    """Call `produce(temp_path)` and move the result onto `target` only if it succeeded."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = _locked_temp(target)
    try:
        produce(temp)
        os.chmod(temp, 0o644)
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

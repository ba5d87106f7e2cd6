"""Atomic output: write beside the target, then rename; a failed build leaves old files intact.

The temporary name, `.<name>.<pid>.<random>.part`, says whose it is: `staging.sweep_parts`
removes those of dead processes, and never another file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomically(target: Path, produce: Callable[[Path], None]) -> Path:
    """Call `produce(temp_path)` and move the result onto `target` only if it succeeded."""
    target.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{target.name}.{os.getpid()}."
    handle, name = tempfile.mkstemp(prefix=prefix, suffix=".part", dir=target.parent)
    os.close(handle)
    temp = Path(name)
    try:
        produce(temp)
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    return target


def write_bytes_atomically(target: Path, data: bytes) -> Path:
    def produce(temp: Path) -> None:
        temp.write_bytes(data)

    return write_atomically(target, produce)

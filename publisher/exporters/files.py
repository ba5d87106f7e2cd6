"""Atomic output: write beside the target, then rename; a failed build leaves old files intact."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomically(target: Path, produce: Callable[[Path], None]) -> Path:
    """Call `produce(temp_path)` and move the result onto `target` only if it succeeded."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
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

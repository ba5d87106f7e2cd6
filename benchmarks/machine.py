"""A short description of the machine and tool versions, for RESULTS.md."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path


def _first_line(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)
    except OSError as exc:
        return f"unavailable ({exc.strerror})"
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else "unknown"


def _proc_field(path: str, key: str) -> str:
    try:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            name, _, value = line.partition(":")
            if name.strip() == key:
                return value.strip()
    except OSError:
        pass
    return "unknown"


def _os_name() -> str:
    pretty = _proc_field("/etc/os-release", "PRETTY_NAME")
    if pretty == "unknown":  # os-release uses `=`, not `:`
        for line in Path("/etc/os-release").read_text(encoding="utf-8").splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    return pretty


def describe(venv_bin: Path) -> list[tuple[str, str]]:
    mem_kib = _proc_field("/proc/meminfo", "MemTotal").split()[0]
    memory = f"{int(mem_kib) / 1024 / 1024:.1f} GiB" if mem_kib.isdigit() else "unknown"
    return [
        ("CPUs (`nproc`)", str(len(os.sched_getaffinity(0)))),
        ("CPU model", _proc_field("/proc/cpuinfo", "model name")),
        ("Memory", memory),
        ("OS / kernel", f"{_os_name()} / {platform.release()}"),
        ("Python", _first_line([str(venv_bin / "python"), "--version"])),
        ("WeasyPrint", _first_line([str(venv_bin / "weasyprint"), "--version"])),
        ("Pandoc", _first_line(["pandoc", "--version"])),
        ("publisher", _first_line([str(venv_bin / "publisher"), "--version"])),
    ]

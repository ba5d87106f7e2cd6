"""Shared by the fault-injection suites: a tiny project (the `tests/golden/mini` anthology,
built as HTML and EPUB: the guarantees do not depend on the format, and without the PDF a
build takes a fraction of a second), byte-exact folder snapshots, and a tmpfs for a full disk.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from publisher.cache import CACHE_DIR
from publisher.pipeline import BuildRequest, BuildResult, Format, build

from .conftest import REPO

MINI = REPO / "tests" / "golden" / "mini" / "in"
FORMATS = frozenset({Format.HTML, Format.EPUB})
ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (mount, chattr)")
EDIT = "\n\nUna frase nueva sobre el plano final de «La vaquilla», rodada en 1985.\n"


class Project:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.anthology = root / "manuscripts" / "anthology.toml"
        self.dist = root / "dist"
        self.cache = root / CACHE_DIR
        self.review = root / "manuscripts" / "reviews" / "la-vaquilla.md"

    def build(self, out: Path | None = None, **options: Any) -> BuildResult:
        return build(BuildRequest(self.anthology, FORMATS, out or self.dist, **options))

    def edit(self, text: str = EDIT) -> None:
        self.review.write_text(self.review.read_text(encoding="utf-8") + text, encoding="utf-8")

    def reference(self) -> dict[str, bytes]:
        """What a clean build of the current sources writes (no cache read or written)."""
        out = self.root / "reference"
        shutil.rmtree(out, ignore_errors=True)
        self.build(out, cache=False)
        return files(out)


def files(folder: Path) -> dict[str, bytes]:
    """Every entry of `folder`, hidden ones included, by name (folders as a marker)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        found[name] = path.read_bytes() if path.is_file() else b"<folder>"
    return found


def new_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    shutil.copytree(MINI, tmp_path / "project")
    return Project(tmp_path / "project")


def built_project(project: Project) -> Project:
    """A project with a previous set in `dist/`, then a review edited: the next build rebuilds."""
    project.build()
    project.edit()
    return project


def restore(folder: Path, content: dict[str, bytes]) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    restore_into(folder, content)


@contextlib.contextmanager
def tmpfs(folder: Path, size: int, content: dict[str, bytes]) -> Iterator[None]:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                           capture_output=True, text=True)  # fmt: skip
    if mount.returncode != 0:
        pytest.fail(f"root, but cannot mount a tmpfs: {mount.stderr}")
    try:
        restore_into(folder, content)
        yield
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def restore_into(folder: Path, content: dict[str, bytes]) -> None:
    for name, data in content.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        if data == b"<folder>":
            (folder / name).mkdir(parents=True, exist_ok=True)
        else:
            (folder / name).write_bytes(data)

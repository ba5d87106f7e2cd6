"""Fault injection on the build cache: damage of every kind is a cold cache, and a cache that
cannot be written costs a warning, never the build (`publisher/cache.py`)."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from .faults import (
    ROOT_ONLY,
    Project,
    built_project,
    files,
    new_project,
    restore_into,
    tmpfs,
)


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """A project with a previous set in `dist/`, then a review edited: the next build rebuilds."""
    return built_project(new_project(tmp_path, monkeypatch))


def _fragments(project: Project) -> list[Path]:
    return sorted((project.cache / "fragments").glob("*.html"))


def _manifest(text: str) -> Callable[[Project], None]:
    def damage(project: Project) -> None:
        (project.cache / "outputs.json").write_text(text, encoding="utf-8")

    return damage


def _each_fragment(change: Callable[[bytes], bytes]) -> Callable[[Project], None]:
    def damage(project: Project) -> None:
        for path in _fragments(project):
            path.write_bytes(change(path.read_bytes()))

    return damage


def _surveys(change: Callable[[bytes], bytes]) -> Callable[[Project], None]:
    def damage(project: Project) -> None:
        path = project.cache / "surveys.json"
        edited = change(path.read_bytes())
        assert edited != path.read_bytes()
        path.write_bytes(edited)

    return damage


def _poisoned(data: bytes) -> bytes:
    head, _, body = data.partition(b"\n")
    return head + b"\n" + body.replace(b"<p>", b'<p><script>alert("x")</script>', 1)


def _folder_instead(path: Path) -> None:
    path.unlink()
    path.mkdir()


DAMAGE: dict[str, Callable[[Project], None]] = {
    "manifest-list": _manifest("[]"),
    "manifest-null": _manifest("null"),
    "manifest-garbled": _manifest('{"dist/mini.html": {"key": '),
    "manifest-entry-shape": _manifest('{"x": 5, "y": {"key": 1, "diagnostics": {}}}'),
    "manifest-binary": lambda p: (p.cache / "outputs.json").write_bytes(b"\xff\xfe\x00garbage"),
    "fragment-truncated": _each_fragment(lambda data: data[: len(data) // 2]),
    "fragment-garbled": _each_fragment(lambda data: bytes(b ^ 0x5A for b in data)),
    "fragment-poisoned": _each_fragment(_poisoned),
    "fragment-empty": _each_fragment(lambda data: b""),
    "fragment-without-hash": _each_fragment(lambda data: data.partition(b"\n")[2]),
    # The loader's Markdown readings (survey_cache.py): trusted, a link would go nowhere.
    "surveys-truncated": _surveys(lambda data: data[: len(data) // 2]),
    "surveys-garbled": _surveys(lambda data: bytes(b ^ 0x5A for b in data)),
    "surveys-edited": _surveys(lambda data: data.replace(b"],[]]", b'],["#nowhere"]]')),
    "surveys-without-hash": _surveys(lambda data: data.partition(b"\n")[2]),
}


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_a_damaged_cache_is_a_cold_cache(built: Project, kind: str) -> None:
    reference = built.reference()
    assert _fragments(built)
    DAMAGE[kind](built)
    result = built.build()
    assert files(built.dist) == reference
    assert result.diagnostics == ()
    assert all(b"<script>" not in data for data in files(built.dist).values())
    again = built.build()  # the rebuilt cache is sound: every fragment read back verifies
    assert again.up_to_date and files(built.dist) == reference


def test_a_folder_where_a_fragment_goes_costs_a_warning(built: Project) -> None:
    folders = _fragments(built)
    for path in folders:
        _folder_instead(path)
    result = built.build()
    assert files(built.dist) == built.reference()
    assert {d.code for d in result.diagnostics} == {"cache-unwritable"}
    # Not ours to remove; the fragments that have a place of their own are written as made.
    assert all(path.is_dir() for path in folders)


def test_a_file_where_the_cache_folder_goes_costs_a_warning(built: Project) -> None:
    shutil.rmtree(built.cache)
    built.cache.write_text("not a folder", encoding="utf-8")
    result = built.build()
    assert [d.code for d in result.diagnostics] == ["cache-unwritable"]
    assert files(built.dist) == built.reference()
    assert built.cache.read_text(encoding="utf-8") == "not a folder"


@ROOT_ONLY
def test_an_immutable_cache_folder_costs_a_warning_root_only(built: Project) -> None:
    subprocess.run(["chattr", "+i", str(built.cache)], check=True)
    try:
        result = built.build()
    finally:
        subprocess.run(["chattr", "-i", str(built.cache)], check=True)
    assert [d.code for d in result.diagnostics] == ["cache-unwritable"]
    assert files(built.dist) == built.reference()


@ROOT_ONLY
def test_a_full_disk_for_the_cache_costs_a_warning_root_only(built: Project) -> None:
    content = files(built.cache)
    manifest = {k: v for k, v in content.items() if k == "outputs.json"}
    # Room for the manifest as it is (whole pages), then filled: nothing more can be written.
    size = -(-len(manifest["outputs.json"]) // 4096) * 4096 + 4096
    with tmpfs(built.cache, size, {}):
        restore_into(built.cache, manifest)
        filler = built.cache / "filler"
        with contextlib.suppress(OSError), filler.open("wb") as handle:
            handle.write(b"\0" * (1 << 20))
        result = built.build()
        assert [d.code for d in result.diagnostics] == ["cache-unwritable"]
        assert files(built.dist) == built.reference()


def test_unused_fragments_are_pruned(built: Project) -> None:
    kept = {path.name for path in _fragments(built)}
    built.build()
    after = {path.name for path in _fragments(built)}
    assert len(after) == len(kept) and after != kept  # the edited review's old fragments went
    manifest = json.loads((built.cache / "outputs.json").read_text(encoding="utf-8"))
    used = {key + ".html" for entry in manifest.values() for key in entry["fragments"]}
    assert used == after

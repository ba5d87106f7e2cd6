"""Fault injection on the writing side: the outputs are replaced all together or not at all,
whatever fails or stops a build (`publisher/export/staging.py`)."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from publisher.base.diagnostics import BuildFailed

from .conftest import REPO
from .faults import (
    ROOT_ONLY,
    Project,
    built_project,
    files,
    new_project,
    restore,
    tmpfs,
)


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """A project with a previous set in `dist/`, then a review edited: the next build rebuilds."""
    return built_project(new_project(tmp_path, monkeypatch))


class _Injected(OSError):
    pass


@contextlib.contextmanager
def fail_at(number: int, calls: list[str]) -> Iterator[None]:
    """Count every write and rename (and the fsyncs and folders they need); the `number`-th
    raises ENOSPC, as a full disk would. `number` 0 only counts."""
    patched: dict[tuple[Any, str], Callable[..., Any]] = {}

    def wrap(owner: Any, name: str) -> None:
        real = getattr(owner, name)
        patched[(owner, name)] = real

        def injected(*args: Any, **kwargs: Any) -> Any:
            if name == "mkdir" and os.path.isdir(args[0]):
                return real(*args, **kwargs)  # `exist_ok`: it raises, and the caller moves on
            calls.append(name)
            if len(calls) == number:
                raise _Injected(errno.ENOSPC, "No space left on device (injected)")
            return real(*args, **kwargs)

        setattr(owner, name, injected)

    for name in ("rename", "replace", "fsync", "mkdir", "chmod"):
        wrap(os, name)
    wrap(Path, "write_bytes")
    try:
        yield
    finally:
        for (owner, name), real in patched.items():
            setattr(owner, name, real)


def test_a_failure_at_any_write_leaves_dist_as_it_was(built: Project) -> None:
    before, cache_before = files(built.dist), files(built.cache)
    new = built.reference()
    counted: list[str] = []
    with fail_at(0, counted):
        built.build()
    total = len(counted)
    assert total >= 10, counted
    for number in range(1, total + 1):
        restore(built.dist, before)
        restore(built.cache, cache_before)
        calls: list[str] = []
        try:
            with fail_at(number, calls):
                result = built.build()
        except BuildFailed as failure:
            # Before or during the commit: the previous set, byte for byte, and nothing else.
            assert [d.code for d in failure.diagnostics] == ["output-unwritable"], number
            assert files(built.dist) == before, f"write {number} ({calls[-1]}) changed dist/"
        else:
            # After the commit (saving the cache): the new set, and a warning.
            assert files(built.dist) == new, f"write {number} ({calls[-1]}): a mixed dist/"
            codes = [d.code for d in result.diagnostics]
            if not codes and "fsync" not in calls[: number - 1]:
                # A fragment written to the cache as it was made (issue 17: peak RSS) failed
                # before the commit (which begins with its fsyncs): it stayed in memory and the
                # save wrote it, nothing lost.
                assert not built.build().diagnostics, f"write {number}: the next build"
                assert files(built.dist) == new, f"write {number}: the next build's dist/"
                continue
            assert codes == ["cache-unwritable"], f"write {number} ({calls[-1]}): {codes}"
        # Once the commit had begun (its renames), the next build is still a clean build. (Before
        # it, nothing but the staging folder was touched, and that is checked above.)
        if "rename" in calls:
            built.build()
            assert files(built.dist) == new, f"the build after a failure at write {number}"


_KILLER = """
import os, signal, sys
from pathlib import Path
target, calls = int(sys.argv[1]), [0]
real_rename, real_replace = os.rename, os.replace
def counted(real):
    def rename(*args, **kwargs):
        calls[0] += 1
        if calls[0] == target:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    return rename
os.rename, os.replace = counted(real_rename), counted(real_replace)
from publisher.cli import main
code = main(sys.argv[2:])
Path(os.environ["RENAMES_FILE"]).write_text(str(calls[0]))
sys.exit(code)
"""


def test_sigkill_at_every_rename_is_repaired_by_the_next_build(built: Project) -> None:
    before, cache_before = files(built.dist), files(built.cache)
    new = built.reference()
    count_file = built.root.parent / "renames"
    command = [sys.executable, "-c", _KILLER]
    arguments = ["build", str(built.anthology), "--format", "html,epub", "--out", str(built.dist)]
    env = {**os.environ, "PYTHONPATH": str(REPO), "RENAMES_FILE": str(count_file)}
    subprocess.run([*command, "0", *arguments], env=env, check=True, capture_output=True)
    renames = int(count_file.read_text())
    assert renames >= 4  # at least: each output and the cache manifest
    for number in range(1, renames + 1):
        restore(built.dist, before)
        restore(built.cache, cache_before)
        killed = subprocess.run([*command, str(number), *arguments], env=env, capture_output=True)
        assert killed.returncode == -signal.SIGKILL, (number, killed.stderr)
        # The repair alone: the previous set, or (killed while saving the cache) the new one.
        from publisher.export import staging

        staging.recover(built.dist, ["mini.html", "mini.epub"])
        assert files(built.dist) in (before, new), f"a mixed dist/ after a kill at rename {number}"
        built.build()
        assert files(built.dist) == new, f"the build after a kill at rename {number}"
        assert not [p for p in built.cache.rglob("*") if p.name.endswith(".part")]


# Runs the build (`_KILLER`) as its child and never reaps it: once killed, the child stays a
# zombie, with its pid still answering `kill(pid, 0)`, for as long as this parent lives.
_ZOMBIE_PARENT = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", *sys.argv[1:]], stdout=subprocess.DEVNULL)
while True:
    with open(f"/proc/{child.pid}/stat") as stat:
        if stat.read().rpartition(")")[2].split()[0] == "Z":
            break
    time.sleep(0.02)
print(child.pid, flush=True)
time.sleep(300)
"""


def _leftovers(project: Project, pid: int) -> list[Path]:
    found = [*project.dist.iterdir(), *project.cache.rglob("*")]
    return [path for path in found if f"-{pid}-" in path.name or f".{pid}." in path.name]


def _kill_at(project: Project, number: int) -> tuple[list[str], dict[str, str], int]:
    """The killer command and env; with `number` 0, how many renames a whole build does."""
    count_file = project.root.parent / "renames"
    command = [_KILLER, str(number), "build", str(project.anthology), "--format", "html,epub",
               "--out", str(project.dist)]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO), "RENAMES_FILE": str(count_file)}
    if number:
        return command, env, number
    subprocess.run([sys.executable, "-c", *command], env=env, check=True, capture_output=True)
    return command, env, int(count_file.read_text())


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.parametrize("where", ["commit", "cache"])
def test_a_build_killed_and_left_a_zombie_is_repaired_by_the_next_build(
    built: Project, where: str
) -> None:
    """Killed in the middle of the commit (a journal) or while saving the cache (a `.part`),
    its pid still a zombie: the next build repairs, removes the leftovers, equals a clean one."""
    before, cache_before, new = files(built.dist), files(built.cache), built.reference()
    renames = _kill_at(built, 0)[2]
    restore(built.dist, before)
    restore(built.cache, cache_before)
    command, env, _ = _kill_at(built, 6 if where == "commit" else renames)  # as below
    parent = subprocess.Popen([sys.executable, "-c", _ZOMBIE_PARENT, *command], env=env,
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert parent.stdout is not None
        pid = int(parent.stdout.readline())
        left = _leftovers(built, pid)
        if where == "commit":
            assert [p.name for p in left if (p / "journal.json").is_file()], left
        else:
            assert [p for p in left if p.name.endswith(".part")], left
        os.kill(pid, 0)  # the zombie answers as if it were alive
        built.build()
        assert _leftovers(built, pid) == []
        assert files(built.dist) == new
    finally:
        parent.kill()
        parent.wait()


def test_leftovers_named_with_the_pid_of_another_live_process_are_repaired(
    built: Project,
) -> None:
    """Pid reuse: the killed build's pid now belongs to an unrelated live process (`sleep`),
    which holds no lock on them."""
    new = built.reference()
    # Renames: the lock, the two exports into the staging folder, then the commit's: killed
    # with the HTML replaced and the EPUB not yet.
    command, env, _ = _kill_at(built, 6)
    killed = subprocess.run([sys.executable, "-c", *command], env=env, capture_output=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    other = subprocess.Popen(["sleep", "300"])
    try:
        (folder,) = [p for p in built.dist.iterdir() if p.name.startswith(".publisher-staging-")]
        assert (folder / "journal.json").is_file()
        folder.rename(built.dist / f".publisher-staging-{other.pid}-abcd1234")
        part = built.cache / f".outputs.json.{other.pid}.zzzzzzzz.part"
        part.write_bytes(b"half a manifest")
        built.build()
        assert _leftovers(built, other.pid) == []
        assert files(built.dist) == new
    finally:
        other.kill()
        other.wait()


def test_a_staging_folder_without_a_lock_is_judged_by_its_process(tmp_path: Path) -> None:
    """No `lock` yet (the instant after `mkdtemp`) or a version before it: kept while its pid is
    a process that started before the folder; removed when that process started later."""
    from publisher.export import staging

    starting = tmp_path / f".publisher-staging-{os.getpid()}-abcd1234"
    starting.mkdir()
    other = subprocess.Popen(["sleep", "300"])
    try:
        reused = tmp_path / f".publisher-staging-{other.pid}-abcd1234"
        reused.mkdir()
        os.utime(reused, (time.time() - 60, time.time() - 60))  # left a minute before `sleep`
        staging.recover(tmp_path)
        assert starting.is_dir() and not reused.exists()
    finally:
        other.kill()
        other.wait()


def test_a_temporary_file_taken_by_a_sweep_before_its_lock_is_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sweep that locks and removes a `.part` in the instant before its writer locks it does
    not make the writer lose its file: it sees the name gone and makes another."""
    import tempfile

    from publisher.base import files as exporter_files
    from publisher.export.staging import sweep_parts

    real, made = tempfile.mkstemp, []

    def swept_once(*args: Any, **kwargs: Any) -> tuple[int, str]:
        handle, name = real(*args, **kwargs)
        made.append(name)
        if len(made) == 1:
            sweep_parts(tmp_path)
        return handle, name

    monkeypatch.setattr(exporter_files.tempfile, "mkstemp", swept_once)
    target = exporter_files.write_bytes_atomically(tmp_path / "mini.html", b"<p>entero</p>")
    assert len(made) == 2 and not os.path.exists(made[0])
    assert target.read_bytes() == b"<p>entero</p>"
    assert sorted(os.listdir(tmp_path)) == ["mini.html"]


def test_stale_leftovers_are_removed_and_nothing_else(built: Project) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    pid = int(dead.stdout)
    ours = [
        built.dist / f".publisher-staging-{pid}-abcd1234",
        built.dist / f".mini.epub.{pid}.k2j4h5g6.part",
        built.dist / ".mini.html.a1b2c3d4.part",  # before the pid was in the name
        built.cache / f".outputs.json.{pid}.zzzzzzzz.part",
    ]
    ours[0].mkdir()
    (ours[0] / "new").mkdir()
    (ours[0] / "new" / "0.epub").write_bytes(b"half an EPUB")
    for path in ours[1:]:
        path.write_bytes(b"half a file")
    not_ours = [
        built.dist / "notas.txt",
        built.dist / ".other.abcdefgh.part",  # not one of our outputs' names, no pid
        built.dist / f".mini.epub.{os.getpid()}.abcdefgh.part",  # a live writer's: locked
        built.dist / ".publisher-staging-mio",
    ]
    for path in not_ours:
        path.write_bytes(b"someone else's")
    with not_ours[2].open("rb") as writing:
        fcntl.flock(writing, fcntl.LOCK_EX)
        built.build()
    assert [path for path in ours if path.exists()] == []
    assert all(path.read_bytes() == b"someone else's" for path in not_ours)


def test_a_folder_where_the_epub_goes_is_a_clear_error_and_dist_is_untouched(
    built: Project,
) -> None:
    (built.dist / "mini.epub").unlink()
    (built.dist / "mini.epub").mkdir()
    (built.dist / "mini.epub" / "mine.txt").write_text("no es un libro", encoding="utf-8")
    before = files(built.dist)
    command = [sys.executable, "-m", "publisher", "build", str(built.anthology),
               "--format", "html,epub", "--out", str(built.dist)]  # fmt: skip
    # Run from the project's folder: messages name paths relative to where the user stands.
    result = subprocess.run(command, capture_output=True, text=True, cwd=built.dist.parent,
                            env={**os.environ, "PYTHONPATH": str(REPO)})  # fmt: skip
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "\ndist/mini.epub: error: output-not-a-file: " in "\n" + result.stderr
    assert "path is a folder" in result.stderr
    assert files(built.dist) == before


def test_a_symlink_where_the_html_goes_is_not_followed(built: Project, tmp_path: Path) -> None:
    outside = tmp_path / "outside.html"
    outside.write_text("ajeno", encoding="utf-8")
    (built.dist / "mini.html").unlink()
    (built.dist / "mini.html").symlink_to(outside)
    before = files(built.dist)
    with pytest.raises(BuildFailed) as failure:
        built.build()
    assert [d.code for d in failure.value.diagnostics] == ["output-not-a-file"]
    assert files(built.dist) == before and outside.read_text(encoding="utf-8") == "ajeno"


def test_an_exporter_error_leaves_dist_as_it_was(
    built: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    import publisher.export.epub as epub

    before = files(built.dist)

    def broken(*args: object) -> bytes:
        raise RuntimeError("a broken EPUB template")

    monkeypatch.setattr(epub, "build_epub", broken)
    with pytest.raises(RuntimeError):
        built.build()
    assert files(built.dist) == before


@ROOT_ONLY
def test_full_disk_for_the_outputs_leaves_dist_as_it_was_root_only(built: Project) -> None:
    before = files(built.dist)
    size = sum(len(data) for data in before.values())
    with tmpfs(built.dist, size + size // 2, before):
        with pytest.raises(BuildFailed) as failure:
            built.build()
        assert [d.code for d in failure.value.diagnostics] == ["output-unwritable"]
        assert "No space left" in failure.value.diagnostics[0].message
        assert files(built.dist) == before


def test_sigterm_during_the_renames_waits_for_the_whole_set(
    built: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    new = built.reference()
    real_rename, renames = os.rename, []

    def rename(*args: Any) -> None:
        renames.append(args)
        if len(renames) == 3:  # (the first locks the staging folder) the HTML goes in place
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.05)  # the handler would run here if it were not held back
        real_rename(*args)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    monkeypatch.setattr(os, "rename", rename)
    try:
        with pytest.raises(KeyboardInterrupt):
            built.build()
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert len(renames) == 5 and files(built.dist) == new


def test_signals_during_the_commit_wait_for_its_end() -> None:
    from publisher.export import staging

    # Python's own Ctrl-C handler, even if the suite was started with SIGINT ignored.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        _interrupt_after_the_commit(staging)
    finally:
        signal.signal(signal.SIGINT, previous)


def _interrupt_after_the_commit(staging: ModuleType) -> None:
    with pytest.raises(KeyboardInterrupt), staging._signals_held():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)
        finished = True
    assert finished

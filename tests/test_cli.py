"""The command line through its real entry point: exit codes and what it prints."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import MINI_TOML, REPO, ProjectMaker, review


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "publisher", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_without_film_year_exits_1_with_path_and_line(make_project: ProjectMaker) -> None:
    anthology = make_project(
        {"ok.md": review(), "roto.md": review(film="X").replace("  year: 1990\n", "")}
    )
    result = run("check", cwd=anthology.parent.parent)
    assert result.returncode == 1
    assert "manuscripts/reviews/roto.md:3: error: front-matter-missing-key:" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_ok_and_list(make_project: ProjectMaker) -> None:
    anthology = make_project({"ok.md": review(title="Mi reseña", film="Mi película")})
    root = anthology.parent.parent
    assert run("check", cwd=root).returncode == 0
    listing = run("list", cwd=root)
    assert listing.returncode == 0
    assert "Mi reseña" in listing.stdout and "Mi película" in listing.stdout


def test_usage_error_exits_2(tmp_path: Path) -> None:
    assert run("build", "--format", "docx", cwd=tmp_path).returncode == 2
    assert run("frobnicate", cwd=tmp_path).returncode == 2


def test_missing_anthology_is_a_clear_error(tmp_path: Path) -> None:
    # A named file that is not there (with none named: tests/test_project.py).
    result = run("check", "anthology.toml", cwd=tmp_path)
    assert result.returncode == 1
    assert "anthology-missing" in result.stderr and "Traceback" not in result.stderr


def test_new_writes_a_skeleton_that_passes_check(make_project: ProjectMaker) -> None:
    anthology = make_project({"ok.md": review()}, MINI_TOML)
    root = anthology.parent.parent
    made = run(
        "new", "Una tregua helada", "--film", "La tregua", "--year", "2025",
        "--director", "Miguel Ángel Vivas", "--part", "exilio", cwd=root,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    skeleton = root / "manuscripts" / "reviews" / "la-tregua.md"
    assert "Miguel Ángel Vivas" in skeleton.read_text(encoding="utf-8")
    assert run("check", cwd=root).returncode == 0
    first = skeleton.read_text(encoding="utf-8")
    again = run(
        "new", "Otra", "--film", "La tregua", "--year", "2025", "--director", "X",
        "--part", "El exilio", cwd=root,
    )  # fmt: skip
    assert again.returncode == 0 and "reviews/la-tregua-2.md" in again.stdout, again.stderr
    assert skeleton.read_text(encoding="utf-8") == first  # never replaced


def test_build_html_writes_one_file(make_project: ProjectMaker) -> None:
    anthology = make_project({"ok.md": review(body='Dijo "hola".')})
    root = anthology.parent.parent
    result = run("build", "--format", "html", "--out", "salida", cwd=root)
    assert result.returncode == 0, result.stderr
    html = (root / "salida" / "antologia-de-prueba.html").read_text(encoding="utf-8")
    assert "Dijo «hola»." in html
    assert [p.name for p in (root / "salida").iterdir()] == ["antologia-de-prueba.html"]

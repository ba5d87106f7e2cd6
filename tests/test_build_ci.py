"""Builds a CI can trust: reproducible, incremental, machine-readable."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO

EPOCH = "1763596800"  # 2025-11-20
MINI = REPO / "tests" / "golden" / "mini" / "in"


def copy_project(source: Path, to: Path) -> Path:
    shutil.copytree(source / "manuscripts", to / "manuscripts")
    return to / "manuscripts" / "anthology.toml"


def cli(*args: str, cwd: Path, epoch: str | None = EPOCH) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("SOURCE_DATE_EPOCH", None)
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = epoch
    return subprocess.run(
        [sys.executable, "-m", "publisher", *args],
        cwd=cwd, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip


def outputs(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir()) if path.is_file()}


def report(path: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_two_builds_in_two_copies_are_byte_identical(tmp_path: Path) -> None:
    results = []
    for name in ("first", "second-copy-elsewhere"):
        copy_project(REPO, tmp_path / name)
        done = cli("build", "--out", "dist", cwd=tmp_path / name)
        assert done.returncode == 0, done.stderr
        results.append(outputs(tmp_path / name / "dist"))
    first, second = results
    assert sorted(first) == [
        "guerra-y-memoria-print.pdf",
        "guerra-y-memoria.epub",
        "guerra-y-memoria.html",
        "guerra-y-memoria.pdf",
    ]
    for name in first:
        assert first[name] == second[name], f"{name} differs between two builds"


@pytest.fixture(scope="module")
def incremental(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Cold build, no-op rebuild, one-review edit; then a clean build of the edited inputs."""
    work = tmp_path_factory.mktemp("incremental")
    copy_project(MINI, work)
    runs = {}
    for name in ("cold", "noop"):
        done = cli("build", "--json", f"{name}.json", cwd=work)
        assert done.returncode == 0, done.stderr
        runs[name] = (done, report(work / f"{name}.json"))
    review = work / "manuscripts" / "reviews" / "ay-carmela.md"
    review.write_text(review.read_text(encoding="utf-8") + "\nUna frase nueva.\n", encoding="utf-8")
    edited = cli("build", "--json", "edit.json", cwd=work)
    assert edited.returncode == 0, edited.stderr
    runs["edit"] = (edited, report(work / "edit.json"))
    clean_copy = tmp_path_factory.mktemp("clean")
    shutil.copytree(work / "manuscripts", clean_copy / "manuscripts")
    clean = cli("build", "--clean", cwd=clean_copy)
    assert clean.returncode == 0, clean.stderr
    return {"runs": runs, "edited": outputs(work / "dist"), "clean": outputs(clean_copy / "dist")}


def test_noop_rebuild_rebuilds_nothing_and_says_so(incremental: dict[str, object]) -> None:
    runs = incremental["runs"]
    assert isinstance(runs, dict)
    done, data = runs["noop"]
    assert "up to date" in done.stdout
    assert data["up_to_date"] is True
    assert data["cache"]["outputs_built"] == 0
    assert set(data["stages"]) == {"plan"}, "nothing but the plan may run"


def test_one_edit_reuses_the_other_reviews(incremental: dict[str, object]) -> None:
    runs = incremental["runs"]
    assert isinstance(runs, dict)
    _, cold = runs["cold"]
    _, data = runs["edit"]
    assert cold["cache"]["fragments_reused"] == 0
    assert data["cache"]["outputs_built"] == 4  # every output holds the edited review
    # Rendered Markdown of the untouched documents (reviews, prologue, part intro) is reused
    # for each of the four targets; only the edited review is converted again.
    assert data["cache"]["fragments_reused"] == 4 * 4


def test_incremental_result_equals_a_clean_build(incremental: dict[str, object]) -> None:
    edited, clean = incremental["edited"], incremental["clean"]
    assert isinstance(edited, dict) and isinstance(clean, dict)
    assert sorted(edited) == sorted(clean)
    for name in edited:
        assert edited[name] == clean[name], f"{name}: incremental build differs from clean"


def test_json_report_describes_outputs(incremental: dict[str, object]) -> None:
    runs = incremental["runs"]
    assert isinstance(runs, dict)
    _, data = runs["cold"]
    by_name = {Path(o["path"]).name: o for o in data["outputs"]}
    assert set(by_name) == {"mini.html", "mini.pdf", "mini-print.pdf", "mini.epub"}
    assert by_name["mini.pdf"]["pages"] > 5 and by_name["mini.html"]["pages"] is None
    assert all(len(o["sha256"]) == 64 and o["bytes"] > 0 for o in data["outputs"])
    assert {"plan", "load", "render", "export-print", "export-epub", "cache"} <= set(data["stages"])
    assert data["exit_code"] == 0 and data["diagnostics"] == []


def test_a_noop_rebuild_reports_the_page_counts_of_a_fresh_build(
    incremental: dict[str, object],
) -> None:
    """A PDF reused whole from the cache still has its pages in the report (the cache keeps
    the count with the file's sha256), as the build that wrote it said."""
    runs = incremental["runs"]
    assert isinstance(runs, dict)
    (_, cold), (_, noop) = runs["cold"], runs["noop"]
    pages = {Path(o["path"]).name: (o["pages"], o["cached"]) for o in noop["outputs"]}
    fresh = {Path(o["path"]).name: (o["pages"], True) for o in cold["outputs"]}
    assert pages == fresh
    assert pages["mini-print.pdf"][0] > 5 and pages["mini.html"][0] is None


def test_messages_formats_strict_and_quiet(tmp_path: Path) -> None:
    anthology = copy_project(MINI, tmp_path)
    review = anthology.parent / "reviews" / "ay-carmela.md"
    review.write_text(review.read_text(encoding="utf-8").replace("  year: 1990\n", ""), "utf-8")
    text = cli("check", "--json", "check.json", cwd=tmp_path)
    assert text.returncode == 1
    line = "manuscripts/reviews/ay-carmela.md:3: error: front-matter-missing-key: missing required key `film.year`"
    assert line in text.stderr.splitlines()
    assert report(tmp_path / "check.json")["diagnostics"] == [
        {
            "path": "manuscripts/reviews/ay-carmela.md",
            "line": 3,
            "col": 0,
            "severity": "error",
            "code": "front-matter-missing-key",
            "message": "missing required key `film.year`",
            "source": "publisher",
            "names": [],
        }
    ]
    github = cli("check", "--format-messages", "github", cwd=tmp_path)
    assert (
        "::error file=manuscripts/reviews/ay-carmela.md,line=3::front-matter-missing-key: "
        "missing required key `film.year`"
    ) in github.stderr.splitlines()
    review.write_text(
        review.read_text(encoding="utf-8").replace("date:", "  year: 1990\ndate:"), "utf-8"
    )
    quiet = cli("check", "--quiet", cwd=tmp_path)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")


def test_strict_turns_warnings_into_errors(tmp_path: Path) -> None:
    anthology = copy_project(MINI, tmp_path)
    # A face that no machine has: the PDF build warns and falls back.
    overrides = anthology.parent / "style-overrides" / "css"
    overrides.mkdir(parents=True)
    (overrides / "theme.css").write_text(
        'body { font-family: "Nonexistent Face", serif; }\n', "utf-8"
    )
    relaxed = cli("build", "--format", "pdf", cwd=tmp_path)
    assert relaxed.returncode == 0, relaxed.stderr
    assert "warning: font-missing:" in relaxed.stderr and "Nonexistent Face" in relaxed.stderr
    strict = cli("build", "--format", "pdf", "--strict", cwd=tmp_path)
    assert strict.returncode == 1
    assert "error: font-missing:" in strict.stderr


def test_validate_runs_the_real_validators(tmp_path: Path) -> None:
    copy_project(MINI, tmp_path)
    done = cli("build", "--validate", "--json", "report.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr + done.stdout
    data = report(tmp_path / "report.json")
    ran = sorted((v["validator"], Path(v["target"]).name) for v in data["validators"])
    assert ran == [
        ("ace", "mini.epub"),
        ("epubcheck", "mini.epub"),
        ("fidelity", "mini-print.pdf"),
        ("fidelity", "mini.epub"),
        ("fidelity", "mini.html"),
        ("fidelity", "mini.pdf"),
        ("glyphs", "mini-print.pdf"),
        ("glyphs", "mini.pdf"),
        ("pdf", "mini-print.pdf"),
        ("pdf", "mini.pdf"),
    ]
    assert all(v["ok"] for v in data["validators"])
    broken = tmp_path / "dist" / "mini.epub"
    broken.write_bytes(broken.read_bytes()[:-200])  # a truncated archive
    again = cli("validate", "--json", "validate.json", cwd=tmp_path)
    assert again.returncode == 1
    assert "mini.epub" in again.stderr and "error:" in again.stderr


def test_allowing_remote_images_changes_the_cache_key(tmp_path: Path) -> None:
    from publisher.base.project import project_root
    from publisher.load.anthology_file import load_anthology_spec
    from publisher.plan import BuildRequest, Format, plan_outputs

    anthology = copy_project(MINI, tmp_path)
    spec = load_anthology_spec(anthology, project_root(anthology))
    keys = [
        [
            item.key
            for item in plan_outputs(
                spec, BuildRequest(anthology, frozenset(Format), tmp_path, allow_remote=hosts)
            )
        ]
        for hosts in (None, frozenset(), frozenset({"example.org"}))
    ]
    assert len({tuple(k) for k in keys}) == 3

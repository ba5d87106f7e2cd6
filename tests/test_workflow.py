"""The GitHub Actions template cannot run here: check it parses and calls the README's commands."""

from __future__ import annotations

import re

import yaml

from .conftest import REPO

WORKFLOW = REPO / ".github" / "workflows" / "book.yml"


def readme_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Two commands on a fresh Debian machine", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    return [line.split("#", 1)[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_workflow_parses_and_runs_the_readme_commands() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert {"push", "pull_request"} <= set(workflow[True])  # YAML 1.1 reads `on` as True
    [job] = workflow["jobs"].values()
    runs = [step["run"] for step in job["steps"] if "run" in step]
    uses = [step["uses"] for step in job["steps"] if "uses" in step]
    commands = readme_commands()
    assert commands == [
        "bash scripts/setup-system.sh && make book",
        "bash scripts/setup-system.sh && make test",
    ]
    # Every part of the README's two commands appears as a step, set-up first.
    for part in ("bash scripts/setup-system.sh", "make test", "make book"):
        assert part in runs, part
    assert (
        runs.index("bash scripts/setup-system.sh")
        < runs.index("make test")
        < runs.index("make book")
    )
    assert any(run.startswith(".venv/bin/publisher validate") for run in runs)
    assert any(use.startswith("actions/upload-artifact") for use in uses)
    upload = next(
        step for step in job["steps"] if step.get("uses", "").startswith("actions/upload")
    )
    assert upload["with"]["path"] == "dist/"


def test_ci_entry_runs_the_readme_test_command() -> None:
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/setup-system.sh && make test" in script

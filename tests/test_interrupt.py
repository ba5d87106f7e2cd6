"""A build killed while writing leaves the previous outputs intact and no temporary files."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from .conftest import REPO


def test_sigterm_mid_write_keeps_previous_outputs(tmp_path: Path) -> None:
    shutil.copytree(REPO / "manuscripts", tmp_path / "manuscripts")
    anthology = tmp_path / "manuscripts" / "anthology.toml"
    dist = tmp_path / "dist"
    command = [sys.executable, "-m", "publisher", "build", str(anthology), "--format", "pdf",
               "--out", str(dist), "--clean"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run(command, check=True, env=env, capture_output=True, timeout=600)
    before = {path.name: path.read_bytes() for path in dist.iterdir()}
    assert len(before) == 2

    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    try:
        while not list(dist.glob(".publisher-staging-*/new/*")):
            assert process.poll() is None, "the build ended before it wrote anything"
            assert time.monotonic() < deadline
            time.sleep(0.002)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 143, err.decode()
    assert b"publisher: interrupted" in err and b"Traceback" not in err
    assert not list(dist.glob("*.part")) and not list(dist.glob(".*.part"))
    assert not list(dist.glob(".publisher-staging-*"))
    assert {path.name: path.read_bytes() for path in dist.iterdir()} == before
    manuscripts = {p.name: p.read_bytes() for p in (REPO / "manuscripts" / "reviews").iterdir()}
    assert {
        p.name: p.read_bytes() for p in (tmp_path / "manuscripts" / "reviews").iterdir()
    } == manuscripts

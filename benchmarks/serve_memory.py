"""Memory of `publisher serve` over many saves: RSS after the first save and after N saves.

    .venv/bin/python -m benchmarks.serve_memory [--saves 300] [--project tests/golden/mini/in]

Copies the project to a temporary folder, starts `publisher serve` on a free port, then saves its
largest review N times, each time with a numbered note after every sentence (so each version's
whole rendered body is new), waits for each rebuild (the server prints `rebuilt in`), and loads
the page after each, as the open tab would. Prints RSS (VmRSS, Linux)
after the first and after the last save, and the ratio; exits 1 when it grew by more than 10%.
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
URL_LINE = re.compile(r"(http://\S+/)")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def measure(project: Path, saves: int) -> tuple[int, int]:
    """(RSS in KiB after the first save, after the last)."""
    with tempfile.TemporaryDirectory(prefix="serve-memory-") as folder:
        copy = Path(folder) / "project"
        for part in ("manuscripts", "styles"):  # not the rest of a repository (.venv, .git)
            if (project / part).is_dir():
                shutil.copytree(project / part, copy / part)
        anthology = copy / "manuscripts" / "anthology.toml"
        reviews = (copy / "manuscripts" / "reviews").glob("*.md")
        review = max(reviews, key=lambda path: (path.stat().st_size, path.name))
        original = review.read_text(encoding="utf-8")
        head, _, body = original.partition("\n---\n")
        command = [sys.executable, "-m", "publisher", "serve", str(anthology)]
        process = subprocess.Popen(
            [*command, "--port", str(_free_port())],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(REPO)},
        )
        lines: queue.Queue[str] = queue.Queue()
        assert process.stdout is not None
        stream = process.stdout
        threading.Thread(target=lambda: [lines.put(x) for x in stream], daemon=True).start()
        try:
            url = ""
            while not url:
                match = URL_LINE.search(lines.get(timeout=60))
                url = match.group(1) if match else ""
            time.sleep(1.0)  # the URL is printed just before the watcher starts
            first = 0
            for number in range(1, saves + 1):
                edited = body.replace(". ", f". (Nota {number}.) ")
                review.write_text(f"{head}\n---\n{edited}", encoding="utf-8")
                while "rebuilt in" not in lines.get(timeout=60):
                    pass
                with urllib.request.urlopen(url, timeout=60) as response:
                    response.read()
                if number == 1:
                    first = rss_kib(process.pid)
            return first, rss_kib(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--project", type=Path, default=REPO, help="holds manuscripts/")
    args = parser.parse_args()
    started = time.monotonic()
    first, last = measure(args.project, args.saves)
    ratio = last / first
    print(
        f"serve RSS after the first save: {first / 1024:.1f} MiB; after {args.saves} saves: "
        f"{last / 1024:.1f} MiB ({ratio:.3f}x) in {time.monotonic() - started:.0f} s"
    )
    return 0 if ratio <= 1.10 else 1


if __name__ == "__main__":
    sys.exit(main())

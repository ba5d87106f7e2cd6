"""`publisher serve`, end to end: a real server process, a real headless Chromium."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MINI = REPO / "tests" / "golden" / "mini" / "in"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
URL_LINE = re.compile(r"(http://\S+/)")
STARTUP_SECONDS = 60


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str
    port: int
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)

    def stop(self) -> int:
        """Ctrl-C, as a user would; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _interrupt_by_default() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(anthology: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "publisher", "serve", str(anthology), "--port", str(port)],
        cwd=anthology.parent.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        # Ctrl-C as in a terminal, even when the suite itself was started with SIGINT ignored
        # (a background job of a shell without job control).
        preexec_fn=_interrupt_by_default,
    )


def _drain(stream: object, sink: list[str], lines: queue.Queue[str] | None) -> None:
    for line in stream:  # type: ignore[attr-defined]
        sink.append(line)
        if lines is not None:
            lines.put(line)


@contextmanager
def running_server(anthology: Path) -> Iterator[Server]:
    port = free_port()
    process = start(anthology, port)
    lines: queue.Queue[str] = queue.Queue()
    server = Server(process, "", port)
    # Both pipes are drained all the time, so a chatty server never blocks on a full pipe.
    threading.Thread(
        target=_drain, args=(process.stdout, server.stdout, lines), daemon=True
    ).start()
    threading.Thread(target=_drain, args=(process.stderr, server.stderr, None), daemon=True).start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.url:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            process.kill()
            pytest.fail(f"no URL within {STARTUP_SECONDS} s; stderr: {''.join(server.stderr)}")
        if match := URL_LINE.search(line):
            server.url = match.group(1)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def anthology(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(MINI, project)
    return project / "manuscripts" / "anthology.toml"


def get(url: str, host: str | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as failure:
        return failure.code, failure.headers["Content-Type"], failure.read()


def missing_year(review: Path) -> tuple[str, int]:
    """The review without `film.year`, and the line the loader reports (the `film:` key)."""
    lines = review.read_text(encoding="utf-8").splitlines(keepends=True)
    broken = "".join(line for line in lines if not line.startswith("  year:"))
    return broken, 1 + next(i for i, line in enumerate(lines) if line.startswith("film:"))


def test_browser_shows_saves_overlays_errors_and_keeps_the_place(
    anthology: Path, tmp_path: Path
) -> None:
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed (scripts/setup-system.sh installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    review = anthology.parent / "reviews" / "la-vaquilla.md"
    original = review.read_text(encoding="utf-8")
    added = "Esta frase se escribe mientras la vista previa está abierta."

    with running_server(anthology) as server, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        page = browser.new_page(viewport={"width": 1000, "height": 760})
        overlay = page.locator("#publisher-live-overlay")
        try:
            page.goto(server.url)
            page.wait_for_function("() => !!document.getElementById('la-vaquilla')")
            # The reader is 120 px into the review being edited.
            page.evaluate(
                "window.scrollTo(0, document.getElementById('la-vaquilla')"
                ".getBoundingClientRect().top + window.scrollY + 120)"
            )
            page.wait_for_timeout(300)  # the event stream is open by now

            written = time.monotonic()
            review.write_text(original.replace("con poco[^1].", f"con poco[^1]. {added}"))
            page.wait_for_function(
                "text => document.body.innerText.includes(text)", arg=added, timeout=5000
            )
            latency = time.monotonic() - written
            print(f"save to screen: {latency * 1000:.0f} ms")
            assert latency < 1.0, f"the save took {latency:.2f} s to show"
            page.wait_for_load_state("load")
            page.evaluate("document.fonts.ready.then(() => true)")
            top = page.evaluate(
                "document.getElementById('la-vaquilla').getBoundingClientRect().top"
            )
            assert abs(top + 120) <= 2, f"the review moved: its top is at {top} px"
            sync_api.expect(overlay).to_be_hidden()
            page.screenshot(path=tmp_path / "preview.png")

            broken, line = missing_year(review)
            review.write_text(broken)
            where = f"manuscripts/reviews/la-vaquilla.md:{line}"
            sync_api.expect(overlay).to_be_visible(timeout=2000)
            sync_api.expect(overlay).to_contain_text(where)
            sync_api.expect(overlay).to_contain_text("film.year")
            assert added in page.evaluate("document.body.innerText")  # the last good build stays
            page.screenshot(path=tmp_path / "overlay.png")
            check = browser.new_page()
            check.goto(server.url + "check")
            sync_api.expect(check.locator("li")).to_contain_text(where)
            check.close()

            review.write_text(original.replace("con poco[^1].", f"con poco[^1]. {added}"))
            sync_api.expect(overlay).to_be_hidden(timeout=2000)
            assert added in page.evaluate("document.body.innerText")
        except BaseException:
            page.screenshot(path=tmp_path / "failure.png")
            raise
        finally:
            browser.close()
    assert any(where in line for line in server.stderr), "the terminal shows the error too"


def test_check_and_pdf_pages(anthology: Path) -> None:
    with running_server(anthology) as server:
        status, kind, body = get(server.url + "check")
        assert (status, kind) == (200, "text/html; charset=utf-8")
        assert b"No problems." in body

        status, kind, pdf = get(server.url + "pdf")
        assert (status, kind) == (200, "application/pdf")
        assert pdf.startswith(b"%PDF-")

        review = anthology.parent / "reviews" / "ay-carmela.md"
        broken, line = missing_year(review)
        review.write_text(broken)
        where = f"manuscripts/reviews/ay-carmela.md:{line}".encode()
        deadline = time.monotonic() + 10
        while where not in body and time.monotonic() < deadline:
            time.sleep(0.1)
            body = get(server.url + "check")[2]
        assert where in body
        assert b"front-matter-missing-key" in body
        assert get(server.url + "pdf")[0] == 503  # no PDF of sources that do not build

        # Only the built page and the three endpoints exist: no path reaches a file.
        for path in ("manuscripts/anthology.toml", "../../etc/passwd", "favicon.ico"):
            assert get(server.url + path)[0] == 404


def test_binds_loopback_by_default(anthology: Path) -> None:
    with running_server(anthology) as server:
        assert server.url == f"http://127.0.0.1:{server.port}/"
        listening = {
            fields[1]
            for fields in (
                row.split() for row in Path("/proc/net/tcp").read_text().splitlines()[1:]
            )
            if fields[3] == "0A"  # LISTEN
        }
        assert f"0100007F:{server.port:04X}" in listening
        assert f"00000000:{server.port:04X}" not in listening
        # Another host name (DNS rebinding) is refused even on the loopback address.
        assert get(server.url, host=f"attacker.example:{server.port}")[0] == 403


def test_second_server_on_the_same_port_fails_clearly(anthology: Path) -> None:
    with running_server(anthology) as server:
        second = start(anthology, server.port)
        _, err = second.communicate(timeout=60)
        assert second.returncode == 1
        assert err.strip() == (
            f"publisher: error: port {server.port} is in use on 127.0.0.1; pick another with --port"
        )
        assert server.process.poll() is None  # the first one is unharmed


def test_ctrl_c_stops_cleanly(anthology: Path) -> None:
    with running_server(anthology) as server:
        assert get(server.url)[0] == 200
        code = server.stop()
    assert code == 0
    assert "Traceback" not in "".join(server.stderr)
    assert "stopped" in "".join(server.stdout)

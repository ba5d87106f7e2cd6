"""The preview server against other web pages, slow clients and many saves
(`publisher/serve/`)."""

from __future__ import annotations

import contextlib
import gc
import shutil
import socket
import threading
import time
import urllib.error
import urllib.request
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .faults import MINI


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

"""HTTP for the preview: the page, server-sent build events, `/check` and `/pdf`.

It serves only what is built in memory: no route maps a URL to a file, so nothing outside the
project (or inside it) is read on a request's behalf.
"""

from __future__ import annotations

import socket
import tempfile
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from ..book import Target
from ..model import Anthology
from ..pipeline import render
from .inject import check_page, event_data, live_page
from .state import BuildState, Snapshot

KEEPALIVE_SECONDS = 15.0
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class PdfCache:
    """The screen PDF of the last good build, made on the first request after a change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # one render at a time; later requests wait and reuse it
        self._key = -1
        self._pdf = b""

    def get(self, anthology: Anthology, key: int) -> bytes:
        with self._lock:
            if key != self._key:
                self._pdf, self._key = _screen_pdf(anthology), key
            return self._pdf


def _screen_pdf(anthology: Anthology) -> bytes:
    from ..exporters.pdf import export_pdf  # WeasyPrint is slow to import: only when asked

    book = render(anthology, Target.SCREEN_PDF)
    with tempfile.TemporaryDirectory(prefix="publisher-preview-") as folder:
        return export_pdf(book, Path(folder) / "preview.pdf").path.read_bytes()


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # open event streams must not hold up the exit

    def __init__(self, address: tuple[str, int], state: BuildState) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.state = state
        self.pdf = PdfCache()
        # A loopback server answers only to loopback names: a web page elsewhere cannot
        # reach the manuscripts through DNS rebinding.
        self.check_host = address[0] in LOOPBACK
        super().__init__(address, Handler)


class Handler(BaseHTTPRequestHandler):
    server_version = "publisher-preview"

    @property
    def preview(self) -> PreviewServer:
        assert isinstance(self.server, PreviewServer)
        return self.server

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the terminal is for build results."""

    def do_GET(self) -> None:
        if self.preview.check_host and not self._loopback_host():
            self._send(HTTPStatus.FORBIDDEN, b"forbidden host\n", "text/plain; charset=utf-8")
            return
        url = urlsplit(self.path)
        snapshot = self.preview.state.current
        if url.path in ("/", "/index.html"):
            self._send(HTTPStatus.OK, live_page(snapshot).encode("utf-8"))
        elif url.path == "/events":
            self._events(url.query)
        elif url.path == "/check":
            self._send(HTTPStatus.OK, check_page(snapshot).encode("utf-8"))
        elif url.path == "/pdf":
            self._pdf(snapshot)
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8")

    def _loopback_host(self) -> bool:
        name = urlsplit("//" + (self.headers.get("Host") or "")).hostname
        return name in LOOPBACK

    def _send(
        self, status: HTTPStatus, body: bytes, kind: str = "text/html; charset=utf-8"
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _pdf(self, snapshot: Snapshot) -> None:
        if not snapshot.ok or snapshot.anthology is None:
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, check_page(snapshot).encode("utf-8"))
            return
        pdf = self.preview.pdf.get(snapshot.anthology, snapshot.good_builds)
        self._send(HTTPStatus.OK, pdf, "application/pdf")

    def _events(self, query: str) -> None:
        try:
            version = int(parse_qs(query).get("version", ["-1"])[0])
        except ValueError:
            version = -1
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        state = self.preview.state
        try:
            self.wfile.write(b"retry: 1000\n\n")
            snapshot: Snapshot | None = state.current
            while snapshot is not None:
                if snapshot.version != version:  # a page older than the build catches up at once
                    version = snapshot.version
                    message = f"event: build\nid: {version}\ndata: {event_data(snapshot)}\n\n"
                    self.wfile.write(message.encode("utf-8"))
                else:
                    self.wfile.write(b": keepalive\n\n")  # notices a closed tab
                snapshot = state.wait_newer(version, KEEPALIVE_SECONDS)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the tab went away

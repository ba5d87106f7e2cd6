"""HTTP for the preview: the page, server-sent build events, `/check` and `/pdf`.

It serves only what is built in memory: no route maps a URL to a file, so nothing outside the
project (or inside it) is read on a request's behalf. Another web page open in the same browser
cannot make it work: a request from another origin (its `Origin` header, or `Sec-Fetch-Site:
cross-site`/`same-site`) gets 403 on every route but the page itself and its event stream, no
page may frame it (`X-Frame-Options`, CSP `frame-ancestors`), and a connection that has not sent
its headers within `HEADER_SECONDS` is closed.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from ..base.model import Anthology
from ..base.rendered import Target
from ..export import export
from ..pipeline import render
from .inject import check_page, event_data, live_page
from .state import BuildState, Snapshot

KEEPALIVE_SECONDS = 15.0
HEADER_SECONDS = 5.0  # a request line and headers not complete by then: the connection is closed
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
# What a page of another origin may still load: the preview itself (a link to it) and its events.
CROSS_ORIGIN_ALLOWED = frozenset({"/", "/index.html", "/events"})
FOREIGN_FETCH_SITES = frozenset({"cross-site", "same-site"})
SECURITY_HEADERS = (
    ("X-Frame-Options", "DENY"),
    ("Content-Security-Policy", "frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
)


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
    return export(render(anthology, Target.SCREEN_PDF)).data


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # open event streams must not hold up the exit
    # A page loads its fonts and images at once; the default backlog of 5 drops connections.
    request_queue_size = 128
    header_seconds = HEADER_SECONDS

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

    def handle_one_request(self) -> None:
        """As the base class, but the request line and headers must arrive within
        `header_seconds` in all (a per-read timeout alone lets a byte-a-second client stay)."""
        timer = threading.Timer(self.preview.header_seconds, self._hang_up)
        self._headers_done = self._cut_off = False
        timer.start()
        try:
            super().handle_one_request()
        finally:
            timer.cancel()

    def parse_request(self) -> bool:
        done = super().parse_request()
        self._headers_done = True
        if self._cut_off:  # what was read ended at the hang-up, not at a blank line
            self.close_connection = True
            return False
        return done

    def _hang_up(self) -> None:
        if not self._headers_done:
            self._cut_off = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

    def end_headers(self) -> None:
        for name, value in SECURITY_HEADERS:
            self.send_header(name, value)
        super().end_headers()

    def do_GET(self) -> None:
        if self.preview.check_host and not self._loopback_host():
            self._send(HTTPStatus.FORBIDDEN, b"forbidden host\n", "text/plain; charset=utf-8")
            return
        url = urlsplit(self.path)
        if url.path not in CROSS_ORIGIN_ALLOWED and self._foreign_origin():
            body = b"forbidden: a request from another origin\n"
            self._send(HTTPStatus.FORBIDDEN, body, "text/plain; charset=utf-8")
            return
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

    def _foreign_origin(self) -> bool:
        """True when the browser says another site sent this request (Fetch Metadata, or an
        `Origin` that is not this server's own `http://<Host>`)."""
        if (self.headers.get("Sec-Fetch-Site") or "").lower() in FOREIGN_FETCH_SITES:
            return True
        origin = self.headers.get("Origin")
        own = f"http://{self.headers.get('Host', '')}"
        return origin is not None and origin.lower() != own.lower()

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

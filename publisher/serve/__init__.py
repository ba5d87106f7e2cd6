"""`publisher serve`: a live preview of the HTML edition for authors and editors.

`state` holds the current build, `watch` rebuilds it when a source changes, `server` serves it
(with server-sent events that reload the open tab), `inject` makes the preview-only HTML.
"""

from __future__ import annotations

import errno
import signal
import sys
import threading
import webbrowser
from pathlib import Path
from types import FrameType

from .server import PreviewServer
from .state import BuildState
from .watch import Builder, watch_and_rebuild

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
PORTS_TRIED = 20  # without `--port`: DEFAULT_PORT and the next ones, until one is free


def serve(
    anthology_file: Path,
    host: str = DEFAULT_HOST,
    port: int | None = None,
    open_browser: bool = False,
) -> int:
    """Serve until Ctrl-C; the exit code for the command line (1: no anthology file, or no
    port to listen on). `port` None: DEFAULT_PORT, or the first free one of the PORTS_TRIED
    from it (said on standard error); a `port` given must be free. `open_browser`: open the
    preview with `webbrowser` once the first build is ready."""
    if not anthology_file.is_file():
        print(f"publisher: error: {anthology_file}: no such anthology file", file=sys.stderr)
        return 1
    state = BuildState()
    server = _listen(host, port, state)
    if isinstance(server, str):
        print(f"publisher: error: {server}", file=sys.stderr)
        return 1

    # `kill` stops as cleanly as Ctrl-C (signal handlers can only be set from the main thread).
    on_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if on_main else None
    stop = threading.Event()
    thread = threading.Thread(target=server.serve_forever, name="preview-http", daemon=True)
    try:
        builder = Builder(anthology_file, state)
        builder.build()  # first build before the URL, so the first page load has content
        thread.start()
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{shown}:{server.server_address[1]}/"
        print(f"serving the preview at {url}  (also /check and /pdf; Ctrl-C to stop)", flush=True)
        if open_browser and not webbrowser.open(url):
            print(f"publisher: no web browser to open; open {url}", file=sys.stderr)
        watch_and_rebuild(builder, stop)
    except KeyboardInterrupt:
        print("stopped", flush=True)
    finally:
        stop.set()
        state.close()  # ends the open event streams
        if thread.is_alive():
            server.shutdown()
        server.server_close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return 0


def _listen(host: str, port: int | None, state: BuildState) -> PreviewServer | str:
    """A server listening on `port`, or on the first free port from DEFAULT_PORT when `port`
    is None; or why there is none."""
    first = DEFAULT_PORT if port is None else port
    tries = PORTS_TRIED if port is None else 1
    for candidate in range(first, first + tries):
        try:
            server = PreviewServer((host, candidate), state)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                continue
            return f"cannot listen on {host} port {candidate}: {exc.strerror or exc}"
        if candidate != first:
            print(f"publisher: port {first} is in use; using port {candidate}", file=sys.stderr)
        return server
    if port is not None:
        return f"port {port} is in use on {host}; pick another with --port"
    last = first + tries - 1
    return f"ports {first} to {last} are all in use on {host}; pick a free one with --port"


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt

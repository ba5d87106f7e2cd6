"""`publisher serve`: a live preview of the HTML edition for authors and editors.

`state` holds the current build, `watch` rebuilds it when a source changes, `server` serves it
(with server-sent events that reload the open tab), `inject` makes the preview-only HTML.
"""

from __future__ import annotations

import errno
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from .server import PreviewServer
from .state import BuildState
from .watch import Builder, watch_and_rebuild

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def serve(anthology_file: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> int:
    """Serve until Ctrl-C; the exit code for the command line."""
    if not anthology_file.is_file():
        print(f"publisher: error: {anthology_file}: no such anthology file", file=sys.stderr)
        return 1
    state = BuildState()
    try:
        server = PreviewServer((host, port), state)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            reason = f"port {port} is in use on {host}; pick another with --port"
        else:
            reason = f"cannot listen on {host} port {port}: {exc.strerror or exc}"
        print(f"publisher: error: {reason}", file=sys.stderr)
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


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt

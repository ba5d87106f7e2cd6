"""The current preview build, shared by the watcher (one writer) and the HTTP threads (readers).

Each build is published as an immutable `Snapshot`, so readers never see half an update; the
condition variable wakes the `/events` streams waiting for a newer version.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

from ..base.diagnostics import Diagnostic
from ..base.model import Anthology


@dataclass(frozen=True)
class Snapshot:
    version: int = 0  # bumped on every build, good or bad
    page: str | None = None  # the last good HTML edition, without the live-reload script
    etag: str = ""  # hash of `page`: the browser reloads only when it differs from its own
    document_ids: tuple[str, ...] = ()  # ids of the page's sections, in reading order
    changed: tuple[str, ...] = ()  # ids whose HTML differs from the previous good build
    errors: tuple[Diagnostic, ...] = ()  # non-empty while the sources do not build
    warnings: tuple[Diagnostic, ...] = ()
    anthology: Anthology | None = None  # the last good anthology, for `/pdf`
    good_builds: int = 0  # keys the PDF cache: it changes whenever the inputs built again

    @property
    def ok(self) -> bool:
        return not self.errors


class BuildState:
    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._snapshot = Snapshot()
        self._closed = False

    @property
    def current(self) -> Snapshot:
        with self._condition:
            return self._snapshot

    @property
    def closed(self) -> bool:
        with self._condition:
            return self._closed

    def publish(self, snapshot: Snapshot) -> Snapshot:
        with self._condition:
            self._snapshot = replace(snapshot, version=self._snapshot.version + 1)
            self._condition.notify_all()
            return self._snapshot

    def wait_newer(self, version: int, timeout: float) -> Snapshot | None:
        """The snapshot once its version differs from `version` (or after `timeout`, unchanged);
        None once the server is closing, so the stream can end."""
        with self._condition:
            self._condition.wait_for(
                lambda: self._closed or self._snapshot.version != version, timeout
            )
            return None if self._closed else self._snapshot

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._condition.notify_all()

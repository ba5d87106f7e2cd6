"""A catalogue's books on a Dask distributed cluster (`publisher build … --scheduler ADDRESS`):
the only module that imports `distributed` (the optional extra `publisher[distributed]`).

Every worker must have the same `publisher` installed and see the projects at the same paths
(a shared file system): a task is `catalogue.build_group`, which reads the books' sources and
writes their editions where a local build would. Workers should run one thread each
(`dask worker ADDRESS --nthreads 1`); a worker with more still builds one book at a time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from .catalogue import BookResult, Group, build_group

if TYPE_CHECKING:
    from distributed import Client

CONNECT_SECONDS = 10


class ClusterUnavailable(Exception):
    """The Dask extra is not installed, or the scheduler could not be reached; the message
    says which and what to do."""


class DaskRunner:
    """Runs each group as one Dask task on the cluster `client` is connected to."""

    def __init__(self, client: Client) -> None:
        self.client = client

    @classmethod
    def connect(cls, address: str) -> DaskRunner:
        """A runner on the scheduler at `address` (`tcp://host:8786`). Raises
        ClusterUnavailable."""
        try:
            from distributed import Client
        except ImportError:
            raise ClusterUnavailable(
                "--scheduler needs Dask: pip install 'publisher[distributed]'"
            ) from None
        try:
            client = Client(address, timeout=f"{CONNECT_SECONDS}s")  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError, ValueError) as exc:
            raise ClusterUnavailable(f"cannot reach the Dask scheduler: {exc}") from None
        return cls(client)

    def run(self, groups: Sequence[Group], epoch: str) -> Iterator[tuple[BookResult, ...]]:
        # pure=False: a build writes files, so Dask must run it even when an equal task ran.
        futures = self.client.map(build_group, groups, [epoch] * len(groups), pure=False)
        for future in futures:
            result: tuple[BookResult, ...] = future.result()
            yield result

    def close(self) -> None:
        self.client.close()  # type: ignore[no-untyped-call]

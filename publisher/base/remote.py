"""Remote resources, only with `--allow-remote`: downloaded once, size-capped, cached.

Server-side request forgery is the risk: a manuscript naming `http://169.254.169.254/` or
`http://localhost:8080/admin`. So every hop (the URL and each redirect) must be http(s), keep
to the first host, pass the allowlist, and resolve only to public addresses, checked before
connecting. Proxies from the environment are ignored so the check is about the real peer.
"""

from __future__ import annotations

import hashlib
import ipaddress
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from .files import ForeignOutput, write_bytes_atomically
from .gate import Refused
from .limits import Limits
from .text import slugify

MAX_REDIRECTS = 5
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _addresses(host: str) -> list[IPAddress]:
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def _public(address: IPAddress) -> bool:
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
    )


# Hooks for tests (a local server must count as allowed); never widened in production.
resolve_host: Callable[[str], list[IPAddress]] = _addresses
address_allowed: Callable[[IPAddress], bool] = _public


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects come back as errors so that each hop is checked here."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _check_hop(url: str, first_host: str | None, hosts: frozenset[str]) -> str:
    host = _check_url(url, first_host, hosts)
    try:
        addresses = resolve_host(host)
    except (OSError, UnicodeError) as exc:
        raise Refused("remote-fetch-failed", f"`{url}`: cannot resolve `{host}`: {exc}") from None
    if not addresses or not all(address_allowed(a) for a in addresses):
        raise Refused("remote-refused", f"`{url}`: `{host}` is a private or local address")
    return host


def _check_url(url: str, first_host: str | None, hosts: frozenset[str]) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise Refused("remote-refused", f"`{url}`: only http(s) URLs with a host")
    if first_host is not None and host != first_host:
        raise Refused("remote-refused", f"`{url}`: redirect to another host ({host})")
    if hosts and host not in hosts:
        raise Refused("remote-refused", f"`{url}`: host `{host}` is not in --allow-remote")
    return host


def _cached_path(url: str, cache_dir: Path) -> Path:
    key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:20]
    name = Path(urlsplit(url).path).name
    suffix = Path(name).suffix.lower()[:6]
    stem = slugify(Path(name).stem)[:60] or "resource"
    return cache_dir / key / f"{stem}{suffix}"


def download(url: str, hosts: frozenset[str], cache_dir: Path, limits: Limits) -> Path:
    """The cached copy of `url`, fetched now if absent. Raises Refused."""
    _check_url(url, None, hosts)  # the allowlist holds for cached copies too
    target = _cached_path(url, cache_dir)
    if target.is_file():
        return target
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())
    first_host = _check_hop(url, None, hosts)
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        try:
            with opener.open(current, timeout=limits.remote_timeout_s) as response:
                data = response.read(limits.max_remote_bytes + 1)
        except urllib.error.HTTPError as exc:
            redirect = exc.code in (301, 302, 303, 307, 308)
            location = exc.headers.get("Location") if redirect else None
            exc.close()
            if location is None:
                raise Refused("remote-fetch-failed", f"`{url}`: HTTP {exc.code}") from None
            current = urljoin(current, location)
            _check_hop(current, first_host, hosts)
            continue
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise Refused("remote-fetch-failed", f"`{url}`: {exc}") from None
        if len(data) > limits.max_remote_bytes:
            raise Refused("remote-too-large", f"`{url}` is over {limits.max_remote_bytes:,} bytes")
        try:
            return write_bytes_atomically(target, data)
        except (ForeignOutput, OSError) as exc:  # the cache's copy: not written, not followed
            raise Refused("remote-fetch-failed", f"`{url}`: not cached: {exc}") from None
    raise Refused("remote-refused", f"`{url}`: more than {MAX_REDIRECTS} redirects")

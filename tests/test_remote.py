"""`--allow-remote`: downloads are capped, cached and guarded against server-side forgery.

Only a local HTTP server on 127.0.0.1, started here, is ever contacted. Loopback is refused by
policy, so that refusal is tested first; for the allowed path the test widens
`remote.address_allowed` (the injection hook) to let its own server count as public.
"""

from __future__ import annotations

import contextlib
import http.server
import io
import ipaddress
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from publisher.base import remote
from publisher.base.access import Access, Refused
from publisher.base.diagnostics import BuildFailed
from publisher.base.limits import Limits
from publisher.base.rendered import Target
from publisher.cli import main
from publisher.pipeline import (
    BuildRequest,
    Format,
    build,
    fetch_remote,
    load,
    load_book,
    read_spec,
    render,
)

from .conftest import ProjectMaker, review


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (6, 6), (10, 120, 10)).save(out, "PNG")
    return out.getvalue()


PNG = _png()


class Server:
    def __init__(self) -> None:
        self.requests: list[str] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests.append(self.path)
                if self.path.startswith("/redirect/"):
                    self.send_response(302)
                    self.send_header("Location", self.path.removeprefix("/redirect/"))
                    self.end_headers()
                    return
                if self.path == "/slow.png":
                    time.sleep(3)
                body = PNG if self.path.endswith(".png") else b"not found"
                # The timeout test's client is gone by now: no traceback on another test's stderr.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.send_response(200 if self.path.endswith(".png") else 404)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.close()


@pytest.fixture
def loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test server counts as public; every other address keeps the real policy."""
    monkeypatch.setattr(remote, "address_allowed", lambda address: address.is_loopback)


def test_loopback_is_refused_before_connecting(server: Server, tmp_path: Path) -> None:
    with pytest.raises(Refused) as refused:
        remote.download(f"{server.base}/ok.png", frozenset(), tmp_path, Limits())
    assert refused.value.code == "remote-refused"
    assert "private or local" in refused.value.message
    assert server.requests == []


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.1.2.3", "192.168.0.1", "169.254.169.254", "::1", "fc00::1"]
)
def test_private_addresses_are_not_public(address: str) -> None:
    assert not remote._public(ipaddress.ip_address(address))


def test_allowlist_is_checked_without_any_lookup(server: Server, tmp_path: Path) -> None:
    with pytest.raises(Refused) as refused:
        remote.download(f"{server.base}/ok.png", frozenset({"example.org"}), tmp_path, Limits())
    assert "not in --allow-remote" in refused.value.message
    assert server.requests == []


def test_download_once_then_cached(server: Server, tmp_path: Path, loopback_allowed: None) -> None:
    url = f"{server.base}/img/cartel.png"
    first = remote.download(url, frozenset(), tmp_path, Limits())
    again = remote.download(url, frozenset(), tmp_path, Limits())
    assert first == again and first.read_bytes() == PNG and first.name == "cartel.png"
    assert server.requests == ["/img/cartel.png"]


def test_redirect_to_another_host_is_refused(
    server: Server, tmp_path: Path, loopback_allowed: None
) -> None:
    for target in (
        "http://169.254.169.254/latest/meta-data/",
        f"http://localhost:{server.port}/x.png",
    ):
        with pytest.raises(Refused) as refused:
            remote.download(f"{server.base}/redirect/{target}", frozenset(), tmp_path, Limits())
        assert "another host" in refused.value.message
    assert all(path.startswith("/redirect/") for path in server.requests)


def test_redirect_on_the_same_host_is_followed_and_checked(
    server: Server, tmp_path: Path, loopback_allowed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"{server.base}/redirect//ok.png"
    assert remote.download(url, frozenset(), tmp_path, Limits()).read_bytes() == PNG
    # Each hop is resolved and checked again (DNS may answer differently the second time).
    answers = iter([True, False])
    monkeypatch.setattr(remote, "address_allowed", lambda address: next(answers))
    with pytest.raises(Refused) as refused:
        remote.download(f"{server.base}/redirect//other.png", frozenset(), tmp_path, Limits())
    assert "private or local" in refused.value.message


def test_size_cap_and_timeout(server: Server, tmp_path: Path, loopback_allowed: None) -> None:
    with pytest.raises(Refused) as refused:
        remote.download(f"{server.base}/a.png", frozenset(), tmp_path, Limits(max_remote_bytes=10))
    assert refused.value.code == "remote-too-large"
    start = time.monotonic()
    with pytest.raises(Refused) as refused:
        remote.download(
            f"{server.base}/slow.png", frozenset(), tmp_path, Limits(remote_timeout_s=1)
        )
    assert refused.value.code == "remote-fetch-failed"
    assert time.monotonic() - start < 3
    assert not list(tmp_path.rglob("*.png"))


def test_no_network_without_the_flag(server: Server, tmp_path: Path) -> None:
    with pytest.raises(Refused) as refused:
        Access(tmp_path).reference(f"{server.base}/ok.png", tmp_path)
    assert refused.value.code == "remote-image"
    assert server.requests == []


def test_remote_image_end_to_end(
    server: Server,
    make_project: ProjectMaker,
    loopback_allowed: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"{server.base}/carteles/la-vaquilla.png"
    anthology = make_project({"a.md": review(body=f"Texto.\n\n![Cartel]({url})\n")})
    assert main(["check", str(anthology)]) == 1
    assert "remote-image" in capsys.readouterr().err
    assert main(["check", str(anthology), "--allow-remote=127.0.0.1"]) == 0
    assert main(["check", str(anthology), "--allow-remote=upload.wikimedia.org"]) == 1
    assert "not in --allow-remote" in capsys.readouterr().err
    out = anthology.parent.parent / "dist"
    result = build(
        BuildRequest(
            anthology, frozenset({Format.EPUB}), out, cache=False, allow_remote=frozenset()
        )
    )
    with zipfile.ZipFile(result.outputs[0].path) as archive:
        images = [n for n in archive.namelist() if "la-vaquilla" in n]
        assert images and archive.read(images[0]) == PNG
    assert server.requests == ["/carteles/la-vaquilla.png"]  # downloaded once, then cached
    assert list((anthology.parent.parent / ".publisher-cache" / "remote").rglob("*.png"))


def test_allow_remote_is_not_mistaken_for_the_anthology(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as usage:
        main(["check", "--allow-remote", "manuscripts/anthology.toml"])
    assert usage.value.code == 2
    assert "--allow-remote=HOST" in capsys.readouterr().err


def test_allow_remote_is_an_option_of_the_build_not_of_the_spec(
    server: Server, make_project: ProjectMaker, loopback_allowed: None
) -> None:
    url = f"{server.base}/carteles/ay-carmela.png"
    anthology = make_project({"a.md": review(body=f"Texto.\n\n![Cartel]({url})\n")})
    with pytest.raises(BuildFailed):
        load(anthology)  # no network without the option
    book, _ = load(anthology, frozenset())
    # The loaded book's spec is the anthology file's: the option travels in the gate (Access).
    assert book.spec == read_spec(anthology)
    assert server.requests == ["/carteles/ay-carmela.png"]


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every path under `root` with its size and modification time (ns)."""
    return {
        str(path.relative_to(root)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
    }


def test_load_and_render_write_nothing_with_allow_remote(
    server: Server,
    make_project: ProjectMaker,
    loopback_allowed: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Downloading is the pipeline's phase before loading; load and render only read the map
    it hands them in the gate, and a refused download is still reported at the manuscript."""
    url = f"{server.base}/carteles/el-espiritu-de-la-colmena.png"
    gone = f"{server.base}/carteles/furtivos.jpg"  # the test server answers 404
    body = f"Erice filma la espera.\n\n![Cartel]({url})\n\nY Borau, el monte.\n\n![Otro]({gone})\n"
    anthology = make_project({"a.md": review(body=body)})
    spec = read_spec(anthology)
    access = fetch_remote(spec, Access.for_spec(spec, frozenset()))
    assert sorted(server.requests) == [
        "/carteles/el-espiritu-de-la-colmena.png",
        "/carteles/furtivos.jpg",
    ]
    before = _tree(spec.root)

    def no_download(*args: object) -> Path:
        raise AssertionError("a stage downloaded")

    monkeypatch.setattr(remote, "download", no_download)
    with pytest.raises(BuildFailed) as failed:
        load_book(spec, access)
    (problem,) = [d for d in failed.value.diagnostics if d.code.startswith("remote")]
    text = (anthology.parent / "reviews" / "a.md").read_text(encoding="utf-8")
    line = text.splitlines().index(f"![Otro]({gone})") + 1
    assert problem.format() == (
        f"manuscripts/reviews/a.md:{line}:1: error: remote-fetch-failed: `{gone}`: HTTP 404"
    )
    # The good image alone: the book loads and renders from the fetched copy, reading only.
    (anthology.parent / "reviews" / "a.md").write_text(
        review(body=f"Erice filma la espera.\n\n![Cartel]({url})\n"), encoding="utf-8"
    )
    before = _tree(spec.root)
    book, _ = load_book(spec, access)
    rendered = render(book, Target.EPUB, access=access)
    assert [image.data for image in rendered.images] == [PNG]
    assert _tree(spec.root) == before
    assert len(server.requests) == 2

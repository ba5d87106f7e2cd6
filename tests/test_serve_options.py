"""`publisher serve --open` and the port it takes, in process (the real server, a fake build)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

import publisher.serve as serving
from publisher.cli import main
from publisher.cli import serve as serve_verb


class FakeBuilder:
    def __init__(self, anthology_file: Path, state: object) -> None:
        pass

    def build(self) -> None:
        pass


@pytest.fixture
def anthology(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An anthology file; serving it builds nothing and returns at once, as after Ctrl-C."""
    path = tmp_path / "anthology.toml"
    path.write_text("", encoding="utf-8")
    monkeypatch.setattr(serving, "Builder", FakeBuilder)
    monkeypatch.setattr(serving, "watch_and_rebuild", lambda builder, stop: None)
    return path


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port something else listens on (127.0.0.1)."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_open_opens_the_preview_in_the_browser(
    anthology: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    opened: list[str] = []

    def browser(url: str) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr("webbrowser.open", browser)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert main(["serve", str(anthology), "--port", str(port), "--open"]) == 0
    assert opened == [f"http://127.0.0.1:{port}/"]
    assert f"serving the preview at http://127.0.0.1:{port}/" in capsys.readouterr().out
    assert main(["serve", str(anthology), "--port", str(port)]) == 0
    assert len(opened) == 1  # not without --open


def test_open_without_a_browser_says_where_to_go(
    anthology: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("webbrowser.open", lambda url: False)
    monkeypatch.setattr(serving, "DEFAULT_PORT", _free_port())
    assert serving.serve(anthology, open_browser=True) == 0
    err = capsys.readouterr().err
    assert err.startswith("publisher: no web browser to open; open http://127.0.0.1:")


def test_a_taken_default_port_moves_to_the_next_free_one(
    anthology: Path,
    busy_port: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(serving, "DEFAULT_PORT", busy_port)
    assert main(["serve", str(anthology)]) == 0
    out, err = capsys.readouterr()
    taken = int(out.split("http://127.0.0.1:")[1].split("/")[0])
    assert taken > busy_port
    assert err == f"publisher: port {busy_port} is in use; using port {taken}\n"


def test_a_taken_port_given_is_a_clear_error(
    anthology: Path, busy_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", str(anthology), "-p", str(busy_port)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"publisher: error: port {busy_port} is in use on 127.0.0.1; pick another with --port\n"
    )


def test_every_port_tried_taken_is_a_clear_error(
    anthology: Path, busy_port: int, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setattr(serving, "DEFAULT_PORT", busy_port)
    monkeypatch.setattr(serving, "PORTS_TRIED", 1)
    assert main(["serve", str(anthology)]) == 1
    assert capsys.readouterr().err == (
        f"publisher: error: ports {busy_port} to {busy_port} are all in use on 127.0.0.1; "
        "pick a free one with --port\n"
    )


def test_the_help_names_the_serving_default_port() -> None:
    assert serve_verb.DEFAULT_PORT == serving.DEFAULT_PORT


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port

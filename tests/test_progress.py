"""Progress events (base/progress.py) from the build and the validators, as library callers and
`publisher validate -v` see them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from publisher.base.progress import Progress
from publisher.cli import main
from publisher.pipeline import BuildRequest, Format, build
from publisher.validation import files
from publisher.validation.runner import ValidatorResult, make_result

from .conftest import MINI_TOML, ProjectMaker, review


@pytest.fixture(autouse=True)
def _no_colour_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests set NO_COLOR and FORCE_COLOR themselves; none comes from the caller's shell."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)


def test_a_library_caller_gets_typed_events_named_as_the_report_stages(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    anthology = make_project(
        {"a.md": review(), "b.md": review(film="Otra", tags="[exilio]")}, MINI_TOML
    )
    events: list[Progress] = []
    formats = frozenset({Format.HTML, Format.EPUB})
    request = BuildRequest(
        anthology, formats, tmp_path / "out", cache=False, progress=events.append
    )
    result = build(request)
    assert all(isinstance(event, Progress) for event in events)
    assert {event.stage for event in events} <= {stage.name for stage in result.stages}
    assert [str(event) for event in events if event.stage.startswith("export")] == [
        "writing the web edition (0/2 editions)",
        "web edition done (1/2 editions)",
        "writing the EPUB (1/2 editions)",
        "EPUB done (2/2 editions)",
    ]
    assert "rendering 2 reviews for the EPUB (0/2 editions)" in [str(e) for e in events]


def _fake(name: str) -> object:
    def run(path: Path, *rest: object) -> ValidatorResult:
        return make_result(name, path, [], {"errors": 0})

    return run


@pytest.fixture
def fake_validators(monkeypatch: pytest.MonkeyPatch) -> None:
    for function, name in [
        ("run_epubcheck", "epubcheck"),
        ("run_ace", "ace"),
        ("check_pdf", "pdf"),
        ("check_glyphs", "glyphs"),
    ]:
        monkeypatch.setattr(files, function, _fake(name))


@pytest.mark.usefixtures("fake_validators")
def test_validators_say_which_runs_and_how_many_are_done(tmp_path: Path) -> None:
    epub, pdf, text = tmp_path / "a.epub", tmp_path / "a.pdf", tmp_path / "notes.txt"
    for path in (epub, pdf, text):
        path.write_bytes(b"x")
    events: list[Progress] = []
    results = files.validate_files([epub, text, pdf], progress=events.append)
    assert [r.validator for r in results] == ["epubcheck", "ace", "publisher", "pdf", "glyphs"]
    assert [str(event) for event in events] == [
        "EPUBCheck on a.epub (0/4 validators)",
        "EPUBCheck done (1/4 validators)",
        "Ace on a.epub (1/4 validators)",
        "Ace done (2/4 validators)",
        "qpdf and pdffonts on a.pdf (2/4 validators)",
        "qpdf and pdffonts done (3/4 validators)",
        "the glyph check on a.pdf (3/4 validators)",
        "the glyph check done (4/4 validators)",
    ]
    assert {event.stage for event in events} == {"validate"}
    assert files.validate_files([epub, text, pdf]) == results  # the same without a listener


@pytest.mark.usefixtures("fake_validators")
def test_validate_verbose_prints_each_validator_off_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a.epub").write_bytes(b"x")
    assert main(["validate", "a.epub"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out == "epubcheck: a.epub: ok (errors 0)\nace: a.epub: ok (errors 0)\n"
    assert main(["validate", "a.epub", "-v"]) == 0
    lines = [re.sub(r"\[ *\d+\.\ds\] ", "", line) for line in capsys.readouterr().err.splitlines()]
    assert lines == [
        "publisher: EPUBCheck on a.epub (0/2 validators)",
        "publisher: EPUBCheck done (1/2 validators)",
        "publisher: Ace on a.epub (1/2 validators)",
        "publisher: Ace done (2/2 validators)",
    ]
    assert main(["validate", "a.epub", "--color", "always"]) == 0
    assert capsys.readouterr().out.startswith("epubcheck: a.epub: \x1b[32mok\x1b[0m (errors 0)\n")


def test_the_edition_counter_counts_editions_done_and_never_goes_back(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    """All four editions: the print PDF is rendered and laid out first (its pages number the
    others), yet no event counts an edition before it is done, and the last says 4/4."""
    anthology = make_project({"a.md": review()}, MINI_TOML)
    events: list[Progress] = []
    formats = frozenset({Format.HTML, Format.PDF, Format.EPUB})
    request = BuildRequest(
        anthology, formats, tmp_path / "out", cache=False, progress=events.append
    )
    build(request)
    counted = [event for event in events if event.unit == "editions"]
    done = [event.done for event in counted]
    assert done == sorted(done), [str(event) for event in counted]
    assert done[0] == 0 and done[-1] == 4 and {event.total for event in counted} == {4}
    finished = [str(e) for e in counted if e.what.endswith("done") or " done: " in e.what]
    assert [event.done for event in counted if str(event) in finished] == [1, 2, 3, 4]
    assert "rendering 1 review for the print PDF (0/4 editions)" in [str(e) for e in counted]


def test_a_phase_run_twice_is_one_timing_the_sum() -> None:
    """The web edition and the EPUB are each rendered, written and let go in turn, so the
    `render-paginated` phase runs twice: `-v`'s timings line and `--json` name it once."""
    from publisher.timing import StageTimer

    timed = StageTimer()
    for name in ("render-paginated", "export-web", "render-paginated"):
        with timed(name):
            pass
    names = [stage.name for stage in timed.times]
    assert names == ["render-paginated", "export-web"]

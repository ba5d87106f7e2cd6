"""The command line's conventions (MkDocs, Quarto, ruff): help for every option, short options,
`--color` and NO_COLOR, progress on a terminal and with `-v`, `list --json`."""

from __future__ import annotations

import argparse
import io
import json
import re
from pathlib import Path

import pytest

from publisher.base.progress import Progress
from publisher.cli import main
from publisher.cli.console import ProgressView, progress_view
from publisher.cli.main import _parser

from .conftest import MINI_TOML, ProjectMaker, review

BOLD_PATH = "\x1b[1mmanuscripts/reviews/roto.md:3\x1b[0m"
RED_ERROR = "\x1b[1;31merror\x1b[0m"
PLAIN = "manuscripts/reviews/roto.md:3: error: front-matter-missing-key: "


@pytest.fixture(autouse=True)
def _no_colour_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests set NO_COLOR and FORCE_COLOR themselves; none comes from the caller's shell."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)


def _verbs(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(commands.choices)


def test_every_option_and_positional_of_every_verb_has_help() -> None:
    parser = _parser()
    verbs = _verbs(parser)
    assert set(verbs) >= {"init", "build", "check", "validate", "list", "new", "serve"}
    missing = [
        f"{name} {action.dest}"
        for name, command in [("publisher", parser), *verbs.items()]
        for action in command._actions
        if not isinstance(action, argparse._SubParsersAction)
        and (not action.help or action.help == argparse.SUPPRESS)
    ]
    assert missing == []
    # Each verb has its one line in `publisher --help`, and an example in its own.
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert sorted(choice.dest for choice in commands._choices_actions if choice.help) == sorted(
        verbs
    )
    assert all(
        (command.epilog or "").startswith("example:\n  publisher ") for command in verbs.values()
    )


def test_help_shows_defaults_short_options_and_an_example(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["build", "--help"])
    assert exited.value.code == 0
    text = " ".join(capsys.readouterr().out.split())  # as if the terminal were one long line
    assert (
        "-o OUT, --out OUT output folder, relative to the working directory (default: the anthology's `output_dir`, else dist/ in the project)"
        in text
    )
    assert "-f FORMATS, --format FORMATS" in text and "(default: html,pdf,epub)" in text
    assert "-q, --quiet print only problems" in text and "-v, --verbose" in text
    assert (
        "anthology the anthology file, or a folder of the project (default: found from the working directory upwards)"
        in text
    )
    assert "--clean ignore the build cache --validate" in text  # a flag shows no default
    assert "example: publisher build -f epub,pdf -o dist --validate" in text


def test_top_level_help_lists_each_verb_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert re.search(r"^    build +build the editions into dist/$", out, re.M)
    assert re.search(r"^    list +print the assembled contents$", out, re.M)


def test_quiet_and_verbose_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["check", "-q", "-v"])
    assert exited.value.code == 2
    assert "argument -v/--verbose: not allowed with argument -q/--quiet" in capsys.readouterr().err


def _broken_project(make_project: ProjectMaker, monkeypatch: pytest.MonkeyPatch) -> None:
    anthology = make_project(
        {"ok.md": review(), "roto.md": review(film="X").replace("  year: 1990\n", "")}
    )
    monkeypatch.chdir(anthology.parent.parent)


@pytest.mark.parametrize(
    ("argv", "env", "coloured"),
    [
        (["check"], {}, False),  # not a terminal: no colour by default
        (["check", "--color", "always"], {}, True),
        (["--color", "always", "check"], {}, True),  # global, as ruff
        (["--color", "always", "check", "--color", "never"], {}, False),  # the verb's wins
        (["check", "--color", "never"], {"FORCE_COLOR": "1"}, False),
        (["check"], {"FORCE_COLOR": "1"}, True),
        (["check"], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        (["check"], {"FORCE_COLOR": "1", "NO_COLOR": ""}, True),  # empty: not set
        (["check", "--color", "always"], {"NO_COLOR": "1"}, True),  # the flag beats the env
    ],
)
def test_colour_of_diagnostics(
    make_project: ProjectMaker,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    env: dict[str, str],
    coloured: bool,
) -> None:
    _broken_project(make_project, monkeypatch)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(argv) == 1
    err = capsys.readouterr().err
    if coloured:
        assert f"{BOLD_PATH}: {RED_ERROR}: front-matter-missing-key: " in err
        assert "publisher: \x1b[1;31m1 error\x1b[0m" in err
    else:
        assert PLAIN in err and "\x1b[" not in err


def test_github_annotations_are_never_coloured(
    make_project: ProjectMaker, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _broken_project(make_project, monkeypatch)
    assert main(["check", "--color", "always", "--format-messages", "github"]) == 1
    err = capsys.readouterr().err
    assert "::error file=manuscripts/reviews/roto.md,line=3::front-matter-missing-key" in err
    assert "\x1b[" not in err


def _build_lines(stderr: str) -> list[str]:
    """The progress lines of `-v`, their times taken out."""
    return [
        re.sub(r"^publisher: \[ *\d+\.\ds\] ", "", line)
        for line in stderr.splitlines()
        if re.match(r"publisher: \[ *\d+\.\ds\] ", line)
    ]


def test_a_build_off_a_terminal_shows_progress_only_with_verbose(
    make_project: ProjectMaker, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    anthology = make_project({"ok.md": review()})
    monkeypatch.chdir(anthology.parent.parent)
    assert main(["build", "-f", "html", "-o", "out"]) == 0
    quiet = capsys.readouterr()
    assert quiet.err == ""
    assert quiet.out == f"wrote out/antologia-de-prueba.html ({_size(Path('out'))} bytes)\n"
    assert main(["build", "-f", "html", "-o", "out2", "-v"]) == 0
    loud = capsys.readouterr()
    assert _build_lines(loud.err) == [
        "planning the build",
        "reading the manuscripts",
        "rendering 1 review for the web edition (0/1 editions)",
        "writing the web edition (0/1 editions)",
        "web edition done (1/1 editions)",
        "putting the new editions in place",
    ]
    assert re.search(r"^publisher: timings: plan \d+\.\d\ds, .*, render \d", loud.err, re.M)
    assert main(["build", "-f", "html", "-o", "out3", "-q"]) == 0
    assert capsys.readouterr() == ("", "")


def _size(out: Path) -> str:
    return f"{(out / 'antologia-de-prueba.html').stat().st_size:,}"


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_progress_is_a_live_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TERM", raising=False)
    terminal = FakeTerminal()
    view = progress_view("never", quiet=False, verbose=False, stream=terminal)
    assert view is not None and view.lines is False
    with view:
        view(Progress("validate", "EPUBCheck on mini.epub", 0, 5, "validators"))
        view(Progress("validate", "EPUBCheck done", 1, 5, "validators"))
    shown = terminal.getvalue()
    assert "EPUBCheck on mini.epub (0/5 validators)" in shown
    assert "EPUBCheck done (1/5 validators)" in shown
    assert "\r" in shown and "\x1b[?25l" in shown  # drawn over itself, cursor hidden
    assert "\x1b[3" not in shown  # `--color never`: no colour, even live
    assert progress_view("always", quiet=True, verbose=True, stream=terminal) is None
    assert progress_view("auto", quiet=False, verbose=False, stream=io.StringIO()) is None
    monkeypatch.setenv("TERM", "dumb")
    assert progress_view("auto", quiet=False, verbose=False, stream=terminal) is None


def test_verbose_lines_on_a_terminal_stay_above_the_live_line() -> None:
    terminal = FakeTerminal()
    with ProgressView(terminal, live=True, lines=True, colour=False) as view:
        view(Progress("export-print", "laying out the print PDF", 1, 4, "editions"))
    assert re.search(
        r"publisher: \[ *\d+\.\ds\] laying out the print PDF \(1/4 editions\)", terminal.getvalue()
    )


def test_progress_event_reads_as_words() -> None:
    assert str(Progress("validate", "EPUBCheck done", 1, 5, "validators")) == (
        "EPUBCheck done (1/5 validators)"
    )
    assert str(Progress("load", "reading the manuscripts")) == "reading the manuscripts"


def test_list_json_holds_the_contents_and_stdout_only_the_table(
    make_project: ProjectMaker, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    anthology = make_project(
        {
            "tregua.md": review(title="Una tregua", film="La tregua", tags="[exilio]"),
            "vacio.md": review(title="Vacía", film="El vacío", year=1970, body=""),
        },
        MINI_TOML,
    )
    monkeypatch.chdir(anthology.parent.parent)
    assert main(["list", "--json"]) == 0
    out, err = capsys.readouterr()
    assert "body-empty" in err  # the warning goes to stderr, the JSON alone to stdout
    assert json.loads(out) == {
        "title": "Antología de prueba",
        "slug": "antologia-de-prueba",
        "reviews": [
            {
                "number": 1,
                "part": {"id": "guerra", "title": "La guerra"},
                "slug": "vacio",
                "title": "Vacía",
                "film": {"title": "El vacío", "year": 1970, "directors": ["Directora Uno"]},
                "critic": "Ana Editora",
                "source": "manuscripts/reviews/vacio.md",
            },
            {
                "number": 2,
                "part": {"id": "exilio", "title": "El exilio"},
                "slug": "tregua",
                "title": "Una tregua",
                "film": {"title": "La tregua", "year": 1990, "directors": ["Directora Uno"]},
                "critic": "Ana Editora",
                "source": "manuscripts/reviews/tregua.md",
            },
        ],
    }
    assert main(["list"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["#", "Part", "Review", "Film", "Year", "Critic"]
    assert set(table[1]) == {"-", " "}
    assert [row.split()[0] for row in table[2:]] == ["1", "2"]


def test_check_verbose_says_what_it_reads_and_checks(
    make_project: ProjectMaker, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    anthology = make_project({"ok.md": review()})
    monkeypatch.chdir(anthology.parent.parent)
    assert main(["check"]) == 0
    assert capsys.readouterr().err == ""
    assert main(["check", "-v"]) == 0
    assert _build_lines(capsys.readouterr().err) == [
        "reading the manuscripts",
        "checking the characters the print PDF sets against its fonts",
    ]

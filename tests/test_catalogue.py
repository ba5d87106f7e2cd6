"""A catalogue (`publisher build A B …`, a catalogue file, `--jobs`, `--scheduler`): the same
bytes as building each book alone, one after the other; problems named at their line."""

from __future__ import annotations

import hashlib
import io
import json
import sys
import textwrap
from pathlib import Path

import pytest

from publisher.base.project import for_reader
from publisher.catalogue import LocalPool, Sequential, build_catalogue, plan_catalogue
from publisher.cli.main import main
from publisher.pipeline import BuildRequest, Format

from .conftest import ONE_PART_TOML, review

EPOCH = "1763596800"
FORMATS = frozenset({Format.EPUB, Format.PDF, Format.HTML})


def _project(folder: Path, title: str, film: str) -> Path:
    (folder / "reviews").mkdir(parents=True)
    anthology = folder / "anthology.toml"
    anthology.write_text(ONE_PART_TOML.replace("Antología de prueba", title), encoding="utf-8")
    text = review(title=f"Sobre {film}", film=film, body=f"Una reseña breve de {film}.")
    (folder / "reviews" / "una.md").write_text(text, encoding="utf-8")
    return anthology


@pytest.fixture
def books(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.chdir(tmp_path)
    found = [
        _project(tmp_path / "guerra", "Cine de la guerra", "Las bicicletas son para el verano"),
        _project(tmp_path / "exilio", "Cine del exilio", "Soldados de Salamina"),
    ]
    # A second book in the first project: it shares that project's cache, so one task.
    second = tmp_path / "guerra" / "posguerra.toml"
    second.write_text(ONE_PART_TOML.replace("Antología de prueba", "Posguerra"), "utf-8")
    return [*found, second]


def _files(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _template(out: Path) -> BuildRequest:
    return BuildRequest(Path(), FORMATS, out, cache=False)


def test_groups_books_by_project_and_keeps_their_order(books: list[Path], tmp_path: Path) -> None:
    groups, problems = plan_catalogue(books, _template(tmp_path / "out"))
    assert problems == ()
    assert [[request.anthology for request in group] for group in groups] == [
        [books[0], books[2]],
        [books[1]],
    ]
    assert [request.out_dir for request in groups[0]] == [
        tmp_path / "out" / "cine-de-la-guerra",
        tmp_path / "out" / "posguerra",
    ]


def test_parallel_and_dask_builds_equal_the_sequential_one(
    books: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from distributed import LocalCluster

    groups, _ = plan_catalogue(books, _template(tmp_path / "one-by-one"))
    sequential = build_catalogue(groups, Sequential())
    assert [book.failure for book in sequential] == [(), (), ()]
    expected = _files(tmp_path / "one-by-one")
    # Three books × (web, screen PDF, print PDF, EPUB).
    assert len(expected) == 12, expected

    groups, _ = plan_catalogue(books, _template(tmp_path / "pool"))
    pooled = build_catalogue(groups, LocalPool(2))
    assert [book.anthology for book in pooled] == [book.anthology for book in sequential]
    assert _files(tmp_path / "pool") == expected

    # The command line on a Dask cluster (in this process's machine, on the loopback only).
    # Its workers start with another SOURCE_DATE_EPOCH, as a cluster's own machines would:
    # each task carries the command's.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    with cluster:
        address = cluster.scheduler_address
        code = main(["build", *map(str, books), "-o", "cluster", "-q", "--scheduler", address])
    assert code == 0
    assert _files(tmp_path / "cluster") == expected


def test_a_catalogue_file_lists_books_by_file_folder_and_pattern(
    books: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "catalogo.toml").write_text(
        textwrap.dedent(
            """\
            [catalogue]
            anthologies = ["exilio", "guerra/*.toml"]
            """
        ),
        encoding="utf-8",
    )
    code = main(["build", "catalogo.toml", "-f", "html", "-j", "1", "-o", "web"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines() == [
        "built exilio/anthology.toml: 1 file, 1 written",
        "built guerra/anthology.toml: 1 file, 1 written",
        "built guerra/posguerra.toml: 1 file, 1 written",
    ]
    assert sorted(path.name for path in (tmp_path / "web").rglob("*.html")) == [
        "cine-de-la-guerra.html",
        "cine-del-exilio.html",
        "posguerra.html",
    ]


def test_catalogue_problems_are_named_at_their_line_and_stop_only_themselves(
    books: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "catalogo.toml").write_text(
        '[catalogue]\nanthologies = [\n  "exilio",\n  "westerns",\n  7,\n]\n', encoding="utf-8"
    )
    # The bad entries are reported, the good one is built, and the exit code says not all were.
    assert main(["build", "catalogo.toml", "-f", "html", "-j", "1"]) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "building 1 book (1 at once)",
        "catalogo.toml:4:3: error: catalogue-entry: `westerns` names no anthology file"
        " (paths and patterns are relative to the catalogue file's folder)",
        "catalogo.toml:5:3: error: catalogue-entry: an entry must be a path, as text",
        "publisher: 2 errors",
    ]
    assert captured.out.splitlines() == ["built exilio/anthology.toml: 1 file, 1 written"]
    # A catalogue file that lists nothing stops only itself too, beside a book named alone.
    (tmp_path / "vacio.toml").write_text("[catalogue]\n", encoding="utf-8")
    assert main(["build", "vacio.toml", "guerra", "-f", "html", "-j", "1"]) == 1
    captured = capsys.readouterr()
    assert [line for line in captured.err.splitlines() if "error" in line] == [
        "vacio.toml:1:2: error: catalogue-empty: `anthologies` must list the anthology files"
        ' to build, e.g. anthologies = ["guerra/anthology.toml", "westerns"]',
        "publisher: 1 error",
    ]
    assert captured.out.splitlines() == ["built guerra/anthology.toml: 1 file, 1 written"]


def test_the_error_count_comes_last_after_every_book(
    books: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a terminal shows (standard output and error on one screen): the problems, each
    book's line, then the count, as ruff and MkDocs end with their summary."""
    screen = io.StringIO()
    monkeypatch.setattr(sys, "stdout", screen)
    monkeypatch.setattr(sys, "stderr", screen)
    (tmp_path / "catalogo.toml").write_text(
        '[catalogue]\nanthologies = ["exilio", "westerns", "guerra"]\n', encoding="utf-8"
    )
    assert main(["build", "catalogo.toml", "-f", "html", "-j", "1"]) == 1
    assert screen.getvalue().splitlines() == [
        "building 2 books (1 at once)",
        "catalogo.toml:2:26: error: catalogue-entry: `westerns` names no anthology file"
        " (paths and patterns are relative to the catalogue file's folder)",
        "built exilio/anthology.toml: 1 file, 1 written",
        "built guerra/anthology.toml: 1 file, 1 written",
        "publisher: 1 error",
    ]


def test_a_broken_book_stops_only_itself_and_clashes_stop_both(
    books: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    books[1].write_text("title = 'dos'\n" + books[1].read_text("utf-8"), "utf-8")
    clash = tmp_path / "guerra" / "copia.toml"
    clash.write_text(books[2].read_text("utf-8"), "utf-8")  # the same slug: the same files
    code = main(["build", *map(str, [*books, clash]), "-f", "html", "-j", "1"])
    captured = capsys.readouterr()
    assert code == 1
    errors = [line for line in captured.err.splitlines() if ": error: " in line]
    assert errors == [
        "exilio/anthology.toml:2:1: error: toml-syntax: `title` is set twice (first at line 1)",
        "guerra/copia.toml:1:1: error: catalogue-output-clash: this book and"
        " `guerra/posguerra.toml` (line 1) would both write the `posguerra` editions (file names"
        " from the `slug`, else the `title`) in `guerra/dist`; give one of them another `slug`,"
        " or an `output_dir` of its own",
    ]
    assert captured.out.splitlines() == ["built guerra/anthology.toml: 1 file, 1 written"]


def test_a_clash_is_named_at_the_line_that_decides_it_with_the_fix_that_works(
    books: list[Path], tmp_path: Path
) -> None:
    # Two books of two projects with one `slug`, and a third sharing the first's `output_dir`.
    westerns = _project(tmp_path / "westerns", "Cine del oeste", "Río Rojo")
    first, rest = westerns.read_text("utf-8").split("\n", 1)  # the title, the rest
    westerns.write_text(f'{first}\nslug = "cine-de-la-guerra"\n{rest}', encoding="utf-8")
    shared = tmp_path / "exilio" / "copia.toml"
    first, rest = books[1].read_text("utf-8").split("\n", 1)
    text = f'{first}\noutput_dir = "dist"\n{rest}'
    shared.write_text(text, encoding="utf-8")
    books[1].write_text(text, encoding="utf-8")
    anthologies = [books[0], westerns, books[1], shared]
    # With --out DIR each book writes into DIR/<slug>/: only the slug tells two apart.
    _, problems = plan_catalogue(anthologies, _template(tmp_path / "web"))
    # The paths are absolute, in the text as in the location; printed, both from one folder.
    assert problems[1].names == (str(books[1]), str(tmp_path / "web" / "cine-del-exilio"))
    seen = [d.relocated(lambda path: for_reader(path, tmp_path, tmp_path)) for d in problems]
    assert [d.format() for d in seen] == [
        "westerns/anthology.toml:2:1: error: catalogue-output-clash: this book and"
        " `guerra/anthology.toml` (line 1) would both write the `cine-de-la-guerra` editions"
        " (file names from the `slug`, else the `title`) in `web/cine-de-la-guerra`; give one of"
        " them another `slug` (with --out DIR each book writes into DIR/<slug>/, whatever its"
        " `output_dir`)",
        "exilio/copia.toml:1:1: error: catalogue-output-clash: this book and"
        " `exilio/anthology.toml` (line 1) would both write the `cine-del-exilio` editions (file"
        " names from the `slug`, else the `title`) in `web/cine-del-exilio`; give one of them"
        " another `slug` (with --out DIR each book writes into DIR/<slug>/, whatever its"
        " `output_dir`)",
    ]
    # Without --out, `output_dir` decides the folder: the clash is at its line.
    _, problems = plan_catalogue(anthologies, BuildRequest(Path(), FORMATS, None))
    seen = [d.relocated(lambda path: for_reader(path, tmp_path, tmp_path)) for d in problems]
    assert [d.format() for d in seen] == [
        "exilio/copia.toml:2:1: error: catalogue-output-clash: this book and"
        " `exilio/anthology.toml` (line 2) would both write the `cine-del-exilio` editions (file"
        " names from the `slug`, else the `title`) in `exilio/dist`; give one of them another"
        " `slug`, or an `output_dir` of its own",
    ]


def test_an_unreachable_scheduler_stops_before_any_book(
    books: list[Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import publisher.cluster

    monkeypatch.setattr(publisher.cluster, "CONNECT_SECONDS", 1)
    code = main(["build", *map(str, books), "--scheduler", "tcp://127.0.0.1:9"])
    assert code == 1
    assert capsys.readouterr().err.splitlines() == [
        "publisher: error: cannot reach the Dask scheduler: Timed out trying to connect to"
        " tcp://127.0.0.1:9 after 1 s"
    ]
    assert not (tmp_path / "guerra" / "dist").exists()


def test_without_the_extra_the_scheduler_option_says_what_to_install(
    books: list[Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    assert main(["build", *map(str, books), "--scheduler", "tcp://127.0.0.1:9"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "publisher: error: --scheduler needs Dask: pip install 'publisher[distributed]'"
    ]


def test_a_catalogue_json_report_is_one_document_with_the_books_in_order(
    books: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--json -`: one JSON document alone on standard output, each book's report in the
    order given, the problems of no book at the top; the lines for people on stderr."""
    (tmp_path / "catalogo.toml").write_text(
        '[catalogue]\nanthologies = ["exilio", "westerns", "guerra"]\n', encoding="utf-8"
    )
    assert main(["build", "catalogo.toml", "-f", "html", "-j", "2", "--json", "-"]) == 1
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert [(Path(book["anthology"]), book["built"]) for book in report["books"]] == [
        (books[1], True),
        (books[0], True),
    ]
    assert [(d["path"], d["code"]) for d in report["diagnostics"]] == [
        (str(tmp_path / "catalogo.toml"), "catalogue-entry")
    ]
    assert report["exit_code"] == 1 and report["command"] == "build"
    assert captured.err.splitlines()[-3:] == [
        "built exilio/anthology.toml: 1 file, 1 written",
        "built guerra/anthology.toml: 1 file, 1 written",
        "publisher: 1 error",
    ]


def test_quiet_prints_only_the_problems(
    books: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "catalogo.toml").write_text(
        '[catalogue]\nanthologies = ["exilio", "westerns"]\n', encoding="utf-8"
    )
    assert main(["build", "catalogo.toml", "-f", "html", "-j", "1", "-q"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "catalogo.toml:2:26: error: catalogue-entry: `westerns` names no anthology file"
        " (paths and patterns are relative to the catalogue file's folder)"
    ]
    assert main(["build", "exilio", "-f", "html", "-q"]) == 0
    assert capsys.readouterr() == ("", "")

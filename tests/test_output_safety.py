"""Where a build writes, and what it refuses to write over (issue 14, "files are written safely"
and "never silently downgrades an edition").

Every file publisher writes (an edition, the `--json` report, a cache file) goes through one
check, `base/files.check_replaceable`: absent or a regular file, else `output-not-a-file` (or,
for the cache, the warning `cache-unwritable`) and the path left exactly as it was. The output
folder must be a folder of its own (`output_folder.py`). A build without `pdf` keeps the print
page numbers while the print PDF is current, else says what it drops (`edition-unpaginated`).
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from publisher.base.diagnostics import BuildFailed
from publisher.base.files import (
    ForeignOutput,
    check_replaceable,
    kind_of,
    write_bytes_atomically,
)
from publisher.pipeline import BuildRequest, BuildResult, Format, build

from .conftest import REPO
from .faults import ROOT_ONLY, Project, files, new_project

ALL = frozenset(Format)
HTML_EPUB = frozenset({Format.HTML, Format.EPUB})
PAGE_LIST = b'epub:type="page-list"'


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    return new_project(tmp_path, monkeypatch)


def cli(project: Project, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`publisher ARGS` run from the project's folder."""
    command = [sys.executable, "-m", "publisher", *args]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        command, cwd=project.root, env=env, capture_output=True, text=True, timeout=timeout
    )


def make(project: Project, formats: frozenset[Format], **options: bool) -> BuildResult:
    """Build `formats` of the project into its `dist/`, with the cache."""
    return build(BuildRequest(project.anthology, formats, project.dist, **options))


def identity(path: Path) -> tuple[int, int, int, int]:
    """What must not change about a path left alone: inode, type and permissions, device
    number (for device nodes), and the modification time."""
    found = os.lstat(path)
    return found.st_ino, found.st_mode, found.st_rdev, found.st_mtime_ns


def page_list(epub: Path) -> bool:
    with zipfile.ZipFile(epub) as book:
        return PAGE_LIST in book.read("EPUB/nav.xhtml")


# -- `--json -` -----------------------------------------------------------------------------


def test_json_dash_prints_the_report_alone_on_standard_output(project: Project) -> None:
    result = cli(project, "build", "--format", "html,epub", "--json", "-")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)  # nothing else on standard output
    assert report["command"] == "build" and report["exit_code"] == 0
    dist = project.root / "dist"  # the report names outputs by absolute path (README)
    assert [output["path"] for output in report["outputs"]] == [
        str(dist / "mini.html"),
        str(dist / "mini.epub"),
    ]
    # The lines for people go to standard error instead.
    lines = result.stderr.splitlines()
    assert [line.split(" (")[0] for line in lines] == [
        "wrote dist/mini.html",
        "wrote dist/mini.epub",
    ]
    assert not (project.root / "-").exists()


def test_json_dash_on_check_and_on_a_failed_build(project: Project) -> None:
    checked = cli(project, "check", "--json", "-")
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["diagnostics"] == []
    assert checked.stderr == "manuscripts/anthology.toml: 3 reviews in 2 parts: ok\n"
    project.review.write_text("sin front matter\n", encoding="utf-8")
    failed = cli(project, "build", "--format", "html", "--json", "-")
    assert failed.returncode == 1
    report = json.loads(failed.stdout)
    assert report["exit_code"] == 1
    assert [d["code"] for d in report["diagnostics"]] == ["front-matter-missing"]
    assert not (project.root / "-").exists() and not (project.root / "dist").exists()


def test_a_file_named_dash_is_written_as_dot_slash_dash(project: Project) -> None:
    result = cli(project, "check", "--json", "./-")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "manuscripts/anthology.toml: 3 reviews in 2 parts: ok\n"
    assert json.loads((project.root / "-").read_text(encoding="utf-8"))["command"] == "check"


# -- the `--json` report's path ---------------------------------------------------------------


def refused_report(path: str, what: str) -> str:
    return (
        f"{path}: error: output-not-a-file: the --json report's path is {what}, not a regular"
        " file; it is left as it is and nothing was written: name a new or regular file, or"
        " `-` for standard output\npublisher: 1 error\n"
    )


def test_a_symlinked_report_is_refused_and_left_untouched(project: Project) -> None:
    mine = project.root / "mine.json"
    mine.write_text('{"mine": true}\n', encoding="utf-8")
    link = project.root / "report.json"
    link.symlink_to(mine)
    before = identity(link), identity(mine)
    result = cli(project, "build", "--json", "report.json")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == refused_report("report.json", "a symbolic link")
    assert (identity(link), identity(mine)) == before
    assert os.readlink(link) == str(mine)
    assert mine.read_text(encoding="utf-8") == '{"mine": true}\n'
    assert not project.dist.exists()  # refused before the build: nothing was made


def test_a_fifo_report_is_refused_without_waiting_for_a_reader(project: Project) -> None:
    fifo = project.root / "report.fifo"
    os.mkfifo(fifo)
    before = identity(fifo)
    result = cli(project, "check", "--json", "report.fifo", timeout=30)
    assert result.returncode == 1
    assert result.stderr == refused_report("report.fifo", "a FIFO (named pipe)")
    assert identity(fifo) == before and stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_stdout_like_link_is_refused_and_never_replaced(project: Project) -> None:
    """`/dev/stdout` is a symlink to `/proc/self/fd/1`: the same link, made in the project (so
    a fault here replaces a link of the test's, not the system's)."""
    assert kind_of(Path("/dev/stdout")) == "a symbolic link"
    stdout = project.root / "stdout"
    stdout.symlink_to("/proc/self/fd/1")
    before = identity(stdout)
    result = cli(project, "check", "--json", "stdout")
    assert result.returncode == 1
    assert result.stderr == refused_report("stdout", "a symbolic link")
    assert identity(stdout) == before and os.readlink(stdout) == "/proc/self/fd/1"


def test_the_check_names_every_kind_it_refuses(tmp_path: Path) -> None:
    """Only `lstat` runs: nothing is opened or written (so `/dev/null` itself is safe here)."""
    assert kind_of(Path("/dev/null")) == "a character device"
    folder = tmp_path / "folder"
    folder.mkdir()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "absent")
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(tmp_path / "socket"))
        kinds = {path.name: kind_of(path) for path in sorted(tmp_path.iterdir())}
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert kinds == {
        "fifo": "a FIFO (named pipe)",
        "folder": "a folder",
        "link": "a symbolic link",
        "socket": "a socket",
    }
    assert kind_of(tmp_path / "file") is None and kind_of(tmp_path / "absent") is None
    with pytest.raises(ForeignOutput) as refused:
        check_replaceable(Path("/dev/null"))
    assert (
        str(refused.value)
        == "`/dev/null` is a character device, not ours to replace: it is left as it is"
    )


def test_the_atomic_writer_refuses_before_writing_anything(tmp_path: Path) -> None:
    """The writer every file goes through (editions, report, cache): no temporary file, no
    rename, the link and the FIFO as they were."""
    mine = tmp_path / "mine.txt"
    mine.write_text("mío\n", encoding="utf-8")
    (tmp_path / "link").symlink_to(mine)
    os.mkfifo(tmp_path / "fifo")
    before = {name: identity(tmp_path / name) for name in ("link", "fifo", "mine.txt")}
    for name, what in (("link", "a symbolic link"), ("fifo", "a FIFO (named pipe)")):
        with pytest.raises(ForeignOutput) as refused:
            write_bytes_atomically(tmp_path / name, b"nuevo")
        assert refused.value.what == what
    assert {name: identity(tmp_path / name) for name in before} == before
    assert sorted(os.listdir(tmp_path)) == ["fifo", "link", "mine.txt"]
    assert mine.read_text(encoding="utf-8") == "mío\n"


@ROOT_ONLY
def test_a_device_node_as_report_or_edition_is_refused_and_kept_root_only(
    project: Project,
) -> None:
    """A character device like `/dev/null` (1, 3), made in the project: as the report's path
    and where the EPUB goes, it is refused and stays the same device node."""
    device = project.root / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    project.dist.mkdir()
    epub = project.dist / "mini.epub"
    os.mknod(epub, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    before = identity(device), identity(epub)
    result = cli(project, "check", "--json", "null")
    assert result.stderr == refused_report("null", "a character device")
    built = cli(project, "build", "--format", "html,epub")
    assert built.returncode == 1
    assert built.stderr == (
        "dist/mini.epub: error: output-not-a-file: this output's path is a character device,"
        " not a file a build wrote; nothing was replaced: move it away or build with another"
        " --out\npublisher: 1 error\n"
    )
    assert (identity(device), identity(epub)) == before
    assert sorted(os.listdir(project.dist)) == ["mini.epub"]


# -- the editions' paths ----------------------------------------------------------------------


def test_a_fifo_where_the_epub_goes_is_refused_and_left_untouched(project: Project) -> None:
    project.build()
    (project.dist / "mini.epub").unlink()
    os.mkfifo(project.dist / "mini.epub")
    before = identity(project.dist / "mini.epub"), files_but_fifos(project.dist)
    with pytest.raises(BuildFailed) as failure:
        project.build()
    assert [d.format() for d in failure.value.diagnostics] == [
        f"{project.dist / 'mini.epub'}: error: output-not-a-file: this output's path is a FIFO"
        " (named pipe), not a file a build wrote; nothing was replaced: move it away or build"
        " with another --out"
    ]
    assert (identity(project.dist / "mini.epub"), files_but_fifos(project.dist)) == before


def files_but_fifos(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


# -- the cache's files --------------------------------------------------------------------------


def test_a_symlink_in_the_cache_is_not_written_through(project: Project, tmp_path: Path) -> None:
    project.build()
    outside = tmp_path / "outside.json"
    outside.write_text("mío\n", encoding="utf-8")
    manifest = project.cache / "outputs.json"
    manifest.unlink()
    manifest.symlink_to(outside)
    before = identity(manifest), identity(outside)
    project.edit()
    result = project.build()
    assert [d.format() for d in result.diagnostics] == [
        f"{manifest}: warning: cache-unwritable: the build cache was not saved (`{manifest}` is"
        " a symbolic link, not ours to replace: it is left as it is): the next build redoes"
        " this work"
    ]
    # The path the text quotes is its location: printed, both are shown alike.
    assert result.diagnostics[0].names == (str(manifest),)
    assert (identity(manifest), identity(outside)) == before
    assert outside.read_text(encoding="utf-8") == "mío\n"


def test_a_cache_folder_that_is_a_symlink_is_not_written_into(
    project: Project, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    project.cache.symlink_to(elsewhere)
    result = project.build()
    assert [(d.code, d.path) for d in result.diagnostics] == [
        ("cache-unwritable", str(project.cache))
    ]
    assert list(elsewhere.iterdir()) == []
    assert project.cache.is_symlink()


# -- the output folder --------------------------------------------------------------------------

APART = (
    "a build replaces the editions in its output folder and removes its own leftovers there,"
    " so it must not share a folder with the book's sources; nothing was written: build into"
    " a folder of its own, such as dist/\npublisher: 1 error\n"
)


def around(project: Project) -> Iterator[tuple[str, int, int, int]]:
    """(path, mtime, inode, mode) of everything beside the output folder and the cache: the
    project, and the folder that holds it."""
    top = project.root.parent
    for path in sorted([top, *top.rglob("*")]):
        relative = path.relative_to(top)
        if relative.parts[1:2] in (("dist",), (".publisher-cache",)):
            continue
        found = os.lstat(path)
        yield relative.as_posix(), found.st_mtime_ns, found.st_ino, found.st_mode


@pytest.mark.parametrize(
    ("out", "relation"),
    [
        # Run from the project folder: every path as the location is, from there.
        (".", "is the project folder `.`"),
        ("..", "holds the project folder `.`"),
        ("manuscripts", "is the anthology file's folder `manuscripts`"),
        ("manuscripts/reviews", "is the reviews folder `manuscripts/reviews`"),
        ("manuscripts/reviews/dist", "is inside the reviews folder `manuscripts/reviews`"),
        (".publisher-cache", "is the build cache `.publisher-cache`"),
    ],
)
def test_an_output_folder_among_the_sources_is_refused(
    project: Project, out: str, relation: str
) -> None:
    before = list(around(project))
    result = cli(project, "build", "--format", "html,epub", "--out", out)
    assert result.returncode == 1
    expected = f"{out}: error: output-folder-in-sources: the output folder {relation}: {APART}"
    assert result.stderr == expected
    assert list(around(project)) == before


def test_an_output_folder_holding_an_image_the_book_reads_is_refused(project: Project) -> None:
    (project.root / "fotos").mkdir()
    Image.new("RGB", (8, 8), "red").save(project.root / "fotos" / "cartel.png")
    project.edit("\n\n![Cartel de «La vaquilla»](../../fotos/cartel.png)\n")
    before = list(around(project))
    result = cli(project, "build", "--format", "html,epub", "--out", "fotos")
    assert result.returncode == 1
    assert result.stderr == (
        "fotos: error: output-folder-in-sources: the output folder holds `fotos/cartel.png`,"
        f" which the build reads: {APART}"
    )
    assert list(around(project)) == before


@pytest.mark.parametrize(
    ("kind", "advice"),
    [
        ("a regular file", "give a folder (it is made when absent)"),
        ("a symbolic link", "give the folder it points to, or another"),
    ],
)
def test_an_output_folder_that_is_not_a_folder_is_refused(
    project: Project, tmp_path: Path, kind: str, advice: str
) -> None:
    out = project.root / "salida"
    if kind == "a regular file":
        out.write_text("mío\n", encoding="utf-8")
    else:
        (tmp_path / "real").mkdir()
        out.symlink_to(tmp_path / "real")
    before = list(around(project))
    result = cli(project, "build", "--format", "html,epub", "--out", "salida")
    assert result.returncode == 1
    assert result.stderr == (
        f"salida: error: output-folder-not-a-folder: --out names {kind}, not a folder; nothing"
        f" was written: {advice}\npublisher: 1 error\n"
    )
    assert list(around(project)) == before


def test_a_build_touches_nothing_outside_the_output_folder_and_the_cache(
    project: Project,
) -> None:
    """A sibling of the project, the project's own files and folders: same names, inodes,
    types and modification times after a rebuild (`dist/` and the cache do change)."""
    (project.root.parent / "vecino.txt").write_text("al lado\n", encoding="utf-8")
    project.build()
    project.edit()
    before, dist = list(around(project)), files(project.dist)
    result = project.build()
    assert [output.cached for output in result.outputs] == [False, False]
    assert files(project.dist) != dist  # the rebuild did write
    assert list(around(project)) == before


# -- print page numbers: kept, or the downgrade said --------------------------------------------


def test_a_build_without_pdf_keeps_page_numbers_while_the_print_pdf_is_current(
    project: Project,
) -> None:
    full = make(project, ALL)
    assert page_list(project.dist / "mini.epub")
    paginated = files(project.dist)
    # Nothing changed: the paginated editions are up to date as they are.
    again = make(project, HTML_EPUB)
    assert [(o.path.name, o.cached) for o in again.outputs] == [
        ("mini.html", True),
        ("mini.epub", True),
    ]
    assert again.diagnostics == full.diagnostics == ()
    # Gone: made again with the print PDF's pagination the cache kept, byte for byte.
    (project.dist / "mini.epub").unlink()
    (project.dist / "mini.html").unlink()
    rebuilt = make(project, HTML_EPUB)
    assert [o.cached for o in rebuilt.outputs] == [False, False] and rebuilt.diagnostics == ()
    assert "export-print" not in {stage.name for stage in rebuilt.stages}
    assert page_list(project.dist / "mini.epub")
    assert files(project.dist) == paginated


def test_a_stale_print_pdf_gives_unpaginated_editions_and_a_warning(project: Project) -> None:
    make(project, ALL)
    project.edit()
    result = make(project, HTML_EPUB)
    assert [d.format() for d in result.diagnostics] == [
        f"{project.dist / name}: warning: edition-unpaginated: this build replaces {name} by an"
        " edition without the print page numbers it had (page markers, page-list, the"
        " indexes' pages): they come from the print PDF's layout, and mini-print.pdf is not"
        " current for these sources; to keep them, build with pdf too: publisher build"
        " --format html,pdf,epub"
        for name in ("mini.html", "mini.epub")
    ]
    assert not page_list(project.dist / "mini.epub")
    # Said once: the editions in dist/ are now the unpaginated ones.
    assert make(project, HTML_EPUB).diagnostics == ()
    # A build with pdf brings the page numbers back.
    make(project, ALL)
    assert page_list(project.dist / "mini.epub")


def test_other_build_settings_without_pdf_still_say_what_they_drop(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another SOURCE_DATE_EPOCH (or `--allow-remote`) changes every output's key: the print
    PDF is not current for it, and the editions in place, made with page numbers, are
    replaced by editions without them: said, not silent (a new user's trial found it)."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    make(project, ALL)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    result = make(project, HTML_EPUB)
    assert [(d.code, Path(d.path).name) for d in result.diagnostics] == [
        ("edition-unpaginated", "mini.html"),
        ("edition-unpaginated", "mini.epub"),
    ]
    assert not page_list(project.dist / "mini.epub")
    assert make(project, HTML_EPUB).diagnostics == ()  # said once


def test_a_clean_build_without_pdf_still_says_what_it_drops(project: Project) -> None:
    make(project, ALL)
    result = make(project, frozenset({Format.EPUB}), clean=True)
    assert [(d.code, Path(d.path).name) for d in result.diagnostics] == [
        ("edition-unpaginated", "mini.epub")
    ]
    assert "publisher build --format pdf,epub" in result.diagnostics[0].message
    assert not page_list(project.dist / "mini.epub")


def test_the_cli_prints_the_downgrade_warning(project: Project) -> None:
    assert cli(project, "build").returncode == 0
    project.edit()
    result = cli(project, "build", "--format", "epub")
    assert result.returncode == 0
    assert result.stderr.splitlines()[0] == (
        "dist/mini.epub: warning: edition-unpaginated: this build replaces mini.epub by an"
        " edition without the print page numbers it had (page markers, page-list, the"
        " indexes' pages): they come from the print PDF's layout, and mini-print.pdf is not"
        " current for these sources; to keep them, build with pdf too: publisher build"
        " --format pdf,epub"
    )

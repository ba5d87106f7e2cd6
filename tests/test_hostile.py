"""Hostile and broken input: each case gives a clear `path:line` diagnostic or a correct book.

The corpus is `tests/hostile/cases/` (one manuscript per file, expectations in
`tests/hostile/expected.toml`); huge inputs are generated here, never committed. Accepted cases
are built together once and the EPUB is checked by EPUBCheck. A secret file outside the project
is named every way a manuscript or stylesheet could name it, and must appear in no output byte.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import io
import re
import shutil
import textwrap
import tomllib
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pikepdf
import pytest
from lxml import etree
from PIL import Image

from publisher.base.diagnostics import BuildFailed
from publisher.base.rendered import Target
from publisher.cli import main
from publisher.pipeline import BuildRequest, Format, build, load, render

from .conftest import ONE_PART_TOML, review

HOSTILE = Path(__file__).resolve().parent / "hostile"
CASES = HOSTILE / "cases"
EXPECTED: dict[str, dict[str, object]] = tomllib.loads(
    (HOSTILE / "expected.toml").read_text("utf-8")
)
MESSAGE = re.compile(
    r"^(?P<path>[^:]+?)(?::(?P<line>\d+))?(?::(?P<col>\d+))?: (?P<severity>error|warning|info):"
    r" (?P<code>[a-z0-9-]+): (?P<message>.*)$"
)


class Outcome(NamedTuple):
    code: int
    errors: list[str]
    warnings: list[str]
    stderr: str


@pytest.fixture(autouse=True)
def _in_the_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages name files relative to the working directory: run where the project is."""
    monkeypatch.chdir(tmp_path)


def run_cli(args: list[str]) -> Outcome:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(args)
    errors: list[str] = []
    warnings: list[str] = []
    for line in err.getvalue().splitlines():
        assert "Traceback" not in line
        match = MESSAGE.match(line)
        if match is None:
            assert line.startswith("publisher: "), f"not a diagnostic: {line!r}"
            continue
        place = ":".join(p for p in (match["line"], match["col"]) if p)
        entry = f"{place}:{match['code']}" if place else match["code"]
        (errors if match["severity"] == "error" else warnings).append(entry)
    return Outcome(code, sorted(errors), sorted(warnings), err.getvalue())


def project(root: Path, files: dict[str, str | bytes], toml: str = ONE_PART_TOML) -> Path:
    """A book at `root` whose reviews are `files`, with the corpus's images beside them."""
    reviews = root / "manuscripts" / "reviews"
    reviews.mkdir(parents=True, exist_ok=True)
    anthology = root / "manuscripts" / "anthology.toml"
    anthology.write_text(textwrap.dedent(toml), encoding="utf-8")
    for name, data in files.items():
        target = reviews / name
        if isinstance(data, bytes):
            target.write_bytes(data)
        else:
            target.write_text(data, encoding="utf-8", newline="")
    if not (reviews / "images").exists():
        shutil.copytree(CASES / "images", reviews / "images")
    return anthology


# -- the committed corpus --------------------------------------------------------------------


def test_every_case_has_an_expectation() -> None:
    assert sorted(p.stem for p in CASES.glob("*.md")) == sorted(EXPECTED)


def _listed(expected: dict[str, object], key: str) -> list[str]:
    value = expected.get(key, [])
    assert isinstance(value, list)
    return sorted(str(item) for item in value)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_case(name: str, tmp_path: Path) -> None:
    expected = EXPECTED[name]
    anthology = project(tmp_path, {f"{name}.md": (CASES / f"{name}.md").read_bytes()})
    before = (CASES / f"{name}.md").read_bytes()
    outcome = run_cli(["check", str(anthology)])
    assert outcome.code == expected["exit"], outcome.stderr
    assert outcome.errors == _listed(expected, "errors"), outcome.stderr
    optional = set(_listed(expected, "may_warn"))
    warnings = [w for w in outcome.warnings if w.rsplit(":", 1)[-1] not in optional]
    assert warnings == _listed(expected, "warnings"), outcome.stderr
    for line in outcome.stderr.splitlines():
        if MESSAGE.match(line):
            assert line.startswith(f"manuscripts/reviews/{name}.md"), line
    assert (tmp_path / "manuscripts" / "reviews" / f"{name}.md").read_bytes() == before


@pytest.fixture(scope="module")
def accepted_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every accepted case in one book, built once as EPUB and HTML."""
    root = tmp_path_factory.mktemp("accepted")
    names = [name for name, spec in EXPECTED.items() if spec["exit"] == 0]
    files: dict[str, str | bytes] = {f"{n}.md": (CASES / f"{n}.md").read_bytes() for n in names}
    files["table-2000.md"] = review(film="Tabla", body=_table(2000))
    files["list-39.md"] = review(film="Lista", body=_nested_list(39))
    anthology = project(root, files)
    result = build(
        BuildRequest(anthology, frozenset({Format.EPUB, Format.HTML}), root / "dist", cache=False)
    )
    assert not [d for d in result.diagnostics if d.severity.value == "error"]
    return root / "dist"


def test_accepted_cases_make_a_valid_epub(accepted_book: Path) -> None:
    from publisher.validation.epub import run_epubcheck

    [epub] = accepted_book.glob("*.epub")
    result = run_epubcheck(epub)
    assert result.ok, [d.format() for d in result.diagnostics]


def test_accepted_cases_are_well_formed_and_script_free(accepted_book: Path) -> None:
    [epub] = accepted_book.glob("*.epub")
    with zipfile.ZipFile(epub) as archive:
        documents = [n for n in archive.namelist() if n.endswith(".xhtml")]
        opf = archive.read("EPUB/content.opf").decode("utf-8")
        for name in documents:
            text = archive.read(name)
            etree.fromstring(text)  # well-formed XML or it raises
            lowered = text.lower()
            for banned in (b"<script", b"<iframe", b"<object", b"<embed", b"<form", b"javascript:"):
                assert banned not in lowered, (name, banned)
            assert not re.search(rb"\son[a-z]+=", lowered), name
        english = archive.read("EPUB/text/raw-html-hostile.xhtml").decode("utf-8")
    assert "scripted" not in opf
    assert '<span lang="en" xml:lang="en">in English</span>' in english
    [html] = accepted_book.glob("*.html")
    assert b"<script" not in html.read_bytes().lower()


# -- generated cases: too big to commit --------------------------------------------------------


def _table(rows: int) -> str:
    return "| Año | Título |\n|---|---|\n" + "".join(
        f"| {1900 + i % 100} | Fila {i} |\n" for i in range(rows)
    )


def _nested_list(depth: int) -> str:
    return "".join("\t" * level + "- nivel\n" for level in range(depth))


def _bomb_png() -> bytes:
    """A PNG whose header declares 100,000 × 100,000 pixels; never inflated by the check."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


GENERATED: dict[str, tuple[str | bytes, list[str]]] = {
    "ten-megabytes": (review(body="Relleno de diez megas. " * 450_000), ["manuscript-too-large"]),
    "long-paragraph": (review(body="palabra " * 25_000), ["13:paragraph-too-long"]),
    "deep-list": (
        review(body=_nested_list(1000)),
        ["13:paragraph-too-long", "53:1:markdown-too-deep"],
    ),
    "deep-quote": (review(body="> " * 1000 + "cita\n"), ["13:1:markdown-too-deep"]),
    "deep-mixed": (review(body="> - " * 500 + "x\n"), ["13:1:markdown-too-deep"]),
    "unclosed-brackets": (review(body="[" * 20_000), ["13:markdown-too-complex"]),
    "unclosed-tags": (review(body="<a " * 20_000), ["13:markdown-too-complex"]),
    "deep-yaml": (
        review(extra="summary: " + "[" * 5000 + "]" * 5000 + "\n"),
        ["11:1009:front-matter-syntax"],  # libyaml stops at its depth limit
    ),
}


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_case(name: str, tmp_path: Path) -> None:
    text, errors = GENERATED[name]
    anthology = project(tmp_path, {f"{name}.md": text})
    outcome = run_cli(["check", str(anthology)])
    assert (outcome.code, outcome.errors) == (1, sorted(errors)), outcome.stderr


def test_decompression_bomb_generated(tmp_path: Path) -> None:
    anthology = project(tmp_path, {"bomba.md": review(body="![Bomba](grande.png)")})
    (anthology.parent / "reviews" / "grande.png").write_bytes(_bomb_png())
    outcome = run_cli(["check", str(anthology)])
    assert (outcome.code, outcome.errors) == (1, ["13:1:image-too-large"]), outcome.stderr


def test_duplicate_slugs(tmp_path: Path) -> None:
    anthology = project(tmp_path, {"La Tregua.md": review(), "la-tregua.md": review(film="Otra")})
    outcome = run_cli(["check", str(anthology)])
    assert outcome.code == 1 and outcome.errors == ["1:duplicate-slug"], outcome.stderr


def test_limits_come_from_the_anthology_file(tmp_path: Path) -> None:
    toml = ONE_PART_TOML + "\n[limits]\nmax_nesting_depth = 3\nmax_image_pixels = 10\n"
    anthology = project(
        tmp_path,
        {"a.md": review(body=_nested_list(5) + "\n\n![Punto](images/punto.png)")},
        toml=toml,
    )
    outcome = run_cli(["check", str(anthology)])
    assert outcome.errors == ["16:1:markdown-too-deep"], outcome.stderr
    anthology.write_text(ONE_PART_TOML + "\n[limits]\nmax_nesting_depth = 0\nmax_depht = 3\n")
    outcome = run_cli(["check", str(anthology)])
    assert outcome.code == 1
    at = ONE_PART_TOML.count("\n") + 3  # a blank line, `[limits]`, then this key
    expected = [f"{at}:1:anthology-type", f"{at + 1}:1:anthology-unknown-key"]
    assert outcome.errors == expected, outcome.stderr


# -- secrets outside the project ---------------------------------------------------------------


class Secret(NamedTuple):
    token: bytes
    jpeg: Path  # a JPEG whose comment holds the token (PDFs embed JPEG bytes as they are)
    text: Path


@pytest.fixture
def secret(tmp_path: Path) -> Secret:
    outside = tmp_path / "outside"
    outside.mkdir()
    token = f"SECRET-{uuid.uuid4().hex}".encode("ascii")
    jpeg = outside / "secret.jpg"
    Image.new("RGB", (4, 4), (1, 2, 3)).save(jpeg, "JPEG", comment=token)
    assert token in jpeg.read_bytes()
    text = outside / "secret.txt"
    text.write_bytes(token + b"\n")
    return Secret(token, jpeg, text)


def output_bytes(dist: Path) -> Iterator[tuple[str, bytes]]:
    """Every byte an output holds, unpacked: zip members, PDF streams, base64 data URIs."""
    for path in sorted(dist.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        yield path.name, data
        if path.suffix == ".epub":
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    yield f"{path.name}/{name}", archive.read(name)
        if path.suffix == ".pdf":
            with pikepdf.open(path) as pdf:
                for number, obj in enumerate(pdf.objects):
                    if isinstance(obj, pikepdf.Stream):
                        yield f"{path.name}#{number}", obj.read_raw_bytes()
                        with contextlib.suppress(pikepdf.PdfError):
                            yield f"{path.name}#{number}d", obj.read_bytes()
        for payload in re.findall(rb"base64,([A-Za-z0-9+/=]+)", data):
            yield f"{path.name}:data-uri", base64.b64decode(payload + b"==")


def assert_no_secret(dist: Path, token: bytes) -> None:
    for name, data in output_bytes(dist):
        assert token not in data, f"secret leaked into {name}"


def _relative(target: Path, start: Path) -> str:
    import os

    return os.path.relpath(target, start)


@pytest.mark.parametrize(
    "how", ["dotdot", "absolute", "file-url", "symlink", "reference-style", "percent-encoded"]
)
def test_manuscript_cannot_name_a_file_outside(how: str, tmp_path: Path, secret: Secret) -> None:
    root = tmp_path / "book"
    reviews = root / "manuscripts" / "reviews"
    reviews.mkdir(parents=True)
    src = {
        "dotdot": _relative(secret.jpeg, reviews),
        "absolute": str(secret.jpeg),
        "file-url": secret.jpeg.as_uri(),
        "symlink": "images/enlace.jpg",
        "reference-style": "x",
        "percent-encoded": _relative(secret.jpeg, reviews).replace(".", "%2E"),
    }[how]
    body = f"Texto.\n\n![Secreto]({src})\n"
    if how == "reference-style":
        body = f"Texto.\n\n![Secreto][s]\n\n[s]: {_relative(secret.jpeg, reviews)}\n"
    anthology = project(root, {"fuga.md": review(body=body)})
    if how == "symlink":
        (reviews / "images" / "enlace.jpg").symlink_to(secret.jpeg)
    outcome = run_cli(["build", str(anthology), "--out", str(root / "dist")])
    code = "file-url-refused" if how == "file-url" else "path-outside-project"
    assert (outcome.code, outcome.errors) == (1, [f"15:1:{code}"]), outcome.stderr
    assert not (root / "dist").exists() or not list((root / "dist").iterdir())
    assert secret.token.decode() not in outcome.stderr


def test_stylesheet_cannot_name_a_file_outside(tmp_path: Path, secret: Secret) -> None:
    root = tmp_path / "book"
    anthology = project(root, {"a.md": review()})
    css = anthology.parent / "style-overrides" / "css"
    css.mkdir(parents=True)
    (css / "theme.css").write_text(
        "body { color: black; }\n"
        f'body {{ background: url("{_relative(secret.jpeg, root)}"); }}\n'
        f"@import url('{secret.text.as_uri()}');\n"
        f"h1 {{ background-image: url({secret.jpeg}) }}\n"
        "p { background: url(data:image/png;base64,AAAA) }\n",
        encoding="utf-8",
    )
    outcome = run_cli(["build", str(anthology), "--out", str(root / "dist")])
    assert outcome.code == 1
    assert outcome.errors == ["2:20:path-outside-project", "3:9:file-url-refused",
                              "4:24:path-outside-project"], outcome.stderr  # fmt: skip
    assert "manuscripts/style-overrides/css/theme.css:2:20" in outcome.stderr


def test_raw_html_cannot_pull_in_a_file_outside(tmp_path: Path, secret: Secret) -> None:
    root = tmp_path / "book"
    reviews = root / "manuscripts" / "reviews"
    rel = _relative(secret.jpeg, reviews)
    body = (
        f'Texto <img src="{secret.jpeg.as_uri()}" alt="x"> y <img src="{rel}" alt="y">.\n\n'
        f'<link rel="attachment" href="{secret.text.as_uri()}">\n\n'
        f'<object data="{secret.text.as_uri()}"></object>\n\n'
        f'<div style="background: url({secret.jpeg.as_uri()})">fondo</div>\n\n'
        f'<svg><image href="{secret.jpeg.as_uri()}"/></svg>\n\n'
        f'<iframe src="{secret.text.as_uri()}"></iframe>\n'
    )
    anthology = project(root, {"fuga.md": review(body=body)})
    outcome = run_cli(["build", str(anthology), "--out", str(root / "dist")])
    assert outcome.code == 0, outcome.stderr
    assert len(list((root / "dist").glob("*"))) == 4
    assert {w.rsplit(":", 1)[-1] for w in outcome.warnings} == {"raw-html-removed"}
    assert_no_secret(root / "dist", secret.token)


def test_pdf_fetcher_refuses_what_the_loader_never_saw(tmp_path: Path, secret: Secret) -> None:
    """Defence in depth: a page naming outside files directly still reads none of them."""
    from publisher.export import write

    root = tmp_path / "book"
    anthology = project(root, {"a.md": review()})
    (root / "enlace.jpg").symlink_to(secret.jpeg)
    book = render(load(anthology)[0], Target.SCREEN_PDF)
    for hostile in (
        f'<link rel="attachment" href="{secret.text.as_uri()}">',
        f'<img src="{secret.jpeg.as_uri()}" alt="">',
        '<img src="enlace.jpg" alt="">',  # a symlink inside the root that points out
        f"<style>@import url({secret.text.as_uri()});</style>",
    ):
        page = book.page.replace("</body>", f"{hostile}</body>")
        with pytest.raises(BuildFailed) as failure:
            write(dataclasses.replace(book, page=page), root / "dist" / "x.pdf")
        [problem] = failure.value.diagnostics
        assert problem.code == "path-outside-project", hostile
        assert not (root / "dist" / "x.pdf").exists()
    assert not (root / "dist").exists() or not list((root / "dist").iterdir())

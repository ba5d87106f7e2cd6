"""`publisher init`: a new project that builds and validates as it is written.

The files are package data under `scaffold/project/` (so a wheel ships them): `common/` for
every language, and one folder per language with example text (`TEXTS`). A name starting with
`dot-` is written with a leading `.` instead (`dot-gitignore` → `.gitignore`): setuptools'
package-data globs skip names starting with a dot. In the anthology file and the reviews,
`$title`, `$lang`, `$date` and `$year` are filled in (`string.Template`: TOML uses braces, never
`$`).
"""

from __future__ import annotations

import json
import tomllib
import unicodedata
from collections.abc import Iterator
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

from ..base.project import today

# Languages with example text, and the default title of each; any `en-*` tag gets English.
TEXTS = {"en": "My Film Anthology", "es": "Mi antología de cine"}
FILLED = ("anthology.toml", ".md")  # files with `$` fields: the anthology file, manuscripts
DOT = "dot-"


class InitError(Exception):
    """The project cannot be written (the folder is not empty, or is not a folder)."""


def text_language(lang: str) -> str | None:
    """The example text `lang` (a BCP 47 tag) gets: `en` for `en` and any `en-*`, `es` for `es`
    and any `es-*`; None when init has no text for it."""
    primary = lang.split("-")[0].lower()
    return primary if primary in TEXTS else None


def toml_string(value: str) -> str:
    """`value` as a TOML basic string. JSON's string syntax is TOML's for text without control
    characters (TOML 1.0, "String"; DEL is the one TOML forbids that JSON leaves as it is), so
    json writes it and tomllib reads it back to prove it. Raises ValueError for a control
    character."""
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise ValueError("a title cannot hold control characters")
    written = json.dumps(value, ensure_ascii=False)
    if tomllib.loads(f"v = {written}")["v"] != value:  # cannot happen without a control character
        raise ValueError(f"`{value}` cannot be written as a TOML string")
    return written


def write_project(directory: Path, lang: str, title: str | None = None) -> list[Path]:
    """Write a new project into `directory` (created when missing; it must be empty), with the
    example text of `lang` (`text_language`) and `title` (default: the language's). Returns
    the files written, in order. Raises InitError when `directory` exists and is not an empty
    folder (nothing is written), ValueError for a language without text or a title with
    control characters. A file is never overwritten: each is created exclusively."""
    language = text_language(lang)
    if language is None:
        raise ValueError(f"no example text for `{lang}`")
    if directory.exists() and not directory.is_dir():
        raise InitError(f"`{directory}` exists and is not a folder; nothing was written")
    if directory.is_dir() and any(directory.iterdir()):
        raise InitError(f"`{directory}` is not empty; nothing was written (init starts a new book)")
    date = today()
    fields = {
        "title": toml_string(title if title is not None else TEXTS[language]),
        "lang": toml_string(lang),
        "date": date.isoformat(),
        "year": str(date.year),
    }
    package = resources.files("publisher").joinpath("scaffold", "project")
    sources = [*_files(package / "common", ()), *_files(package / language, ())]
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for parts, source in sorted(sources, key=lambda item: _order(item[0])):
        target = directory.joinpath(*parts)
        data = source.read_text(encoding="utf-8")
        if target.name.endswith(FILLED):
            data = Template(data).substitute(fields)
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8") as handle:  # "x": never over a file
            handle.write(data)
        written.append(target)
    return written


def _files(
    folder: Traversable, parts: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], Traversable]]:
    """Every file under `folder`: (its path parts as written in the project, the source)."""
    for entry in folder.iterdir():
        name = "." + entry.name[len(DOT) :] if entry.name.startswith(DOT) else entry.name
        if entry.is_dir():
            if name != "__pycache__":
                yield from _files(entry, (*parts, name))
        else:
            yield (*parts, name), entry


def _order(parts: tuple[str, ...]) -> tuple[int, tuple[str, ...]]:
    """The anthology file first, then the rest by path."""
    return (0 if parts == ("anthology.toml",) else 1, parts)

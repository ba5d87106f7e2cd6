"""A catalogue file: the anthologies one `publisher build` makes together.

    [catalogue]
    anthologies = ["guerra/anthology.toml", "westerns", "series/*/anthology.toml"]

Each entry is relative to the catalogue file's folder: an anthology file, a project folder
(the anthology file in it: `anthology.toml` or `manuscripts/anthology.toml`), or a glob pattern
(`pathlib.Path.glob`, its matches in sorted order, so the order never depends on the file
system). A TOML file with a `[catalogue]` table is a catalogue; any other is an anthology.
Problems are reported at the entry's line and column, all at once; a bad entry costs only
itself (the other entries' books are still built, as a bad anthology file named on the command
line stops only itself).
"""

from __future__ import annotations

import glob
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..base.diagnostics import BuildFailed, Diagnostic, error
from ..base.project import ANTHOLOGY_NAMES
from .toml_errors import parse_toml
from .toml_positions import toml_positions

MAX_CATALOGUE_BYTES = 1 << 20  # a list of paths; a bigger file is not a catalogue


@dataclass(frozen=True)
class Catalogue:
    """`path`: the catalogue file; `anthologies`: absolute anthology files, in the catalogue's
    order (each once: a book listed twice, or matched by two patterns, is built once);
    `problems`: the entries that name no anthology (`catalogue-entry`, at their line)."""

    path: Path
    anthologies: tuple[Path, ...]
    problems: tuple[Diagnostic, ...] = ()


def is_catalogue(path: Path) -> bool:
    """Whether `path` is a TOML file with a `[catalogue]` table (False for anything else,
    including a file that does not parse: its own loader reports that)."""
    try:
        return "catalogue" in tomllib.loads(_text(path))
    except (OSError, UnicodeDecodeError, ValueError, tomllib.TOMLDecodeError):
        return False


def _text(path: Path) -> str:
    """The file's text. Raises OSError, UnicodeDecodeError, ValueError (not a catalogue:
    not `.toml`, or larger than MAX_CATALOGUE_BYTES)."""
    if path.suffix.lower() != ".toml" or path.stat().st_size > MAX_CATALOGUE_BYTES:
        raise ValueError(f"{path} is not a catalogue file")
    return path.read_text(encoding="utf-8")


def read_catalogue(path: Path) -> Catalogue:
    """The catalogue at `path`, with the problems of its entries (an entry that is not a path,
    names no anthology or matches nothing) in `problems`. Raises BuildFailed when the file
    lists nothing: it cannot be read, does not parse, or has no `anthologies` list."""
    shown = str(path)
    try:
        text = _text(path)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BuildFailed([error(shown, 0, "catalogue-unreadable", str(exc))]) from None
    data = parse_toml(text, shown)
    positions = toml_positions(text)
    table = data.get("catalogue")
    entries = table.get("anthologies") if isinstance(table, dict) else None
    if not isinstance(entries, list) or not entries:
        line, col = positions.of("catalogue")
        message = "`anthologies` must list the anthology files to build, e.g."
        example = ' anthologies = ["guerra/anthology.toml", "westerns"]'
        raise BuildFailed([error(shown, line, "catalogue-empty", message + example, col)])
    found: list[Path] = []
    problems: list[Diagnostic] = []
    folder = path.parent
    for index, entry in enumerate(entries):
        line, col = positions.of("catalogue", "anthologies", index)
        if not isinstance(entry, str) or not entry.strip():
            problems.append(
                error(shown, line, "catalogue-entry", "an entry must be a path, as text", col)
            )
            continue
        matches = _matches(folder, entry)
        if not matches:
            problems.append(
                error(
                    shown,
                    line,
                    "catalogue-entry",
                    f"`{entry}` names no anthology file (paths and patterns are relative to"
                    " the catalogue file's folder)",
                    col,
                )
            )
        found += [match for match in matches if match not in found]
    return Catalogue(path, tuple(found), tuple(problems))


def _matches(folder: Path, entry: str) -> list[Path]:
    """The anthology files an entry names (absolute): a file, or a project folder's anthology
    file (`ANTHOLOGY_NAMES`, in the folder itself); a glob pattern's matches, sorted, each
    read so. None when it names nothing."""
    named = sorted(folder.glob(entry)) if glob.has_magic(entry) else [folder / entry]
    found = []
    for match in named:
        if match.is_dir():
            match = next((match / n for n in ANTHOLOGY_NAMES if (match / n).is_file()), match)
        if match.is_file():
            found.append(Path(os.path.abspath(match)))
    return found

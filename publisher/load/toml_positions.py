"""Where each key, table header and array element of a TOML document starts (line, column).

tomllib keeps no positions and tomlkit keeps the layout but no offsets (tomlkit issue #55,
open). So this module, the only tomlkit user, runs tomlkit's parser with three hooks that note
the source offset where each key/value pair, value and table header begins, then walks the
document tomlkit built to name each noted item by its key path: `("title",)`,
`("parts", 1, "select", "tags")`, `("front", 2)` (the third entry of `front`).

The values themselves come from tomllib (`anthology_file.py`): this index only places them.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tomlkit.container import Container
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT, Array, InlineTable, Item, Key, Table
from tomlkit.parser import Parser

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Positions:
    """Key path → (line, column), both 1-based, of where that key (or table name, or array
    entry) is written. `tables`: the paths of table headers, in document order."""

    found: Mapping[KeyPath, tuple[int, int]] = field(default_factory=dict)
    tables: tuple[KeyPath, ...] = ()

    def of(self, *path: str | int) -> tuple[int, int]:
        """Where `path` is written; for a key that is not (a missing key, a table made by a
        dotted key), where its first written child is, else its nearest written parent;
        (1, 0) for the top of the file (column unknown)."""
        if path in self.found:
            return self.found[path]
        if not path:
            return (1, 0)
        inside = [where for key, where in self.found.items() if key[: len(path)] == path]
        if inside:
            return min(inside)
        for length in range(len(path) - 1, 0, -1):
            if path[:length] in self.found:
                return self.found[path[:length]]
        return (1, 0)

    def has(self, *path: str | int) -> bool:
        """Whether `path` is written, itself or through a child (`a.b = 1` writes `a`)."""
        return any(key[: len(path)] == path for key in self.found) if path else False


class _NotingParser(Parser):
    """tomlkit's parser, noting the source offset of every key/value pair, value and table
    header it reads (by the identity of the item it returns)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text
        self.key_at: dict[int, int] = {}
        self.value_at: dict[int, int] = {}
        self.kept: list[Item] = []  # keeps every noted item alive, so no id is reused

    def _note(self, table: dict[int, int], item: Item, offset: int) -> None:
        table.setdefault(id(item), offset)
        self.kept.append(item)

    def _parse_key_value(self, parse_comment: bool = False) -> tuple[Key, Item]:
        start = self._idx
        key, value = super()._parse_key_value(parse_comment)
        self._note(self.key_at, value, start + len(value.trivia.indent))
        return key, value

    def _parse_value(self) -> Item:
        start = self._idx
        value = super()._parse_value()
        self._note(self.value_at, value, start)
        return value

    def _parse_table(
        self, parent_name: Key | None = None, parent: Table | None = None
    ) -> tuple[Key, Table | AoT]:
        start = self._idx
        key, result = super()._parse_table(parent_name, parent)
        table = result.body[0] if isinstance(result, AoT) else result
        name = start
        while name < len(self.text) and self.text[name] in "[ \t":
            name += 1
        self._note(self.key_at, table, name)
        return key, result


def toml_positions(text: str) -> Positions:
    """The positions in `text`, a TOML document; an empty index when tomlkit cannot parse
    it (tomllib, which reads the values, reports syntax errors first)."""
    try:
        return _positions(text)
    except (TOMLKitError, ValueError, RecursionError):
        return Positions()
    except Exception:
        # The hooks override tomlkit's private methods: if a release changes them, problems
        # fall back to line 1 (tests/test_messages.py then fails) rather than the check
        # stopping with a traceback.
        return Positions()


def _positions(text: str) -> Positions:
    parser = _NotingParser(text)
    document = parser.parse()
    offsets: dict[KeyPath, int] = {}
    tables: list[tuple[int, KeyPath]] = []
    _walk(parser, document.body, (), offsets, tables, {})
    starts = _line_starts(text)
    found = {path: _line_col(starts, offset) for path, offset in offsets.items()}
    return Positions(found, tuple(path for _, path in sorted(tables)))


def _walk(
    parser: _NotingParser,
    body: Iterable[tuple[Key | None, Item]],
    path: KeyPath,
    offsets: dict[KeyPath, int],
    tables: list[tuple[int, KeyPath]],
    counts: dict[KeyPath, int],
) -> None:
    for key, item in body:
        if key is None:  # whitespace, comments
            continue
        here: KeyPath = path + tuple(part.key for part in key)
        if isinstance(item, AoT):
            first = counts.get(here, 0)  # an array of tables split by other tables
            for index, table in enumerate(item.body, start=first):
                _place(parser, table, (*here, index), offsets, tables)
                _walk(parser, _body(table), (*here, index), offsets, tables, counts)
            counts[here] = first + len(item.body)
            if (*here, 0) in offsets:
                offsets.setdefault(here, offsets[(*here, 0)])
            continue
        _place(parser, item, here, offsets, tables)
        if isinstance(item, Table | InlineTable):
            _walk(parser, _body(item), here, offsets, tables, counts)
        elif isinstance(item, Array):
            for index, entry in enumerate(item):
                offset = parser.value_at.get(id(entry))
                if offset is not None:
                    offsets.setdefault((*here, index), offset)


def _place(
    parser: _NotingParser,
    item: Item,
    path: KeyPath,
    offsets: dict[KeyPath, int],
    tables: list[tuple[int, KeyPath]],
) -> None:
    offset = parser.key_at.get(id(item))
    if offset is None:
        return
    offsets.setdefault(path, offset)
    if isinstance(item, Table):
        tables.append((offset, path))


def _body(table: Table | InlineTable) -> list[tuple[Key | None, Item]]:
    container: Any = table.value
    assert isinstance(container, Container)
    return container.body


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts += [index + 1 for index, char in enumerate(text) if char == "\n"]
    return starts


def _line_col(starts: list[int], offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of `offset`."""
    line = bisect.bisect_right(starts, offset) - 1  # the last line start at or before it
    return line + 1, offset - starts[line] + 1

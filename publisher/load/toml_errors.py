"""TOML syntax errors in plain words, at the line and column where the fix goes.

tomllib's messages name the parser's state ("Expected newline or end of document after a
statement (at line 4, column 12)"); `explain` turns the common kinds into what an editor can act
on: an unterminated string at its opening quote, a key set twice with the line of the first,
a date that is no date, an unclosed `[[parts]` header, a bare word that needs quotes. Any other
kind keeps tomllib's own text, at tomllib's position. The kinds are those of tomllib's parser
(Lib/tomllib/_parser.py, as of Python 3.11).
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..base.diagnostics import BuildFailed, error
from ..base.text import suggestion
from .toml_positions import KeyPath, toml_positions

WHERE = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)$")
DATE_LIKE = re.compile(r"^\d{4}-\d")
BARE_WORD = re.compile(r"^[^\W\d][\w .'-]*$")
KEY_LINE = re.compile(r"^\s*([^=#\[]+?)\s*=")
HEADER_LINE = re.compile(r"^\s*\[\[?\s*([^\]]*?)\s*\]")
DATE_EXAMPLE = "2026-11-20"


@dataclass(frozen=True)
class SyntaxProblem:
    line: int
    col: int
    message: str


def explain(text: str, exc: tomllib.TOMLDecodeError) -> SyntaxProblem:
    """The problem `exc` (raised by `tomllib.loads(text)`) in plain words. Never raises."""
    raw = str(exc)
    match = WHERE.search(raw)
    kind = raw[: match.start()] if match else raw
    lines = text.split("\n")
    if match and match.group(1):
        line, col = int(match.group(1)), int(match.group(2))
    else:  # at the end of the document
        line, col = len(lines), len(lines[-1]) + 1
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    found = _explained(kind, text, lines, line, col, source)
    return found or SyntaxProblem(line, col, kind[:1].lower() + kind[1:])


def _explained(
    kind: str, text: str, lines: list[str], line: int, col: int, source: str
) -> SyntaxProblem | None:
    value = _value_text(source)
    if kind == "Illegal character '\\n'" or kind == 'Expected "\'"':
        at = _open_quote(lines, line)
        return SyntaxProblem(*at, "unterminated string: close the quote on the same line")
    if kind in ("Unterminated string", "Expected \"'''\""):
        opened = max(text.rfind('"""'), text.rfind("'''"))
        where = _line_col(text, opened) if opened >= 0 else (line, col)
        return SyntaxProblem(*where, 'unterminated multi-line string: close it with `"""`')
    if kind in ("Unclosed array", "Unclosed inline table"):
        bracket = "[" if kind == "Unclosed array" else "{"
        where = _opener(lines, line, bracket)
        closing = "]" if bracket == "[" else "}"
        what = "list" if bracket == "[" else "inline table"
        return SyntaxProblem(*where, f"this {what} is never closed: end it with `{closing}`")
    if kind.startswith("Cannot overwrite a value") or kind.startswith("Cannot declare"):
        return _twice(text, lines, line) or None
    if kind.startswith("Duplicate inline table key"):
        name = kind.split(" ")[-1].strip("'\"")
        return SyntaxProblem(line, col, f"`{name}` is set twice in the same inline table")
    if kind == "Expected ']]' at the end of an array declaration":
        return SyntaxProblem(line, col, "the table header is not closed: end it with `]]`")
    if kind == "Expected ']' at the end of a table declaration":
        return SyntaxProblem(line, col, "the table header is not closed: end it with `]`")
    if (
        value
        and DATE_LIKE.match(value)
        and (kind == "Invalid date or datetime" or kind.startswith("Expected newline"))
    ):
        where = (line, source.index(value) + 1)
        return SyntaxProblem(*where, _not_a_date(value))
    if kind == "Invalid value" and value and BARE_WORD.match(value):
        where = (line, source.index(value) + 1)
        if hint := suggestion(value.lower(), ("true", "false")):
            return SyntaxProblem(*where, f"`{value}` is not a TOML value{hint}")
        return SyntaxProblem(*where, f'text must be in quotes: write "{value}"')
    if kind == "Invalid value" and not value:
        return SyntaxProblem(line, col, "a key needs a value after `=`")
    if kind.startswith("Expected newline") and value:
        return SyntaxProblem(
            line, col, f"unexpected text after the value `{value}`: one `key = value` a line"
        )
    if kind.startswith("Unescaped '\\'"):
        return SyntaxProblem(
            line, col, "a backslash in a \"…\" string starts an escape: write `\\\\`, or use '…'"
        )
    if kind == "Invalid initial character for a key part":
        if source[col - 1 : col] == "}":
            return SyntaxProblem(line, col, "a `{…}` table cannot end with a comma: remove it")
        return SyntaxProblem(line, col, "expected a key here")
    if kind == "Invalid statement":
        return SyntaxProblem(line, col, "expected `key = value` or a `[table]` header")
    if kind == "Expected '=' after a key in a key/value pair" and source.strip():
        if any(ord(char) > 127 for char in source.split("=")[0]):
            return SyntaxProblem(line, col, 'a key with non-ASCII letters must be quoted: "…" = …')
        return SyntaxProblem(line, col, "expected `key = value`")
    return None


def _value_text(source: str) -> str:
    """The value written on a `key = value` line, without a trailing comment."""
    if "=" not in source:
        return ""
    return source.split("=", 1)[1].split(" #")[0].strip()


def _open_quote(lines: list[str], line: int) -> tuple[int, int]:
    """Where the string left open at the end of `line` (or the last line before it that
    leaves one open) starts."""
    for number in range(min(line, len(lines)), 0, -1):
        opened = _opened_at(lines[number - 1])
        if opened:
            return number, opened
    return line, 1


def _opened_at(source: str) -> int:
    """The column of the quote that `source` leaves open, 0 when it leaves none."""
    quote, opened, index = "", 0, 0
    while index < len(source):
        char = source[index]
        if quote == '"' and char == "\\":
            index += 2
            continue
        if quote and char == quote:
            quote = ""
        elif not quote and char in "\"'":
            quote, opened = char, index
        elif not quote and char == "#":
            break
        index += 1
    return opened + 1 if quote else 0


def _opener(lines: list[str], line: int, bracket: str) -> tuple[int, int]:
    """The last `key = [` (or `{`) at or before `line` that its own line leaves open: where
    the unclosed value starts (brackets inside quotes are not told apart: a guess that holds
    for lists of plain words and names)."""
    pattern = re.compile(rf"=\s*{re.escape(bracket)}")
    closing = "]" if bracket == "[" else "}"
    for number in range(min(line, len(lines)), 0, -1):
        source = lines[number - 1]
        found = pattern.search(source)
        if found and source.count(bracket) > source.count(closing):
            return number, found.end()
    return line, 1


def _twice(text: str, lines: list[str], line: int) -> SyntaxProblem | None:
    """A key or table set a second time at `line`: name it and the line of the first."""
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    header = HEADER_LINE.match(source)
    key = header or KEY_LINE.match(source)
    if key is None:
        return None
    written = key.group(1)
    name = _key_path(written)
    if name is None:
        return None
    before = toml_positions("\n".join(lines[: line - 1]))
    path: KeyPath = name
    if not header and before.tables:
        path = before.tables[-1] + name
    col = source.index(written) + 1
    shown = ".".join(str(part) for part in name)
    if before.has(*path):
        first = before.of(*path)[0]
        return SyntaxProblem(line, col, f"`{shown}` is set twice (first at line {first})")
    return SyntaxProblem(line, col, f"`{shown}` is set twice")


def _key_path(written: str) -> tuple[str, ...] | None:
    """`a."b c".d` → ("a", "b c", "d"), read by tomllib itself; None when it is no key."""
    try:
        data = tomllib.loads(f"{written} = 0")
    except tomllib.TOMLDecodeError:
        return None
    path: list[str] = []
    node: object = data
    while isinstance(node, dict) and len(node) == 1:
        [(name, node)] = node.items()
        path.append(name)
    return tuple(path)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _not_a_date(value: str) -> str:
    """Why `value` (it starts like a date) is none: a day its month lacks, or its shape."""
    if match := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value):
        year, month, day = (int(part) for part in match.groups())
        if not 1 <= month <= 12:
            return f"`{value}` is not a date: there is no month {month}"
        with contextlib.suppress(ValueError):
            dt.date(year, month, day)
            return f"`{value}` is not a date"  # valid as a date: something else is wrong
        last = calendar.monthrange(year, month)[1]
        return f"`{value}` is not a date: that month has {last} days"
    return f"`{value}` is not a date: write YYYY-MM-DD, e.g. {DATE_EXAMPLE}"


def parse_toml(text: str, shown: str | Path) -> dict[str, Any]:
    """`text` parsed by tomllib. Raises BuildFailed with the syntax error in plain words
    (`toml-syntax`, at `shown`'s line and column: `explain`)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problem = explain(text, exc)
        raise BuildFailed(
            [error(shown, problem.line, "toml-syntax", problem.message, problem.col)]
        ) from None

"""Split a manuscript into YAML front matter and Markdown body, keeping line numbers.

A YAML error does not hide the rest of the file: `read_fields` parses the front matter whole,
and when that fails, parses each top-level block (a `key:` at column 0 and the lines under it)
on its own. The blocks that parse give their keys as usual; each block that does not gives one
syntax error at its own line and column, in plain words where the kind is common
(`_plain`), and its key is listed as unreadable, so that it is not reported missing too.
What is lost is only the broken block (a whole `film:` mapping when one of its lines is broken).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

FENCE = "---"
# libyaml's parser when PyYAML was built with it: 15× faster, same nodes and line marks.
COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# A line that opens a top-level block: `key:` at column 0 (bare or quoted key).
# In `ReadFields.unreadable`: no key could be read (the front matter is no mapping).
EVERY_KEY = "*"
BLOCK_START = re.compile(r"""^(?:"([^"]*)"|'([^']*)'|([^\s#'"\-?:\[\]{}][^:]*?))\s*:(?:\s|$)""")


@dataclass(frozen=True)
class FrontMatterError(Exception):
    line: int
    col: int
    message: str


@dataclass(frozen=True)
class Field:
    """A front matter value with the position of its key (1-based, in the whole file)."""

    value: Any
    line: int
    col: int
    children: dict[str, Field] | None = None  # for nested mappings such as `film`


@dataclass(frozen=True)
class SplitText:
    yaml_text: str | None
    body: str
    body_line: int


@dataclass(frozen=True)
class ReadFields:
    """The keys that could be read, every error met, and the top-level keys whose value could
    not be read (a broken block, a value YAML cannot construct)."""

    fields: dict[str, Field]
    errors: tuple[FrontMatterError, ...] = ()
    unreadable: frozenset[str] = field(default_factory=frozenset)


def split_front_matter(text: str) -> SplitText:
    """Pure: cut `---`-fenced YAML off the top of `text`; no fence means no front matter."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != FENCE:
        return SplitText(None, text, 1)
    for index in range(1, len(lines)):
        if lines[index].rstrip() in (FENCE, "..."):
            return SplitText("\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2)
    raise FrontMatterError(1, 1, "front matter opened with `---` is never closed")


def parse_fields(yaml_text: str, first_line: int = 2) -> dict[str, Field]:
    """Parse a YAML mapping into `Field`s. Raises FrontMatterError on the first problem."""
    read = read_fields(yaml_text, first_line)
    if read.errors:
        raise min(read.errors, key=lambda e: (e.line, e.col))
    return read.fields


def read_fields(yaml_text: str, first_line: int = 2) -> ReadFields:
    """Every key that can be read from `yaml_text`, which starts at line `first_line` of its
    file, and every problem found (see the module's docstring). Never raises."""
    try:
        node = _compose(yaml_text, first_line)
    except FrontMatterError as whole:
        return _by_blocks(yaml_text, first_line, whole)
    if node is None:
        return ReadFields({})
    if not isinstance(node, yaml.MappingNode):
        error = FrontMatterError(first_line, 1, "front matter must be a mapping of `key: value`")
        return ReadFields({}, (error,), frozenset({EVERY_KEY}))
    errors: list[FrontMatterError] = []
    unreadable: set[str] = set()
    fields = _fields(node, first_line, errors, unreadable)
    return ReadFields(fields, tuple(errors), frozenset(unreadable))


def _compose(yaml_text: str, first_line: int) -> yaml.Node | None:
    try:
        return yaml.compose(yaml_text, Loader=COMPOSER)
    except yaml.MarkedYAMLError as exc:
        line, col, message = _plain(exc, yaml_text.split("\n"))
        raise FrontMatterError(first_line + line, col, message) from None
    except yaml.YAMLError as exc:
        raise FrontMatterError(first_line, 0, f"YAML: {exc}") from None
    except RecursionError:  # PyYAML recurses once per level of `[[[…]]]`
        raise FrontMatterError(first_line, 0, "YAML nested too deeply") from None


def _by_blocks(yaml_text: str, first_line: int, whole: FrontMatterError) -> ReadFields:
    """Each top-level block parsed on its own: the keys of those that parse, an error for each
    that does not (or, if every block parses alone, the error of the whole)."""
    lines = yaml_text.split("\n")
    starts = [i for i, line in enumerate(lines) if BLOCK_START.match(line)] or [0]
    starts[0] = 0  # comments and blank lines above the first key belong to it
    fields: dict[str, Field] = {}
    errors: list[FrontMatterError] = []
    unreadable: set[str] = set()
    for start, end in zip(starts, [*starts[1:], len(lines)], strict=True):
        block = "\n".join(lines[start:end])
        try:
            node = _compose(block, first_line + start)
        except FrontMatterError as broken:
            errors.append(broken)
            key = BLOCK_START.match(lines[start])
            if key:
                unreadable.add(next(name for name in key.groups() if name is not None))
            continue
        if isinstance(node, yaml.MappingNode):
            for name, found in _fields(node, first_line + start, errors, unreadable).items():
                if name in fields:
                    errors.append(_twice(name, fields[name], found))
                else:
                    fields[name] = found
    if not errors:
        errors.append(whole)
        unreadable.add(EVERY_KEY)
        fields = {}
    return ReadFields(fields, tuple(errors), frozenset(unreadable))


def _fields(
    node: yaml.MappingNode,
    first_line: int,
    errors: list[FrontMatterError],
    unreadable: set[str],
) -> dict[str, Field]:
    """The mapping's keys as `Field`s; a key set twice or a value that cannot be constructed
    is an error in `errors` (and its key goes into `unreadable`), the other keys are kept."""
    constructor = yaml.SafeLoader("")
    fields: dict[str, Field] = {}
    for key_node, value_node in node.value:
        line = first_line + key_node.start_mark.line
        col = key_node.start_mark.column + 1
        key = str(key_node.value)
        if key in fields:
            errors.append(_twice(key, fields[key], Field(None, line, col)))
            continue
        try:
            value = constructor.construct_object(value_node, deep=True)
        except yaml.MarkedYAMLError as exc:  # e.g. `!!python/object`: point at the tag
            mark = exc.problem_mark or exc.context_mark
            at_line, at_col = (first_line + mark.line, mark.column + 1) if mark else (line, col)
            problem = " ".join(str(exc.problem or exc.context or "invalid value").split())
            errors.append(FrontMatterError(at_line, at_col, f"value of `{key}`: {problem}"))
            unreadable.add(key)
            continue
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            # Constructors raise plain ValueError too (`2026-13-45` is no date).
            errors.append(FrontMatterError(line, col, f"value of `{key}`: {exc}"))
            unreadable.add(key)
            continue
        except RecursionError:
            errors.append(FrontMatterError(line, col, f"value of `{key}` is nested too deeply"))
            unreadable.add(key)
            continue
        children = None
        if isinstance(value_node, yaml.MappingNode):
            inner: set[str] = set()
            children = _fields(value_node, first_line, errors, inner)
            unreadable.update(f"{key}.{name}" for name in inner)
        fields[key] = Field(value, line, col, children)
    return fields


def _twice(key: str, first: Field, second: Field) -> FrontMatterError:
    message = f"key `{key}` appears twice (first at line {first.line})"
    return FrontMatterError(second.line, second.col, message)


def _plain(exc: yaml.MarkedYAMLError, lines: list[str]) -> tuple[int, int, str]:
    """(line within the text, column, message) of a YAML syntax error, in plain words for the
    common kinds (libyaml's and PyYAML's problem texts), at the mark where the fix goes."""
    problem = str(exc.problem or exc)
    context = str(exc.context or "")
    mark = exc.problem_mark or exc.context_mark
    opened = exc.context_mark or mark
    at = (mark.line, mark.column + 1) if mark else (0, 0)
    start = (opened.line, opened.column + 1) if opened else at
    char = (
        lines[mark.line][mark.column : mark.column + 1] if mark and mark.line < len(lines) else ""
    )
    if "end of stream" in problem and "quoted scalar" in context:
        return (*start, "the quote opened here is never closed")
    if problem.startswith("did not find expected ',' or ']'"):
        return (*start, "this list is never closed: end it with `]`")
    if problem.startswith("did not find expected ',' or '}'"):
        return (*start, "this `{` mapping is never closed: end it with `}`")
    if "cannot start any token" in problem and char == "\t":
        return (*at, "a tab indents this line: YAML indents with spaces")
    if "cannot start any token" in problem and char:
        return (*at, f"a value cannot start with `{char}`: put the value in quotes")
    if problem.startswith("mapping values are not allowed"):
        return (*at, 'a second `: ` in this line: put the value in quotes, e.g. "Foo: bar"')
    if problem.startswith("did not find expected key") and mark:
        text = lines[mark.line] if mark.line < len(lines) else ""
        if mark.column <= len(text) - len(text.lstrip()):
            return (*at, "this line does not line up with the keys above it (indentation)")
        return (*at, "unexpected text after the value (a quote closed early?)")
    if problem.startswith("found unknown escape character"):
        return (*at, "unknown escape in \"…\": write \\\\ for a backslash, or use '…' quotes")
    if problem.startswith("found undefined alias"):
        return (*at, "this `*alias` names no `&anchor` written above it")
    return (*at, f"YAML syntax: {problem}")

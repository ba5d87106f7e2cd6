"""Split a manuscript into YAML front matter and Markdown body, keeping line numbers.

A YAML error does not hide the rest of the file: `read_fields` parses the front matter whole,
and when that fails, parses each top-level block (a `key:` at column 0 and the lines under it)
on its own, as written (so lines and columns stay the file's). The blocks that parse give their
keys as usual; a broken block that opens a nested mapping (`film:`) is read the same way one
level down; any other broken block gives one syntax error at its own line and column, in plain
words where the kind is common (`_plain`), and its key is listed as unreadable, so that it is not
reported missing too. A key that stands left of its siblings is an error and is still read.
What is lost is only the broken key's value (`film.title` when its quote is never closed).
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
    errors: list[FrontMatterError] = []
    unreadable: set[str] = set()
    fields = _blocks(lines, (0, len(lines)), 0, first_line, errors, unreadable)
    if not errors:
        errors.append(whole)
        unreadable.add(EVERY_KEY)
        fields = {}
    return ReadFields(fields, tuple(errors), frozenset(unreadable))


def _blocks(
    lines: list[str],
    span: tuple[int, int],
    indent: int,
    first_line: int,
    errors: list[FrontMatterError],
    unreadable: set[str],
    prefix: str = "",
) -> dict[str, Field]:
    """The keys of the blocks of `lines[span]` whose keys stand at column `indent`, each block
    parsed alone (indented as written, so lines and columns stay those of the file). A broken
    block that opens a nested mapping (`film:` alone on its line) is read the same way one
    level down, so that only its broken key is lost; any other broken block is one error."""
    low, high = span
    starts: list[int] = []
    for i in range(low, high):
        shift = _indent(lines[i])
        if not BLOCK_START.match(lines[i][shift:]) or shift > indent:
            continue
        if shift < indent:  # a key that stands left of its siblings: its own block
            message = "this line does not line up with the keys above it (indentation)"
            errors.append(FrontMatterError(first_line + i, shift + 1, message))
        starts.append(i)
    starts = [low, *starts[1:]] if starts else [low]
    fields: dict[str, Field] = {}
    for start, end in zip(starts, [*starts[1:], high], strict=True):
        block = "\n" * start + "\n".join(lines[start:end])
        try:
            node = _compose(block, first_line)
        except FrontMatterError as broken:
            head = BLOCK_START.match(lines[start][indent:])
            name = next((n for n in head.groups() if n is not None), "") if head else ""
            inner = _nested(lines, start, end, indent)
            if not name or inner is None:
                errors.append(broken)
                unreadable.add(prefix + name)
                continue
            found: set[str] = set()
            before = len(errors)
            children = _blocks(
                lines, (start + 1, end), inner, first_line, errors, found, f"{prefix}{name}."
            )
            if len(errors) == before:  # each part parses alone: the block's own error
                errors.append(broken)
                unreadable.add(prefix + name)
                continue
            unreadable.update(found)
            value = {key: child.value for key, child in children.items()}
            fields.setdefault(name, Field(value, first_line + start, indent + 1, children))
            continue
        if isinstance(node, yaml.MappingNode):
            found_fields = _fields(node, first_line, errors, unreadable, prefix)
            for name, found_field in found_fields.items():
                if name in fields:
                    errors.append(_twice(name, fields[name], found_field))
                else:
                    fields[name] = found_field
    return fields


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _nested(lines: list[str], start: int, end: int, indent: int) -> int | None:
    """The indentation of the mapping that `lines[start]` (`key:` and nothing more) opens, or
    None when it opens none."""
    head = lines[start].split(" #")[0].rstrip()
    if not head.endswith(":"):
        return None
    for line in lines[start + 1 : end]:
        if line.strip() and not line.lstrip().startswith("#"):
            deeper = _indent(line)
            return deeper if deeper > indent else None
    return None


def _fields(
    node: yaml.MappingNode,
    first_line: int,
    errors: list[FrontMatterError],
    unreadable: set[str],
    prefix: str = "",
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
            unreadable.add(prefix + key)
            continue
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            # Constructors raise plain ValueError too (`2026-13-45` is no date).
            errors.append(FrontMatterError(line, col, f"value of `{key}`: {exc}"))
            unreadable.add(prefix + key)
            continue
        except RecursionError:
            errors.append(FrontMatterError(line, col, f"value of `{key}` is nested too deeply"))
            unreadable.add(prefix + key)
            continue
        children = None
        if isinstance(value_node, yaml.MappingNode):
            children = _fields(value_node, first_line, errors, unreadable, f"{prefix}{key}.")
        fields[key] = Field(value, line, col, children)
    return fields


def _twice(key: str, first: Field, second: Field) -> FrontMatterError:
    message = f"key `{key}` appears twice (first at line {first.line})"
    return FrontMatterError(second.line, second.col, message)


def _first_colon(lines: list[str], mark: yaml.Mark) -> bool:
    """Whether `mark` is at the first `:` of its line: the line is a key, indented wrongly."""
    text = lines[mark.line] if mark.line < len(lines) else ""
    return text.find(":") == mark.column


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
    if problem.startswith("mapping values are not allowed") and mark and _first_colon(lines, mark):
        return (*at, "this line does not line up with the keys above it (indentation)")
    if problem.startswith("mapping values are not allowed"):
        return (*at, 'a second `: ` in this line: put the value in quotes, e.g. "Foo: bar"')
    if problem.startswith("did not find expected <document start>"):
        return (*at, "this line does not line up with the keys above it (indentation)")
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

"""Split a manuscript into YAML front matter and Markdown body, keeping line numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

FENCE = "---"
# libyaml's parser when PyYAML was built with it: 15× faster, same nodes and line marks.
COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
    """Parse a YAML mapping into `Field`s. Raises FrontMatterError on syntax or shape errors."""
    try:
        node = yaml.compose(yaml_text, Loader=COMPOSER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        col = (mark.column + 1) if mark else 0
        raise FrontMatterError(line, col, f"YAML syntax: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise FrontMatterError(first_line, 0, f"YAML: {exc}") from None
    except RecursionError:  # PyYAML recurses once per level of `[[[…]]]`
        raise FrontMatterError(first_line, 0, "YAML nested too deeply") from None
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        raise FrontMatterError(first_line, 1, "front matter must be a mapping of `key: value`")
    return _fields(node, first_line)


def _fields(node: yaml.MappingNode, first_line: int) -> dict[str, Field]:
    constructor = yaml.SafeLoader("")
    fields: dict[str, Field] = {}
    for key_node, value_node in node.value:
        line = first_line + key_node.start_mark.line
        col = key_node.start_mark.column + 1
        key = str(key_node.value)
        if key in fields:
            raise FrontMatterError(line, col, f"key `{key}` appears twice")
        try:
            value = constructor.construct_object(value_node, deep=True)
        except yaml.MarkedYAMLError as exc:  # e.g. `!!python/object`: point at the tag
            mark = exc.problem_mark or exc.context_mark
            at_line, at_col = (first_line + mark.line, mark.column + 1) if mark else (line, col)
            problem = " ".join(str(exc.problem or exc.context or "invalid value").split())
            raise FrontMatterError(at_line, at_col, f"value of `{key}`: {problem}") from None
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            # Constructors raise plain ValueError too (`2026-13-45` is no date).
            raise FrontMatterError(line, col, f"value of `{key}`: {exc}") from None
        except RecursionError:
            raise FrontMatterError(line, col, f"value of `{key}` is nested too deeply") from None
        children = (
            _fields(value_node, first_line) if isinstance(value_node, yaml.MappingNode) else None
        )
        fields[key] = Field(value, line, col, children)
    return fields

"""Typed readers for front-matter fields: each checks one key's type and value, reports a
problem at the key's own line and column, and returns the value or None.

Shared by the review and front-piece readers (`manuscripts.py`).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..base.diagnostics import Diagnostic, Severity, error, warning
from ..base.languages import parse_lang
from ..base.text import strip_controls, suggestion
from .frontmatter import EVERY_KEY, Field

REVIEW_KEYS = (
    "title", "film", "author", "date", "lang", "tags", "section", "summary", "rating", "slug",
)  # fmt: skip
FILM_KEYS = (
    "title", "original_title", "year", "directors", "country", "runtime_min", "cast",
    "sort_as", "file_as",
)  # fmt: skip
FRONT_KEYS = ("title", "author", "lang", "slug")  # `slug`: load/slugs.py
DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
DECIMAL_COMMA = re.compile(r"^\d+,\d+$")


class Problems:
    """Collects one file's diagnostics into `sink`; `count` is how many are errors (a file
    with any is left out of the book). Not a problem type: every entry is a `Diagnostic`."""

    def __init__(
        self, path: Path, sink: list[Diagnostic], unreadable: frozenset[str] = frozenset()
    ) -> None:
        self.path = path
        self.sink = sink
        self.count = 0
        # Keys whose value could not be read (a YAML error, already reported): not "missing".
        self.unreadable = unreadable

    def add(
        self, line: int, code: str, message: str, col: int = 0, names: tuple[str, ...] = ()
    ) -> None:
        """An error at this file's `line`:`col`; `names`: the paths `message` quotes
        (`Diagnostic.names`)."""
        self.report(error(self.path, line, code, message, col, names))

    def report(self, diagnostic: Diagnostic) -> None:
        """Keep a diagnostic made elsewhere (the body check, a refusal)."""
        self.count += diagnostic.severity is Severity.ERROR
        self.sink.append(diagnostic)


def unknown_keys(
    problems: Problems, fields: dict[str, Field], allowed: tuple[str, ...], prefix: str
) -> None:
    for key, field in fields.items():
        if key not in allowed:
            hint = suggestion(key, allowed)
            if not hint and not prefix:
                hint = suggestion(f"film.{key}", tuple(f"film.{name}" for name in FILM_KEYS))
            problems.add(
                field.line,
                "front-matter-unknown-key",
                f"unknown key `{prefix}{key}`{hint}",
                field.col,
            )


def missing_key(problems: Problems, key: str, parent_line: int, prefix: str) -> None:
    if f"{prefix}{key}" in problems.unreadable or EVERY_KEY in problems.unreadable:
        return
    problems.add(parent_line, "front-matter-missing-key", f"missing required key `{prefix}{key}`")


def read_string(
    problems: Problems,
    fields: dict[str, Field],
    key: str,
    parent_line: int,
    prefix: str = "",
    required: bool = True,
) -> str | None:
    field = fields.get(key)
    if field is None:
        if required:
            missing_key(problems, key, parent_line, prefix)
        return None
    if isinstance(field.value, bool) or not isinstance(field.value, str | int | float):
        problems.add(field.line, "front-matter-type", f"`{prefix}{key}` must be text", field.col)
        return None
    text = strip_controls(str(field.value)).strip()  # YAML escapes such as "\e"
    if not text:
        problems.add(field.line, "front-matter-value", f"`{prefix}{key}` is empty", field.col)
        return None
    return text


def read_string_list(
    problems: Problems,
    fields: dict[str, Field],
    key: str,
    parent_line: int,
    prefix: str = "",
    required: bool = True,
) -> list[str] | None:
    field = fields.get(key)
    if field is None:
        if required:
            missing_key(problems, key, parent_line, prefix)
            return None
        return []
    value = field.value
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.add(
            field.line,
            "front-matter-type",
            f'`{prefix}{key}` must be a list of names, e.g. ["…", "…"]',
            field.col,
        )
        return None
    if required and not value:
        problems.add(field.line, "front-matter-value", f"`{prefix}{key}` is empty", field.col)
        return None
    return [strip_controls(v).strip() for v in value]


def read_name_map(
    problems: Problems, fields: dict[str, Field], key: str, prefix: str, *groups: list[str] | None
) -> tuple[tuple[str, str], ...]:
    """A mapping of names to their filed forms, `file_as: {"María Luisa Bemberg": "Bemberg,
    María Luisa"}`, as (name, filed form) pairs. A value that is no text is an error; a name
    that is in none of the `groups` (the film's directors, its cast) is a `file-as-unused`
    warning: a typo would file nobody."""
    people = [name for group in groups for name in group or ()]
    field = fields.get(key)
    if field is None:
        return ()
    if field.children is None:
        problems.add(
            field.line,
            "front-matter-type",
            f"`{prefix}{key}` must map names to how they are filed, e.g."
            f' {{"María Luisa Bemberg": "Bemberg, María Luisa"}}',
            field.col,
        )
        return ()
    pairs = []
    for name, child in field.children.items():
        filed = read_string(problems, field.children, name, field.line, f"{prefix}{key}.")
        written = strip_controls(name).strip()
        if filed is not None:
            pairs.append((written, filed))
        if people and written not in people:
            problems.report(
                warning(
                    problems.path,
                    child.line,
                    "file-as-unused",
                    f"`{prefix}{key}` names `{written}`, who is not among the film's directors"
                    f" or cast{suggestion(written, people)}",
                    child.col,
                )
            )
    return tuple(pairs)


def read_integer(
    problems: Problems,
    fields: dict[str, Field],
    key: str,
    parent_line: int,
    prefix: str,
    required: bool = True,
) -> int | None:
    field = fields.get(key)
    if field is None:
        if required:
            missing_key(problems, key, parent_line, prefix)
        return None
    if isinstance(field.value, bool) or not isinstance(field.value, int):
        hint = ""
        if isinstance(field.value, str) and field.value.strip().isdigit():
            hint = f" (did you mean `{field.value.strip()}`, without quotes?)"
        problems.add(
            field.line,
            "front-matter-type",
            f"`{prefix}{key}` must be a whole number{hint}",
            field.col,
        )
        return None
    return field.value


def read_date(problems: Problems, fields: dict[str, Field]) -> dt.date | None:
    field = fields.get("date")
    if field is None:
        missing_key(problems, "date", 1, "")
        return None
    value = field.value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    hint = _iso_hint(value)
    problems.add(
        field.line,
        "front-matter-type",
        f"`date` must be an ISO date (YYYY-MM-DD){hint}",
        field.col,
    )
    return None


def _iso_hint(value: object) -> str:
    """` (did you mean `2026-01-10`?)` for a day/month/year date that reads one way only."""
    match = DAY_MONTH_YEAR.match(str(value).strip())
    if not match:
        return ""
    first, second, year = (int(part) for part in match.groups())
    readings = set()
    for day, month in ((first, second), (second, first)):
        try:
            readings.add(dt.date(year, month, day))
        except ValueError:
            continue
    if len(readings) != 1:
        return ""
    return f" (did you mean `{readings.pop().isoformat()}`?)"


def read_lang(problems: Problems, fields: dict[str, Field], default: str) -> str:
    field = fields.get("lang")
    if field is None:
        return default
    parsed = parse_lang(field.value) if isinstance(field.value, str) else None
    if parsed is None or parsed.tag is None:
        hint = f" (did you mean `{parsed.suggestion}`?)" if parsed and parsed.suggestion else ""
        problems.add(
            field.line,
            "front-matter-value",
            f"`lang` must be a language tag (BCP 47) such as `en`, `es` or `pt-BR`{hint}",
            field.col,
        )
        return default
    return parsed.tag


def read_rating(problems: Problems, fields: dict[str, Field]) -> float | None:
    field = fields.get("rating")
    if field is None:
        return None
    value = field.value
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 5:
        hint = ""
        if isinstance(value, str) and DECIMAL_COMMA.match(value.strip()):
            hint = f" (did you mean `{value.strip().replace(',', '.')}`?)"
        problems.add(
            field.line,
            "front-matter-value",
            f"`rating` must be a number from 0 to 5{hint}",
            field.col,
        )
        return None
    return float(value)

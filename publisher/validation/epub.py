"""EPUBCheck (a jar, needs Java) and Ace by DAISY (Node.js, Chromium); `tools.py` finds them."""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import tempfile
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

from ..base.diagnostics import Diagnostic, Severity
from .runner import (
    ValidatorResult,
    diag,
    failed,
    make_result,
    missing_tool,
    run_for_json,
    run_tool,
)
from .tools import ace_runner, epubcheck_jar

EPUBCHECK_SEVERITY = {
    "FATAL": Severity.ERROR,
    "ERROR": Severity.ERROR,
    "WARNING": Severity.WARNING,
    "USAGE": Severity.INFO,
    "INFO": Severity.INFO,
}
# Ace/axe impacts: critical and serious fail the build, moderate and minor are warnings.
# Every Ace violation fails validation, whatever its impact: the books must have nothing to report.
ACE_SEVERITY = {
    "critical": Severity.ERROR,
    "serious": Severity.ERROR,
    "moderate": Severity.ERROR,
    "minor": Severity.ERROR,
}


def run_epubcheck(epub: Path, timeout: float = 600.0) -> ValidatorResult:
    """Validate `epub` with EPUBCheck; diagnostics come from its JSON report."""
    java, jar = shutil.which("java"), epubcheck_jar()
    if java is None:
        return missing_tool("epubcheck", epub, "Java (java, needed by EPUBCheck)", "java")
    if jar is None:
        what = "the epubcheck Python package (bundled epubcheck.jar)"
        return missing_tool("epubcheck", epub, what, "epubcheck")
    if not epub.is_file():
        return failed("epubcheck", epub, f"EPUB file not found: {epub}")
    with tempfile.TemporaryDirectory(prefix="epubcheck-") as tmp:
        report = Path(tmp) / "report.json"
        cmd: list[str | Path] = [java, "-jar", jar, epub, "--json", report, "-q"]
        run = run_for_json("epubcheck", epub, cmd, report, timeout)
        if isinstance(run, ValidatorResult):
            return run
        data, proc, elapsed = run.report, run.process, run.elapsed
    diagnostics: list[Diagnostic] = []
    counts: Counter[str] = Counter()
    for message in data.get("messages") or []:
        level = str(message.get("severity", "ERROR")).upper()
        severity = EPUBCHECK_SEVERITY.get(level, Severity.ERROR)
        code, text = str(message.get("ID", "epubcheck")), str(message.get("message", "")).strip()
        if message.get("suggestion"):
            text += f" ({message['suggestion']})"
        locations = message.get("locations") or [{}]
        for loc in locations:
            inner = loc.get("path") or ""
            path = f"{epub}/{inner}" if inner else str(epub)
            line, col = int(loc.get("line") or 0), int(loc.get("column") or 0)
            diagnostics.append(diag(severity, path, code, text, "epubcheck", line, col))
            counts[level.lower()] += 1
    checker = data.get("checker") or {}
    details = {
        "elapsed": elapsed,
        "exit_code": proc.returncode,
        "version": checker.get("checkerVersion", ""),
    }
    keys = ("fatal", "error", "warning", "usage", "info")
    return make_result("epubcheck", epub, diagnostics, {k: counts[k] for k in keys}, details)


def _opf_path(epub: Path) -> str:
    """The package document's path inside the EPUB ('' if unreadable)."""
    try:
        with zipfile.ZipFile(epub) as zf:
            container = zf.read("META-INF/container.xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return ""
    marker = 'full-path="'
    start = container.find(marker)
    if start < 0:
        return ""
    start += len(marker)
    return container[start : container.find('"', start)]


def _inner_path(url: str, opf: str) -> str:
    """Ace gives the OPF relative to the EPUB root but content documents relative to the OPF."""
    url = url.lstrip("/")
    opf_dir = posixpath.dirname(opf)
    if not url or url == opf or not opf_dir or url.startswith(opf_dir + "/"):
        return url
    return posixpath.normpath(posixpath.join(opf_dir, url))


def _ace_diagnostics(epub: Path, report: dict[str, Any]) -> tuple[list[Diagnostic], Counter[str]]:
    opf = _opf_path(epub)
    diagnostics: list[Diagnostic] = []
    counts: Counter[str] = Counter()
    for doc in report.get("assertions") or []:
        subject = doc.get("earl:testSubject") or {}
        inner = _inner_path(str(subject.get("url", "")), opf)
        path = f"{epub}/{inner}" if inner else str(epub)
        for item in doc.get("assertions") or []:
            result = item.get("earl:result") or {}
            if result.get("earl:outcome") != "fail":
                continue
            test = item.get("earl:test") or {}
            impact = str(test.get("earl:impact", "serious")).lower()
            code = str(test.get("dct:title", "ace"))
            text = str(result.get("dct:description") or test.get("dct:description") or code)
            css = (result.get("earl:pointer") or {}).get("css") or []
            if css:
                text += f" at {', '.join(map(str, css))}"
            url = ((test.get("help") or {}).get("url")) or ""
            text += f" [{impact}]" + (f" see {url}" if url else "")
            diagnostics.append(
                diag(ACE_SEVERITY.get(impact, Severity.ERROR), path, code, text, "ace")
            )
            counts["violations"] += 1
            counts[impact] += 1
    return diagnostics, counts


def _chromium() -> str | None:
    configured = os.environ.get("PUPPETEER_EXECUTABLE_PATH")
    if configured and os.access(configured, os.X_OK):
        return configured
    return shutil.which("chromium") or shutil.which("chromium-browser")


def run_ace(
    epub: Path, workdir: Path, timeout: float = 900.0, ace_bin: Path | None = None
) -> ValidatorResult:
    """Check `epub` with Ace by DAISY (puppeteer + system Chromium); reports go to `workdir`.
    `ace_bin`: the runner, else the one `tools.ace_runner` finds."""
    ace_bin = ace_bin or ace_runner()
    if shutil.which("node") is None:
        return missing_tool("ace", epub, "Node.js (node, needed by Ace)", "node")
    if not ace_bin.exists():
        return missing_tool("ace", epub, f"Ace by DAISY ({ace_bin})", "ace")
    chromium = _chromium()
    if chromium is None:
        return missing_tool("ace", epub, "Chromium (chromium, needed by Ace)", "chromium")
    if not epub.is_file():
        return failed("ace", epub, f"EPUB file not found: {epub}")
    workdir.mkdir(parents=True, exist_ok=True)
    report_path = workdir / "report.json"
    report_path.unlink(missing_ok=True)
    # Ace 1.4's puppeteer runner always launches Chromium with --no-sandbox
    # --disable-setuid-sandbox, so it works as root; we only point it at the system browser
    # and give the browser launch more than the default 5 s on a busy machine.
    env = dict(os.environ, PUPPETEER_EXECUTABLE_PATH=chromium, PUPPETEER_SKIP_DOWNLOAD="1")
    env.setdefault("ACE_TIMEOUT_INITIAL", "60000")
    cmd: list[str | Path] = [
        ace_bin,
        "--force",
        "--outdir",
        workdir,
        "--timeout",
        str(int(timeout * 1000)),
        epub,
    ]
    run = run_for_json("ace", epub, cmd, report_path, timeout + 60, env=env)
    if isinstance(run, ValidatorResult):
        return run
    report, proc, elapsed = run.report, run.process, run.elapsed
    diagnostics, counts = _ace_diagnostics(epub, report)
    details = {
        "elapsed": elapsed,
        "exit_code": proc.returncode,
        "report": str(report_path),
        "outcome": (report.get("earl:result") or {}).get("earl:outcome", ""),
        "version": _ace_report_version(report),
    }
    keys = ("violations", "critical", "serious", "moderate", "minor")
    return make_result("ace", epub, diagnostics, {k: counts[k] for k in keys}, details)


def _ace_report_version(report: dict[str, Any]) -> str:
    """The Ace release that wrote `report` (its EARL `assertedBy`), without a leading `v`."""
    asserted = report.get("earl:assertedBy")
    release = asserted.get("doap:release") if isinstance(asserted, dict) else None
    revision = release.get("doap:revision", "") if isinstance(release, dict) else ""
    return str(revision).removeprefix("v")


def epubcheck_version(timeout: float = 120.0) -> str | None:
    """EPUBCheck's version as `--version` prints it (`EPUBCheck v5.3.0` gives `5.3.0`), or None
    when Java or the jar is missing or it does not say."""
    java, jar = shutil.which("java"), epubcheck_jar()
    if java is None or jar is None:
        return None
    proc = run_tool([java, "-jar", jar, "--version"], timeout)
    if isinstance(proc, str):
        return None
    match = re.search(r"EPUBCheck v?(\d[\w.-]*)", proc.stdout + proc.stderr)
    return match.group(1) if match else None


def ace_version(timeout: float = 120.0) -> str | None:
    """Ace's version as its runner's `--version` prints it, or None when Node.js, the runner or
    Chromium (without which Ace cannot run) is missing."""
    runner = ace_runner()
    if shutil.which("node") is None or not runner.exists() or _chromium() is None:
        return None
    proc = run_tool([runner, "--version"], timeout)
    if isinstance(proc, str) or proc.returncode != 0:
        return None
    match = re.fullmatch(r"v?(\d[\w.-]*)", proc.stdout.strip())
    return match.group(1) if match else None

"""PDF checks: `qpdf --check` (structure), `pdffonts` (embedding), `pdfinfo` (page count)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from ..base.diagnostics import Diagnostic, Severity
from .runner import (
    ValidatorResult,
    diag,
    failed,
    make_result,
    missing_tool,
    run_tool,
    tail,
)

PDF_TOOLS = {
    "qpdf": "qpdf (apt package qpdf)",
    "pdffonts": "pdffonts (apt package poppler-utils)",
    "pdfinfo": "pdfinfo (apt package poppler-utils)",
}


def _qpdf(pdf: Path, proc: subprocess.CompletedProcess[str]) -> list[Diagnostic]:
    """qpdf exits 0 when clean, 3 with warnings only, 2 with errors."""
    out: list[Diagnostic] = []
    problems: list[str] = []
    for raw in (proc.stderr + "\n" + proc.stdout).splitlines():
        line = raw.strip()
        if line.upper().startswith("WARNING:"):
            text = line.split(":", 1)[1].strip().removeprefix(str(pdf)).lstrip(": ")
            out.append(diag(Severity.WARNING, pdf, "qpdf-warning", text, "qpdf"))
        elif line.startswith("qpdf:") and "succeeded with warnings" not in line:
            problems.append(line.removeprefix("qpdf:").strip().removeprefix(str(pdf)).lstrip(": "))
    if proc.returncode not in (0, 3):
        message = "; ".join(problems) or tail(proc.stderr) or f"qpdf exited {proc.returncode}"
        out.append(diag(Severity.ERROR, pdf, "qpdf-check", message, "qpdf"))
    elif proc.returncode == 3 and not out:
        out.append(diag(Severity.WARNING, pdf, "qpdf-warning", "qpdf reported warnings", "qpdf"))
    return out


def parse_pdffonts(text: str) -> list[tuple[str, str, bool]]:
    """(name, type, embedded) per font row of `pdffonts` output."""
    rows: list[tuple[str, str, bool]] = []
    lines = text.splitlines()
    dash = next((i for i, ln in enumerate(lines) if ln.startswith("---")), None)
    if dash is None:
        return rows
    for line in lines[dash + 1 :]:
        tokens = line.split()
        if len(tokens) < 8:
            continue
        # name type... encoding emb sub uni object-number generation; only the type has spaces
        # ("CID TrueType"); font names have none (unnamed fonts print as "[none]").
        rows.append((tokens[0], " ".join(tokens[1:-6]), tokens[-5] == "yes"))
    return rows


def _fonts(pdf: Path, proc: subprocess.CompletedProcess[str]) -> tuple[list[Diagnostic], int, int]:
    if proc.returncode != 0:
        message = f"pdffonts failed (exit {proc.returncode}): {tail(proc.stderr, 1)}"
        return [diag(Severity.ERROR, pdf, "pdffonts-failed", message, "pdffonts")], 0, 0
    fonts = parse_pdffonts(proc.stdout)
    out: list[Diagnostic] = []
    for name, kind, embedded in fonts:
        # Type 3 glyphs are PDF drawing procedures: always "in" the file although pdffonts says no.
        if not embedded and not kind.startswith("Type 3"):
            message = f"font “{name}” ({kind or 'unknown type'}) is not embedded"
            out.append(diag(Severity.ERROR, pdf, "font-not-embedded", message, "pdffonts"))
    return out, len(fonts), len(out)


def check_pdf(pdf: Path, timeout: float = 300.0) -> ValidatorResult:
    """Structural check, font embedding and page count of a PDF."""
    for tool, what in PDF_TOOLS.items():
        if shutil.which(tool) is None:
            return missing_tool("pdf", pdf, what, "qpdf")
    if not pdf.is_file():
        return failed("pdf", pdf, f"PDF file not found: {pdf}")
    diagnostics: list[Diagnostic] = []
    counts: dict[str, int] = {}

    qpdf = run_tool(["qpdf", "--check", pdf], timeout)
    if isinstance(qpdf, str):
        return failed("pdf", pdf, qpdf)
    diagnostics += _qpdf(pdf, qpdf)

    fonts = run_tool(["pdffonts", pdf], timeout)
    if isinstance(fonts, str):
        return failed("pdf", pdf, fonts)
    font_diags, counts["fonts"], counts["unembedded"] = _fonts(pdf, fonts)
    diagnostics += font_diags

    info = run_tool(["pdfinfo", pdf], timeout)
    if isinstance(info, str):
        return failed("pdf", pdf, info)
    match = re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE)
    if info.returncode != 0 or match is None:
        message = f"pdfinfo could not read the PDF (exit {info.returncode}): {tail(info.stderr, 1)}"
        diagnostics.append(diag(Severity.ERROR, pdf, "pdfinfo-failed", message, "pdfinfo"))
    counts["pages"] = int(match.group(1)) if match else 0
    details = {"pdfinfo": info.stdout, "qpdf_exit": qpdf.returncode}
    return make_result("pdf", pdf, diagnostics, counts, details)

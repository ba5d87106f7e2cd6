"""External validators (EPUBCheck, Ace by DAISY, qpdf/poppler) returning structured diagnostics.

Every runner returns a `ValidatorResult` and never raises for a tool problem: a missing
tool becomes an ERROR diagnostic with code `validator-missing`, a crash or timeout one
with code `validator-failed`.  The validators' own reports (JSON) are the truth, not
their exit codes.
"""

from .epub import run_ace, run_epubcheck
from .onix import check_onix
from .pdf import check_pdf
from .runner import ValidatorResult

__all__ = [
    "ValidatorResult",
    "check_onix",
    "check_pdf",
    "run_ace",
    "run_epubcheck",
]

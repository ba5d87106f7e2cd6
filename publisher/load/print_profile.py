"""The anthology's `[print] output_profile`: the printer's ICC output profile for PDF/X.

Checked when loading, at the key's line: the file exists inside the project, passes the gate,
and is an ICC output profile of CMYK, RGB or Gray colour with a description (base/icc.py,
whose description names the printing condition in the PDF's output intent).
"""

from __future__ import annotations

from ..base.access import Access, Refused
from ..base.diagnostics import Diagnostic, error
from ..base.icc import read_profile
from ..base.model import AnthologySpec


def profile_problems(spec: AnthologySpec, access: Access) -> list[Diagnostic]:
    """`icc-invalid` (not a usable output profile) or `icc-missing` (no such file), or the
    gate's refusal, at `output_profile`'s line:col; empty without one."""
    if spec.output_profile is None:
        return []
    shown, (line, col) = str(spec.path), spec.output_profile_at
    written = spec.output_profile_written
    try:
        if not access.exists(spec.output_profile):
            message = (
                f"output profile `{written}` not found (relative to the anthology file's folder)"
            )
            return [error(shown, line, "icc-missing", message, col)]
        read_profile(spec.output_profile, access, written)
    except Refused as refused:
        return [refused.diagnostic(shown, line, col)]
    except ValueError as exc:
        return [error(shown, line, "icc-invalid", f"output profile `{written}` {exc}", col)]
    return []

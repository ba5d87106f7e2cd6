"""A validated build's own accessibility claim on its EPUB: planned, written, then kept or
withdrawn after EPUBCheck and Ace have judged the file that carries it.

The rule (README, "Accessibility"; the claim's wording and why: validation/claim.py):

1. plan: with `--validate` and no `[accessibility]` table, ask the validators for their
   versions; when one does not run, the EPUB is written without a claim (and the warning
   `a11y-claim-withheld` says which); the EPUB is rebuilt on every validated build;
2. export: the EPUB is written with the claim; the same EPUB's bytes without it are kept;
3. after validation: when EPUBCheck or Ace did not pass that file clean, at the versions the
   claim names, the EPUB is rewritten without the claim, and `a11y-claim-withheld` says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .base.diagnostics import Diagnostic
from .base.files import write_bytes_atomically
from .base.model import AnthologySpec, Certification
from .base.project import today
from .base.rendered import Target
from .plan import BuildRequest, Planned
from .validation.claim import Checkers, automated_claim, checkers, verdict, withheld
from .validation.runner import ValidatorResult


@dataclass(frozen=True)
class Claiming:
    """What this build claims for its EPUB (`epub`: None when nothing is to be claimed)."""

    epub: Path | None = None
    tools: Checkers | None = None
    claim: Certification | None = None  # None: written without a claim (`diagnostics` say why)
    diagnostics: tuple[Diagnostic, ...] = ()
    # The EPUB's bytes without the claim, filled in when it is written (export).
    unclaimed: dict[Path, bytes] = field(default_factory=dict, compare=False)


def plan_claim(spec: AnthologySpec, request: BuildRequest, plan: list[Planned]) -> Claiming:
    """The claim this build writes into its EPUB, if it makes one (step 1)."""
    epub = next((item.path for item in plan if item.target is Target.EPUB), None)
    if epub is None or not request.claims(spec):
        return Claiming()
    tools = checkers()
    if isinstance(tools, str):
        return Claiming(epub, diagnostics=(withheld(epub, tools),))
    return Claiming(epub, tools, automated_claim(tools, today()))


def settle(claiming: Claiming, results: tuple[ValidatorResult, ...]) -> tuple[Diagnostic, ...]:
    """Keep the claim when the validators passed the claimed EPUB clean; else rewrite the EPUB
    without it (step 3). Returns the warnings to report. Raises OSError when the EPUB cannot be
    rewritten."""
    epub, tools = claiming.epub, claiming.tools
    if epub is None or tools is None or epub not in claiming.unclaimed:
        return claiming.diagnostics
    reason = verdict(epub, tools, results)
    if reason is None:
        return claiming.diagnostics
    write_bytes_atomically(epub, claiming.unclaimed[epub])
    return (*claiming.diagnostics, withheld(epub, reason))

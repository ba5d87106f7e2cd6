"""The accessibility claim a build makes itself, from its own validators (issue 16).

With `build --validate` and no `[accessibility]` table, the EPUB is written carrying a claim,
EPUBCheck and Ace judge those very bytes, and the claim stays only when both pass clean
(EPUBCheck: 0 fatal, 0 errors, 0 warnings; Ace: 0 violations) with the versions it names.

Which identifier, and why (EPUB Accessibility 1.1 §2 and "Conformance reporting"; DAISY
Knowledge Base, "Evaluation metadata"): `dcterms:conformsTo` must read
`EPUB Accessibility 1.1 - WCAG 2.X Level (A|AA|AAA)`; there is no identifier without a WCAG
level. Ace runs axe-core's automated rules, and its own documentation says only a limited
part of the checks can be automated: no WCAG level is verified by it. We therefore claim the
weakest identifier the pattern allows, Level A of the WCAG version axe's rules cover (2.2), and
`a11y:certifiedBy` says exactly who checked it: the tools, their versions, "automated checks
only", and the date. A publisher whose book a person has reviewed declares the real level in
`[accessibility]`, which always wins over this claim.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..base.diagnostics import Diagnostic, warning
from ..base.model import Certification
from ..base.text import counted
from .epub import ace_version, epubcheck_version
from .runner import ValidatorResult

CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.2 Level A"
CODE = "a11y-claim-withheld"


@dataclass(frozen=True)
class Checkers:
    """The versions of the two validators, as they report themselves before the build."""

    epubcheck: str
    ace: str


def checkers() -> Checkers | str:
    """The validators' versions, or why the claim cannot be made (a tool that does not run)."""
    epubcheck, ace = epubcheck_version(), ace_version()
    if epubcheck is None:
        return "EPUBCheck is not available to check it"
    if ace is None:
        return "Ace by DAISY is not available to check it"
    return Checkers(epubcheck, ace)


def automated_claim(tools: Checkers, day: dt.date) -> Certification:
    """The claim an EPUB carries while its validators judge it; `day`: SOURCE_DATE_EPOCH's day,
    else the build's."""
    who = (
        f"EPUBCheck {tools.epubcheck} and Ace by DAISY {tools.ace}"
        f" (automated checks only, no manual review), {day.isoformat()}"
    )
    return Certification(certified_by=who, conforms_to=CONFORMS_TO)


def verdict(epub: Path, tools: Checkers, results: Sequence[ValidatorResult]) -> str | None:
    """None when EPUBCheck and Ace, at the claimed versions, passed `epub` clean; else what
    failed, in words (the first failing check)."""
    mine = {r.validator: r for r in results if r.target == epub}
    epubcheck, ace = mine.get("epubcheck"), mine.get("ace")
    if epubcheck is None or ace is None:
        return "EPUBCheck and Ace did not both check it"
    for name, result in (("EPUBCheck", epubcheck), ("Ace", ace)):
        broken = sorted({d.code for d in result.errors if d.code.startswith("validator-")})
        if broken:
            return f"{name} could not check it ({', '.join(broken)})"
    tally = epubcheck.counts
    found = (tally.get("fatal", 0), tally.get("error", 0), tally.get("warning", 0))
    if any(found) or not epubcheck.ok:
        fatal, errors, warnings = found
        return (
            f"EPUBCheck found {counted(fatal, 'fatal error')}, {counted(errors, 'error')}"
            f" and {counted(warnings, 'warning')}"
        )
    violations = ace.counts.get("violations", 0)
    if violations or not ace.ok:
        return f"Ace found {counted(violations, 'violation')}"
    for name, claimed, result in (
        ("EPUBCheck", tools.epubcheck, epubcheck),
        ("Ace", tools.ace, ace),
    ):
        ran = str(result.details.get("version", "")) or "of an unknown version"
        if ran != claimed:
            return f"{name} {ran} checked it, not {claimed} as the claim says"
    return None


def withheld(epub: Path, reason: str) -> Diagnostic:
    """`a11y-claim-withheld`, at the EPUB: it was written without the claim, and why."""
    message = (
        f"{epub.name} makes no accessibility conformance claim: {reason}; it claims one"
        f" only when EPUBCheck (0 fatal, 0 errors, 0 warnings) and Ace (0 violations) pass"
        f" the file that carries it, or when [accessibility] declares who certifies it"
    )
    return warning(epub, 0, CODE, message)

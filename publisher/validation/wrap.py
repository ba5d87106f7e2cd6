"""The cover wrap's print checks (pikepdf): its boxes, and PDF/X when asked for (issue 16).

qpdf (structure) and pdffonts (every font embedded) run on the wrap as on every PDF
(`export/pdf/`); this check adds what a printer's preflight looks at first:

* every page has a TrimBox and a BleedBox (ISO 32000-1 §14.11.2), nested
  TrimBox ⊂ BleedBox ⊆ MediaBox, with the same bleed, more than none, on all four sides of the
  wrap, and on the interior's pages past the top, the bottom and the outer edge only (none
  past the gutter; none at all without bleed: `_interior_bleed`);
* PDF/X (here and, by `check_pdfx`, on the print interior), when the anthology asks for it
  (`[print] pdf_variant = "pdf/x-…"`) or the file says it is PDF/X: the version key (Info
  `GTS_PDFXVersion` for X-1a and X-3, the XMP
  `pdfxid:GTS_PDFXVersion` for X-4), an output intent of subtype `GTS_PDFX`, and `Trapped`
  set to True or False (ISO 15930-7 §6.2, §6.6.2, §6.7.4); the intent names its condition
  (OutputConditionIdentifier) and embeds its ICC profile (DestOutputProfile, a stream whose
  header has the `acsp` signature and whose /N matches its colour space; ISO 15930-7 §6.2.4).

No PDF/X validator runs here: veraPDF checks PDF/A and PDF/UA, not PDF/X, and is not installed
on the build machines; an INFO diagnostic says so whenever PDF/X is checked by its markers.
"""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf

from ..base.diagnostics import Diagnostic, Severity
from .runner import ValidatorResult, diag, failed, make_result

TOLERANCE = 0.01  # points: boxes are written with six decimals
VALIDATOR = "wrap"
_XMP_VERSION = re.compile(rb"pdfxid:GTS_PDFXVersion(?:>|=\")\s*([^<\"]+)")


def check_wrap(pdf: Path, variant: str | None = None) -> ValidatorResult:
    """The boxes of every page of `pdf`, and PDF/X when `variant` (the anthology's
    `pdf_variant`, e.g. "pdf/x-4") asks for it or the file declares it. A file pikepdf cannot
    open is a `validator-failed` result, never an exception."""
    try:
        with pikepdf.open(pdf) as document:
            found = [d for n, page in enumerate(document.pages, 1) for d in _boxes(pdf, n, page)]
            asked = variant if variant and variant.startswith("pdf/x") else None
            found += _pdfx(pdf, document, asked)
            pages = len(document.pages)
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        return failed(VALIDATOR, pdf, f"cannot read the cover wrap: {exc}")
    return make_result(VALIDATOR, pdf, found, {"pages": pages})


PDFX_VALIDATOR = "pdfx"


def check_pdfx(pdf: Path, variant: str | None = None) -> ValidatorResult:
    """The print interior's PDF/X, as the wrap's: when `variant` asks for it or the file
    declares it, every page's boxes (`pdfx-boxes`, `pdfx-box-missing`) and the PDF/X markers
    and output intent (`pdfx`); nothing otherwise. Never raises: `validator-failed`."""
    try:
        with pikepdf.open(pdf) as document:
            asked = variant if variant and variant.startswith("pdf/x") else None
            found = _pdfx(pdf, document, asked, "pdfx", PDFX_VALIDATOR)
            if found:  # PDF/X is asked for or declared: the boxes are part of it
                found += [
                    diag(
                        d.severity, pdf, d.code.replace("wrap-", "pdfx-"), d.message, PDFX_VALIDATOR
                    )
                    for n, page in enumerate(document.pages, 1)
                    for d in _boxes(pdf, n, page, interior=True)
                ]
            pages = len(document.pages)
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        return failed(PDFX_VALIDATOR, pdf, f"cannot read the print PDF: {exc}")
    return make_result(PDFX_VALIDATOR, pdf, found, {"pages": pages})


def _box(page: pikepdf.Page, name: str) -> tuple[float, float, float, float] | None:
    """The page's own `name` box, normalised (x0, y0, x1, y1), or None when absent or broken."""
    raw = page.obj.get(name)
    if not isinstance(raw, pikepdf.Array) or len(raw) != 4:
        return None
    x0, y0, x1, y1 = (float(value) for value in raw)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _boxes(pdf: Path, number: int, page: pikepdf.Page, interior: bool = False) -> list[Diagnostic]:
    """The page's boxes: nested, and the bleed on every side alike (the wrap), or with
    `interior` past the top, the bottom and the outer edge only (`_interior_bleed`)."""
    media = _box(page, "/MediaBox") or tuple(float(v) for v in page.mediabox)
    trim, bleed = _box(page, "/TrimBox"), _box(page, "/BleedBox")
    missing = [name for name, box in (("TrimBox", trim), ("BleedBox", bleed)) if box is None]
    if missing or trim is None or bleed is None:
        message = (
            f"page {number} has no {' and no '.join(missing)}: the printer places the trim"
            " and the bleed from them"
        )
        return [diag(Severity.ERROR, pdf, "wrap-box-missing", message, VALIDATOR)]
    problems = []
    if not _inside(bleed, media):
        problems.append(f"the BleedBox {_shown(bleed)} goes past the MediaBox {_shown(media)}")
    if not _inside(trim, bleed):
        problems.append(f"the TrimBox {_shown(trim)} goes past the BleedBox {_shown(bleed)}")
    margins = (trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2], bleed[3] - trim[3])
    sides = ", ".join(f"{m:.2f}" for m in margins)
    if not problems and interior:
        problems += _interior_bleed(number, margins, sides)
    elif not problems and (max(margins) - min(margins) > TOLERANCE or min(margins) <= TOLERANCE):
        problems.append(
            f"the bleed (TrimBox to BleedBox: left, bottom, right, top {sides} pt)"
            " must be the same on every side, and more than none"
        )
    return [
        diag(Severity.ERROR, pdf, "wrap-boxes", f"page {number}: {problem}", VALIDATOR)
        for problem in problems
    ]


def _interior_bleed(number: int, margins: tuple[float, ...], sides: str) -> list[str]:
    """The print interior's bleed (KDP "Set Trim Size, Bleed, and Margins", IngramSpark's file
    creation guide): the same past the top, the bottom and the outer edge (the right of a recto,
    an odd page; the left of a verso), none past the gutter; none at all for a book without
    bleed. `margins`: TrimBox to BleedBox, (left, bottom, right, top) in points."""
    left, bottom, right, top = margins
    recto = number % 2 == 1
    outer, gutter = (right, left) if recto else (left, right)
    if abs(gutter) <= TOLERANCE and max(top, bottom, outer) - min(top, bottom, outer) <= TOLERANCE:
        return []
    which = ("a recto", "right", "left") if recto else ("a verso", "left", "right")
    return [
        f"the bleed (TrimBox to BleedBox: left, bottom, right, top {sides} pt) must be the"
        f" same past the top, the bottom and the outer edge ({which[1]} on {which[0]}), and"
        f" none past the gutter ({which[2]})"
    ]


def _inside(inner: tuple[float, ...], outer: tuple[float, ...]) -> bool:
    return (
        inner[0] >= outer[0] - TOLERANCE
        and inner[1] >= outer[1] - TOLERANCE
        and inner[2] <= outer[2] + TOLERANCE
        and inner[3] <= outer[3] + TOLERANCE
    )


def _shown(box: tuple[float, ...]) -> str:
    return "[" + " ".join(f"{value:.2f}" for value in box) + "]"


def declares_pdfx(pdf: Path) -> bool:
    """Whether `pdf` says it is PDF/X (GTS_PDFXVersion in Info or in the XMP); False when
    pikepdf cannot open it (qpdf's check reports that)."""
    try:
        with pikepdf.open(pdf) as document:
            return _declared_version(document) is not None
    except (pikepdf.PdfError, OSError, ValueError):
        return False


def _declared_version(document: pikepdf.Pdf) -> str | None:
    """The PDF/X version the file declares: Info's key, else the XMP's."""
    info = document.trailer.get("/Info")
    if isinstance(info, pikepdf.Dictionary) and "/GTS_PDFXVersion" in info:
        return str(info["/GTS_PDFXVersion"])
    metadata = document.Root.get("/Metadata")
    if isinstance(metadata, pikepdf.Stream):
        match = _XMP_VERSION.search(metadata.read_bytes())
        if match:
            return match.group(1).decode("utf-8", "replace").strip()
    return None


def _pdfx(
    pdf: Path,
    document: pikepdf.Pdf,
    asked: str | None,
    code: str = "wrap-pdfx",
    validator: str = VALIDATOR,
) -> list[Diagnostic]:
    declared = _declared_version(document)
    if asked is None and declared is None:
        return []
    wanted = asked.upper() if asked else "PDF/X"
    found: list[Diagnostic] = []

    def problem(text: str) -> None:
        found.append(diag(Severity.ERROR, pdf, code, text, validator))

    if declared is None or not declared.upper().startswith(wanted):
        problem(f"asked for {wanted} (`[print] pdf_variant`), but the file declares"
                f" {declared or 'no PDF/X version'}")  # fmt: skip
    intents = document.Root.get("/OutputIntents")
    subtypes = [str(i.get("/S")) for i in intents] if isinstance(intents, pikepdf.Array) else []
    if "/GTS_PDFX" not in subtypes or not isinstance(intents, pikepdf.Array):
        problem(f"{wanted} needs an output intent of subtype GTS_PDFX (the printing condition"
                " the colours are meant for); the file has none")  # fmt: skip
    else:
        for text in _intent_problems(intents[subtypes.index("/GTS_PDFX")]):
            problem(f"{wanted}'s output intent {text}")
    info = document.trailer.get("/Info")
    trapped = info.get("/Trapped") if isinstance(info, pikepdf.Dictionary) else None
    if str(trapped) not in ("/True", "/False"):
        problem(f"{wanted} needs the Trapped key set to True or False; it is {trapped or 'absent'}")
    unverified = (
        f"{wanted} checked by its markers only (version, output intent, Trapped, boxes):"
        " no PDF/X validator is installed (veraPDF checks PDF/A and PDF/UA, not PDF/X)"
    )
    found.append(diag(Severity.INFO, pdf, f"{code}-unverified", unverified, validator))
    return found


_COMPONENTS = {b"CMYK": 4, b"RGB ": 3, b"GRAY": 1}


def _intent_problems(intent: pikepdf.Object) -> list[str]:
    """What the GTS_PDFX output intent lacks: a condition identifier, an embedded ICC output
    profile whose /N agrees with the profile's colour space."""
    problems = []
    if not str(intent.get("/OutputConditionIdentifier", "")).strip():
        problems.append("has no OutputConditionIdentifier")
    profile = intent.get("/DestOutputProfile")
    if not isinstance(profile, pikepdf.Stream):
        return [*problems, "embeds no ICC profile (DestOutputProfile)"]
    data = profile.read_bytes()
    if len(data) < 128 or data[36:40] != b"acsp":
        return [*problems, "has a DestOutputProfile that is not an ICC profile"]
    wanted = _COMPONENTS.get(data[16:20])
    if wanted is None or profile.get("/N") != wanted:
        space = data[16:20].decode("latin-1").strip()
        problems.append(f"has a {space} profile with /N {profile.get('/N')}")
    return problems

"""What PDF/X needs beyond what WeasyPrint 70 writes (pikepdf; issue 16).

WeasyPrint 70's `pdf/x-3` and `pdf/x-4` (weasyprint/pdf/pdfx.py) write the version (Info
`GTS_PDFXVersion` for X-3, the XMP `pdfxid:GTS_PDFXVersion` for X-4), `Trapped /False`, the
dates, and a TrimBox and BleedBox on every page (pdf/__init__.py), but an output intent only
when the document carries a colour profile, which ours never do: a printer's preflight rejects
such a file. After WeasyPrint writes, `make_pdfx` adds:

* the catalogue's OutputIntents: one `/OutputIntent` of subtype `/GTS_PDFX` with the profile's
  description as OutputConditionIdentifier and Info, RegistryName `http://www.color.org`, and
  the ICC profile embedded as DestOutputProfile (ISO 15930-7 §6.2.4, ISO 32000-1 §14.11.5);
* a `/DefaultRGB` ICCBased sRGB colour space in every page's and form's resources, since
  WeasyPrint paints text and images in DeviceRGB, which a CMYK output intent does not allow
  unless remapped by a default colour space (ISO 32000-1 §8.6.5.6);
* `Trapped /False` again when missing (WeasyPrint sets it; a file without it is refused).

PDF/X-3 forbids transparency (ISO 15930-6 §6.3): `transparency` finds what a page draws with it
(alpha, soft masks, blend modes), and `make_pdfx` raises PdfxRefused instead of writing a file
that claims X-3 falsely; transparency groups with nothing transparent inside (WeasyPrint puts
SVG drawings such as the wrap's barcode in one) are removed instead (`_drop_groups`), and paint
at alpha 0 (WeasyPrint's crop marks) becomes no paint (invisible_paint.py).
Saved with a deterministic /ID and without recompressing WeasyPrint's streams (the X-4 XMP
stays unfiltered), so two builds stay byte-identical.
"""

from __future__ import annotations

import io
import zlib

import pikepdf
from pikepdf import Dictionary, Name

from ..base.access import Access, Refused
from ..base.diagnostics import BuildFailed, error
from ..base.icc import DEFAULT_CMYK, SRGB, IccProfile, read_profile, system_access
from ..base.model import AnthologySpec
from .invisible_paint import drop_invisible_paint

REGISTRY = "http://www.color.org"


class PdfxRefused(Exception):
    """The variant cannot be made true of this file: the message says why (a sentence)."""


def pdfx_for_spec(data: bytes, spec: AnthologySpec, variant: str | None) -> bytes:
    """`data` (WeasyPrint's PDF) made PDF/X when `variant` is "pdf/x-3" or "pdf/x-4", for the
    anthology's `output_profile` (by default base/icc.py's DEFAULT_CMYK); any other variant
    returns `data` unchanged. Raises BuildFailed: `pdfx-refused` at `pdf_variant`'s line when
    the variant cannot be made true, or `icc-missing` there when the default profile is not
    installed; the profile's problem at `output_profile`'s."""
    if variant not in ("pdf/x-3", "pdf/x-4"):
        return data
    access = system_access(Access.for_spec(spec))
    line, col = spec.output_profile_at
    try:
        profile = read_profile(spec.output_profile or DEFAULT_CMYK, access,
                               spec.output_profile_written or None)  # fmt: skip
        srgb = read_profile(SRGB, access)
    except Refused as refused:
        if spec.output_profile is not None:
            raise BuildFailed([refused.diagnostic(spec.path, line, col)]) from None
        line, col = spec.pdf_variant_at
        message = (
            f"{variant.upper()} needs an ICC output profile and {DEFAULT_CMYK} cannot be read"
            f" ({refused.message}): install Debian's libgs-common (scripts/setup-system.sh),"
            " or give the printer's profile as `[print] output_profile`"
        )
        raise BuildFailed([error(spec.path, line, "icc-missing", message, col)]) from None
    except ValueError as exc:
        message = f"output profile `{spec.output_profile_written or DEFAULT_CMYK}` {exc}"
        raise BuildFailed([error(spec.path, line, "icc-invalid", message, col)]) from None
    try:
        return make_pdfx(data, variant, profile, srgb)
    except PdfxRefused as refused:
        line, col = spec.pdf_variant_at
        raise BuildFailed([error(spec.path, line, "pdfx-refused", str(refused), col)]) from None


def make_pdfx(data: bytes, variant: str, profile: IccProfile, srgb: IccProfile) -> bytes:
    """WeasyPrint's PDF `data` made `variant` ("pdf/x-3" or "pdf/x-4") for the printing
    condition of `profile`, with `srgb` as the meaning of DeviceRGB. Raises PdfxRefused."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        if variant == "pdf/x-3":
            drop_invisible_paint(pdf, _holders(pdf))  # WeasyPrint's crop marks fill at alpha 0
            found = transparency(pdf)
            if found:
                raise PdfxRefused(
                    f"PDF/X-3 forbids transparency, and this book draws with it ({found});"
                    ' use `pdf_variant = "pdf/x-4"`, which allows it'
                )
            _drop_groups(pdf)
        intent = Dictionary(
            Type=Name.OutputIntent,
            S=Name.GTS_PDFX,
            OutputConditionIdentifier=profile.description,
            OutputCondition=profile.description,
            Info=profile.description,
            RegistryName=REGISTRY,
            DestOutputProfile=_icc_stream(pdf, profile),
        )
        pdf.Root.OutputIntents = pikepdf.Array([pdf.make_indirect(intent)])
        default_rgb = pdf.make_indirect(pikepdf.Array([Name.ICCBased, _icc_stream(pdf, srgb)]))
        for resources in _resources(pdf):
            spaces = resources.get("/ColorSpace")
            if not isinstance(spaces, Dictionary):
                spaces = resources.ColorSpace = Dictionary()
            if "/DefaultRGB" not in spaces:
                spaces.DefaultRGB = default_rgb
        if str(pdf.docinfo.get("/Trapped")) not in ("/True", "/False"):
            pdf.docinfo.Trapped = Name("/False")
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=False,
                 object_stream_mode=pikepdf.ObjectStreamMode.preserve)  # fmt: skip
    return out.getvalue()


def _icc_stream(pdf: pikepdf.Pdf, profile: IccProfile) -> pikepdf.Stream:
    stream = pikepdf.Stream(pdf, zlib.compress(profile.data, 9))
    stream.Filter = Name.FlateDecode
    stream.N = profile.components
    return stream


def _resources(pdf: pikepdf.Pdf) -> list[Dictionary]:
    """The resource dictionaries of every page and of every form XObject they use."""
    found: list[Dictionary] = []
    seen: set[tuple[int, int]] = set()
    for page in pdf.pages:
        if "/Resources" not in page.obj:
            page.obj.Resources = Dictionary()
        found += _page_resources(page.obj.Resources, seen)
    return found


def transparency(pdf: pikepdf.Pdf) -> str | None:
    """What in `pdf` draws with transparency (ISO 32000-1 §11), named for a message with the
    first page it is on, or None: a graphics state's alpha below 1, soft mask or blend mode
    other than Normal, an image's soft mask, in a page's resources or those of the forms it
    draws, direct and indirect objects alike. A transparency group alone is not transparency:
    WeasyPrint 70 wraps opaque SVG drawings (python-barcode's digits) in one; `make_pdfx`
    removes such groups for X-3 (`_drop_groups`) when nothing is transparent."""
    seen: set[tuple[int, int]] = set()
    for number, page in enumerate(pdf.pages, 1):
        for resources in _page_resources(page.obj.get("/Resources"), seen):
            found = _resources_transparency(resources)
            if found:
                return f"{found} on page {number}"
    return None


def _page_resources(resources: object, seen: set[tuple[int, int]]) -> list[Dictionary]:
    """`resources` and those of every form XObject it names, each indirect object once."""
    if not isinstance(resources, Dictionary):
        return []
    if resources.is_indirect:
        if resources.objgen in seen:
            return []
        seen.add(resources.objgen)
    found = [resources]
    xobjects = resources.get("/XObject")
    for xobject in xobjects.values() if isinstance(xobjects, Dictionary) else ():
        if isinstance(xobject, pikepdf.Stream) and xobject.get("/Subtype") == Name.Form:
            if xobject.objgen in seen:
                continue
            seen.add(xobject.objgen)
            found += _page_resources(xobject.get("/Resources"), seen)
    return found


def _resources_transparency(resources: Dictionary) -> str | None:
    states = resources.get("/ExtGState")
    for state in states.values() if isinstance(states, Dictionary) else ():
        found = _state_transparency(state)
        if found:
            return found
    xobjects = resources.get("/XObject")
    for xobject in xobjects.values() if isinstance(xobjects, Dictionary) else ():
        if isinstance(xobject, pikepdf.Stream) and xobject.get("/SMask") is not None:
            return "an image with an alpha channel (a soft mask)"
    return None


def _holders(pdf: pikepdf.Pdf) -> list[pikepdf.Object]:
    """Every page and every form XObject they draw: what has content and resources."""
    holders: list[pikepdf.Object] = [page.obj for page in pdf.pages]
    for resources in _resources(pdf):
        xobjects = resources.get("/XObject")
        for xobject in xobjects.values() if isinstance(xobjects, Dictionary) else ():
            if isinstance(xobject, pikepdf.Stream) and xobject.get("/Subtype") == Name.Form:
                holders.append(xobject)
    return holders


def _drop_groups(pdf: pikepdf.Pdf) -> int:
    """Remove every transparency group (`/Group << /S /Transparency >>`) of the pages and of
    the forms they draw; how many. Only when `transparency(pdf)` found nothing: a group whose
    contents are all opaque and Normal-blended composites exactly as the same contents drawn
    without it (ISO 32000-1 §11.4.7), and PDF/X-3 allows no group at all."""
    dropped = 0
    for holder in _holders(pdf):
        group = holder.get("/Group")
        if isinstance(group, Dictionary) and group.get("/S") == Name.Transparency:
            del holder["/Group"]
            dropped += 1
    return dropped


def _state_transparency(state: object) -> str | None:
    if not isinstance(state, Dictionary):
        return None
    for key in ("/CA", "/ca"):
        if key in state and _number(state[key]) < 1:
            return f"an alpha of {_number(state[key]):g} in a graphics state"
    mask = state.get("/SMask")
    if mask is not None and mask != Name("/None"):
        return "a soft mask in a graphics state"
    blend = state.get("/BM")
    if blend is not None and blend not in (Name.Normal, Name.Compatible):
        return f"the blend mode {blend}"
    return None


def _number(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 1.0

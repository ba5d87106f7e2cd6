"""The book's cover for every edition and the wrap: the anthology's `cover_image`, else the
generated typographic cover (`cover.py`). The pipeline makes it once per build and hands it on.
"""

from __future__ import annotations

import mimetypes

from ..base.access import Access, Refused
from ..base.cover import CoverArt, cover_alt
from ..base.diagnostics import BuildFailed
from ..base.model import AnthologySpec
from .cover import cover_png


def cover_art(spec: AnthologySpec, access: Access) -> CoverArt:
    """The cover: `cover_image` (checked when loading: JPEG or PNG) read again through
    `access`, else `cover_png(spec)`. Raises BuildFailed at `cover_image`'s line:col when the
    gate refuses the file now."""
    alt = cover_alt(spec)
    if spec.cover_image is None:
        return CoverArt(cover_png(spec), "image/png", alt, generated=True)
    try:
        data = access.read(spec.cover_image, spec.limits.max_image_bytes, "image-too-large")
    except Refused as refused:
        line, col = spec.cover_image_at
        raise BuildFailed([refused.diagnostic(spec.path, line, col)]) from None
    media_type = mimetypes.guess_type(spec.cover_image.name)[0] or "image/jpeg"
    return CoverArt(data, media_type, alt, generated=False)

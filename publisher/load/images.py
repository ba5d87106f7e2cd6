"""Images are checked before anything decodes them: type, name, bytes and pixel count.

Pillow's `Image.open` reads only the header, so a decompression bomb (a small file that
inflates to gigapixels) is caught by its declared size without ever being inflated.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from ..base.access import Access, Refused
from ..base.cover_size import (
    COVER_MIN,
    COVER_RATIO,
    COVER_RATIO_SLACK,
    PRINT_PPI,
    print_pixels,
    store_and_print,
)
from ..base.diagnostics import Diagnostic, error, warning
from ..base.limits import Limits
from ..base.model import AnthologySpec

COVER_KINDS = ("JPEG", "PNG")
COVER_MODES = ("RGB", "RGBA", "L", "LA", "P")  # what EPUB readers and browsers all show
SUFFIXES = {"JPEG": (".jpg", ".jpeg"), "PNG": (".png",), "GIF": (".gif",), "WEBP": (".webp",)}


def check_image(data: bytes, path: Path, written: str, limits: Limits) -> None:
    """Raises Refused (`image-invalid`, `image-too-large`) for an image the book cannot use.

    `data` is the file's content as read through the gate (`access.Access.read`): what is checked
    is what will be embedded."""
    size = len(data)
    if size > limits.max_image_bytes:
        raise Refused(
            "image-too-large",
            f"image `{written}` is {size:,} bytes (limit {limits.max_image_bytes:,})",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind, (width, height) = image.format or "", image.size
    except Image.DecompressionBombError:
        raise Refused(
            "image-too-large", f"image `{written}` declares far more than"
            f" {limits.max_image_pixels:,} pixels (a decompression bomb?)"
        ) from None  # fmt: skip
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise Refused(
            "image-invalid", f"`{written}` is not a JPEG, PNG, GIF or WebP image"
        ) from None
    if width * height > limits.max_image_pixels:
        raise Refused(
            "image-too-large",
            f"image `{written}` has {width * height:,} pixels (limit {limits.max_image_pixels:,})",
        )
    if kind not in SUFFIXES:
        raise Refused("image-invalid", f"`{written}` is a {kind} image: use JPEG, PNG, GIF or WebP")
    if path.suffix.lower() not in SUFFIXES[kind]:
        raise Refused(
            "image-invalid",
            f"`{written}` is a {kind} image but its name ends in `{path.suffix}`: rename it"
            f" to `{SUFFIXES[kind][0]}`",
        )


def cover_problems(spec: AnthologySpec, access: Access) -> list[Diagnostic]:
    """The problems of the anthology's `cover_image`, all at its line:col in the anthology file:
    `image-missing` (no such file), the gate's refusals and `check_image`'s (`image-invalid`,
    `image-too-large`), `image-invalid` for a GIF or WebP (stores take JPEG or PNG) or a
    colour mode readers do not all show (CMYK), and the WARNING `cover-small` for a cover under
    1600×2560 px or not near 1:1.6 (height ÷ width within ±0.08 of 1.6). Empty without one."""
    if spec.cover_image is None:
        return []
    shown, (line, col) = str(spec.path), spec.cover_image_at
    written = spec.cover_image_written
    try:
        if not access.exists(spec.cover_image):
            message = f"cover image `{written}` not found (relative to the anthology file's folder)"
            return [error(shown, line, "image-missing", message, col)]
        data = access.read(
            spec.cover_image, spec.limits.max_image_bytes, "image-too-large", written
        )
        check_image(data, spec.cover_image, written, spec.limits)
        with Image.open(io.BytesIO(data)) as image:
            kind, mode, (width, height) = image.format or "", image.mode, image.size
    except Refused as refused:
        if refused.code == "not-a-regular-file" and spec.cover_image.is_dir():
            message = f"`{written}` is a folder, not an image file: name a JPEG or PNG"
            return [error(shown, line, refused.code, message, col)]
        return [refused.diagnostic(shown, line, col)]
    except OSError as exc:
        return [error(shown, line, "image-invalid", f"cover image `{written}`: {exc}", col)]
    if kind not in COVER_KINDS:
        message = f"cover image `{written}` is a {kind} image: use JPEG or PNG"
        return [error(shown, line, "image-invalid", message, col)]
    if mode not in COVER_MODES:
        message = f"cover image `{written}` is in {mode} colour: save it as RGB"
        return [error(shown, line, "image-invalid", message, col)]
    ratio = height / width
    small = width < COVER_MIN[0] or height < COVER_MIN[1]
    if small or abs(ratio - COVER_RATIO) > COVER_RATIO_SLACK:
        message = (
            f"cover image `{written}` is {width}×{height} px (1:{ratio:.2f}): stores ask for at"
            f" least {COVER_MIN[0]}×{COVER_MIN[1]} px (1:{COVER_RATIO})"
        )
        printing = print_pixels(spec.trim.width_mm, spec.trim.height_mm, spec.bleed_mm)
        if width < printing[0] or height < printing[1]:  # under PRINT_PPI on the wrap too
            both = store_and_print(printing)
            message += (
                f" and the print wrap's front {printing[0]}×{printing[1]} px ({PRINT_PPI} ppi):"
                f" {both[0]}×{both[1]} px meets both"
            )
        return [warning(shown, line, "cover-small", message, col)]
    return []

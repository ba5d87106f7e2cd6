"""Images are checked before anything decodes them: type, name, bytes and pixel count.

Pillow's `Image.open` reads only the header, so a decompression bomb (a small file that
inflates to gigapixels) is caught by its declared size without ever being inflated.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from ..base.access import Refused
from ..base.limits import Limits

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

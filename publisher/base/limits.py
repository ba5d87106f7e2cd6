"""Resource limits for untrusted manuscripts: each one turns a hang or a crash into a message.

Defaults suit a book of reviews; an anthology file may raise or lower them in `[limits]`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .text import suggestion

MB = 1_000_000


@dataclass(frozen=True)
class Limits:
    max_manuscript_bytes: int = 2 * MB
    max_nesting_depth: int = 40  # block quotes + list levels; Python-Markdown recurses on them
    max_paragraph_chars: int = 100_000  # WeasyPrint lays a paragraph out as one unit
    # Python-Markdown scans from every `[`, `(`, `<` to its closer: unclosed ones cost n².
    max_inline_scan: int = 2_000_000
    max_image_bytes: int = 20 * MB
    max_image_pixels: int = 40_000_000  # decompression bombs: checked without decoding
    max_remote_bytes: int = 10 * MB
    remote_timeout_s: int = 15

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(field.name for field in dataclasses.fields(cls))


def read_limits(table: Mapping[str, Any], fail: Callable[[str, str, str], None]) -> Limits:
    """`[limits]` from the anthology file; `fail(key, code, message)` reports each problem."""
    values: dict[str, int] = {}
    known = Limits.names()
    for key, value in table.items():
        if key not in known:
            fail(
                key, "anthology-unknown-key", f"unknown key `limits.{key}`{suggestion(key, known)}"
            )
        elif isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            fail(key, "anthology-type", f"`limits.{key}` must be a positive whole number")
        else:
            values[key] = value
    return Limits(**values)

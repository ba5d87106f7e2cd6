"""ICC output profiles for PDF/X (issue 16): read the header and the description tag.

An output intent names its printing condition by an ICC profile (ISO 15930-7 §6.2.4): the
profile must be an output profile (device class `prtr`, ICC.1:2010 §7.2.5) whose colour space
(§7.2.6) is CMYK, RGB or Gray. The header is fixed (128 bytes, big-endian, `acsp` at byte 36)
and only three fields and one tag are read, so no colour-management library is needed; no
colour is ever converted here.

The default profile is ghostscript's CMYK SWOP characterisation (Debian's `libgs-common`,
installed by scripts/setup-system.sh), read through the gate as a tool resource: it is never
copied into the repository.
"""

from __future__ import annotations

import dataclasses
import struct
from dataclasses import dataclass
from pathlib import Path

from .access import Access

SYSTEM_PROFILES = Path("/usr/share/color/icc/ghostscript")
DEFAULT_CMYK = SYSTEM_PROFILES / "default_cmyk.icc"  # "Artifex CMYK SWOP Profile"
SRGB = SYSTEM_PROFILES / "srgb.icc"  # DefaultRGB: what the page's DeviceRGB colours mean
MAX_PROFILE_BYTES = 8 * 1024 * 1024
COMPONENTS = {"CMYK": 4, "RGB ": 3, "GRAY": 1}  # ICC.1:2010 table 19 → PDF's /N


@dataclass(frozen=True)
class IccProfile:
    """A checked profile: its bytes, colour space ("CMYK", "RGB", "GRAY"), its PDF component
    count (4, 3, 1) and the text of its description tag (the output condition's name)."""

    data: bytes
    colour_space: str
    components: int
    description: str


def parse_profile(data: bytes, output: bool = True) -> IccProfile:
    """`data` as an ICC profile. Raises ValueError (a sentence, for the user) when it is not an
    ICC profile, not an output (`prtr`) profile when `output`, or not CMYK, RGB or Gray."""
    if len(data) < 132 or data[36:40] != b"acsp":
        raise ValueError("is not an ICC profile (no `acsp` signature in its header)")
    device_class, space = data[12:16].decode("latin-1"), data[16:20].decode("latin-1")
    if output and device_class != "prtr":
        raise ValueError(
            f"is an ICC profile of class `{device_class.strip()}`, not an output (printer)"
            " profile: ask the printer for its output profile"
        )
    if space not in COMPONENTS:
        raise ValueError(f"describes `{space.strip()}` colour: PDF/X needs CMYK, RGB or Gray")
    description = _description(data)
    if not description:
        raise ValueError("has no description tag to name its printing condition")
    return IccProfile(data, space.strip(), COMPONENTS[space], description)


def _description(data: bytes) -> str:
    """The `desc` tag's text: ICC v2 `desc` (ASCII) or v4 `mluc` (UTF-16BE, first record)."""
    (count,) = struct.unpack_from(">I", data, 128)
    for index in range(min(count, 200)):
        signature, offset, size = struct.unpack_from(">4sII", data, 132 + 12 * index)
        if signature != b"desc" or offset + size > len(data) or size < 12:
            continue
        tag = data[offset : offset + size]
        if tag[:4] == b"desc":
            (length,) = struct.unpack_from(">I", tag, 8)
            return tag[12 : 12 + length].split(b"\0")[0].decode("latin-1").strip()
        if tag[:4] == b"mluc" and size >= 28:
            text_length, text_offset = struct.unpack_from(">II", tag, 20)
            return tag[text_offset : text_offset + text_length].decode("utf-16-be").strip()
    return ""


def read_profile(path: Path, access: Access, written: str | None = None) -> IccProfile:
    """The profile at `path` read through `access` (the project's file, or a system profile
    when `access` lists SYSTEM_PROFILES as a tool folder). Raises Refused (the gate's) or
    ValueError (`parse_profile`'s)."""
    data = access.read(path, MAX_PROFILE_BYTES, "icc-too-large", written)
    return parse_profile(data, output=path != SRGB)


def system_access(access: Access) -> Access:
    """`access` that may also read the system's ICC profiles folder."""
    return dataclasses.replace(access, tool_dirs=(*access.tool_dirs, SYSTEM_PROFILES))

"""The manuscripts' Markdown readings (`render.survey`), kept between builds.

Loading reads every manuscript's body as the renderer will (load/body.py `_outline`: its
headings and link targets, for the links of the whole book). That reading is a pure function
of the body's text, the language it is read in and the package's own code, so it is kept in
`.publisher-cache/surveys.json`, keyed by the sha256 of exactly those three: a build after an
edit converts the edited body only. The files themselves are still read through the gate on
every build, and every check of a manuscript (its front matter, limits, images, raw HTML, the
checks across manuscripts) still runs: only the Markdown conversion is skipped.

The file is one line `publisher-surveys <sha256 of the rest>`, then a JSON object
key → [headings, links] (lists of strings). Nothing read is trusted: a file of another shape,
or whose hash does not match, counts as absent (every body is read again), never as an error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .base.digests import digest, package_digest
from .base.files import write_bytes_atomically
from .load.body import Parsed, Survey

FILE_NAME = "surveys.json"
_MAGIC = b"publisher-surveys "


@dataclass(frozen=True)
class Surveyed:
    """A body's reading as `load/body.py` uses it: headings' plain text and link targets."""

    headings: tuple[str, ...]
    links: tuple[str, ...]


@dataclass
class SurveyStore:
    """The readings stored by the last build (`stored`; empty when not `enabled`), those this
    build used (`used`, what `save` keeps) and how many bodies it had to read (`parses`)."""

    directory: Path
    enabled: bool = True
    stored: dict[str, Surveyed] = field(default_factory=dict)
    used: dict[str, Surveyed] = field(default_factory=dict)
    parses: int = 0

    @classmethod
    def open(cls, directory: Path, enabled: bool = True) -> SurveyStore:
        """`directory`: the build cache's folder. A missing or damaged file is an empty store."""
        store = cls(directory, enabled)
        if enabled:
            try:
                store.stored = _parsed((directory / FILE_NAME).read_bytes())
            except (OSError, ValueError):
                store.stored = {}
        return store

    def reading(self, survey: Survey) -> Survey:
        """`survey` (body, language → its reading), answered from the store when the same
        body was read in the same language by the same package."""

        def surveyed(body: str, lang: str) -> Parsed:
            key = digest("survey/1", package_digest(), lang, body)
            found = self.used.get(key) or self.stored.get(key)
            if found is None:
                parsed = survey(body, lang)
                found = Surveyed(tuple(parsed.headings), tuple(parsed.links))
                self.parses += 1
            self.used[key] = found
            return found

        return surveyed

    def save(self) -> None:
        """Write the readings this build used (the others are dropped). Raises OSError, or
        ForeignOutput when the file is not ours to write (base/files.py)."""
        entries = {key: [list(s.headings), list(s.links)] for key, s in sorted(self.used.items())}
        text = json.dumps(entries, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        stamp = _MAGIC + digest(text).encode("ascii") + b"\n"
        target = self.directory / FILE_NAME
        try:
            if target.read_bytes() == stamp + text:
                return
        except OSError:
            pass
        write_bytes_atomically(target, stamp + text)


def _parsed(data: bytes) -> dict[str, Surveyed]:
    """Raises ValueError on anything but what `save` writes, its hash intact."""
    head, newline, text = data.partition(b"\n")
    if not newline or head != _MAGIC + digest(text).encode("ascii"):
        raise ValueError("the surveys file is not ours or is damaged")
    raw = json.loads(text.decode("utf-8"))
    if not isinstance(raw, dict):
        raise ValueError("the surveys file is not an object")
    found: dict[str, Surveyed] = {}
    for key, entry in raw.items():
        if not (isinstance(entry, list) and len(entry) == 2 and all(_texts(p) for p in entry)):
            raise ValueError("a survey entry has the wrong shape")
        found[key] = Surveyed(tuple(entry[0]), tuple(entry[1]))
    return found


def _texts(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)

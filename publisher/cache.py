"""Build cache: content hashes of every input decide what must be rebuilt.

Layout of `<root>/.publisher-cache/`:
- `outputs.json`: for each output file, the key of the settings it was built with (package code,
  `SOURCE_DATE_EPOCH`, options), the list of inputs the build actually read (`gate.Input`: each
  file's resolved path and the sha256 of the bytes used, folder listings, files found absent),
  its sha256 and the diagnostics the build reported (replayed when nothing changed);
- `fragments/<key>.html`: per-document Markdown → HTML results, reused when one review changes.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import __version__
from .diagnostics import Diagnostic, Severity
from .exporters.files import write_bytes_atomically
from .gate import Input, still_valid

CACHE_DIR = ".publisher-cache"
PACKAGE_DIR = Path(__file__).resolve().parent
SKIPPED_DIRS = {"__pycache__", ".git", ".publisher-cache", "node_modules"}


def digest(*parts: bytes | str) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def file_sha256(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()


def tree_digest(paths: Iterable[Path], relative_to: Path) -> str:
    """Hash of every file under `paths` (names and contents), in a stable order."""
    entries: list[str] = []
    for base in paths:
        if base.is_file():
            files = [base]
        elif base.is_dir():
            files = [
                Path(folder) / name
                for folder, dirs, names in os.walk(base)
                for name in names
                if not SKIPPED_DIRS & set(Path(folder).parts)
            ]
        else:
            continue
        for path in files:
            try:
                name = path.resolve().relative_to(relative_to.resolve()).as_posix()
            except ValueError:
                name = path.resolve().as_posix()
            entries.append(f"{name}\0{file_sha256(path)}")
    return digest(*sorted(entries))


@functools.lru_cache(maxsize=1)
def package_digest() -> str:
    """The code that builds counts as an input too: a changed module rebuilds everything."""
    return digest(__version__, tree_digest([PACKAGE_DIR], PACKAGE_DIR))


@dataclass(frozen=True)
class CachedOutput:
    key: str
    sha256: str
    bytes: int
    diagnostics: tuple[Diagnostic, ...] = ()
    inputs: tuple[Input, ...] = ()  # what the build read (gate.recording); none: never fresh


@dataclass
class BuildCache:
    """Read at the start of a build, saved by the pipeline after the exporters have written."""

    directory: Path
    enabled: bool = True
    outputs: dict[str, CachedOutput] = field(default_factory=dict)
    fragments_read: int = 0
    fragments_written: dict[str, str] = field(default_factory=dict)

    @classmethod
    def open(cls, root: Path, enabled: bool = True) -> BuildCache:
        cache = cls(root / CACHE_DIR, enabled)
        manifest = cache.directory / "outputs.json"
        if enabled and manifest.is_file():
            try:
                raw = json.loads(manifest.read_text(encoding="utf-8"))
                cache.outputs = {path: _cached_output(entry) for path, entry in raw.items()}
            except (ValueError, KeyError, TypeError):
                cache.outputs = {}  # a damaged cache is a cold cache, never an error
        return cache

    def fresh(self, output: Path, key: str) -> bool:
        """Same settings, the output as written, and every input it read unchanged (re-read
        through the gate's rules: `gate.still_valid`)."""
        entry = self.outputs.get(str(output))
        if not self.enabled or entry is None or entry.key != key or not output.is_file():
            return False
        if not entry.inputs or not still_valid(entry.inputs):
            return False
        return output.stat().st_size == entry.bytes and file_sha256(output) == entry.sha256

    def record(
        self,
        output: Path,
        key: str,
        diagnostics: tuple[Diagnostic, ...],
        inputs: tuple[Input, ...] = (),
    ) -> None:
        data_hash = file_sha256(output)
        self.outputs[str(output)] = CachedOutput(
            key, data_hash, output.stat().st_size, diagnostics, inputs
        )

    def fragment(self, key: str) -> str | None:
        if not self.enabled:
            return None
        if key in self.fragments_written:
            return self.fragments_written[key]
        path = self.directory / "fragments" / f"{key}.html"
        if path.is_file():
            self.fragments_read += 1
            return path.read_text(encoding="utf-8")
        return None

    def keep_fragment(self, key: str, html: str) -> None:
        self.fragments_written[key] = html

    def save(self) -> None:
        """Write the manifest and new fragments; called only by the pipeline's last stage."""
        fragments = self.directory / "fragments"
        fragments.mkdir(parents=True, exist_ok=True)
        for key, html in self.fragments_written.items():
            target = fragments / f"{key}.html"
            if not target.exists():
                write_bytes_atomically(target, html.encode("utf-8"))
        manifest = {path: _entry(entry) for path, entry in sorted(self.outputs.items())}
        text = json.dumps(manifest, indent=1, ensure_ascii=False, sort_keys=True)
        write_bytes_atomically(self.directory / "outputs.json", text.encode("utf-8"))


def _entry(output: CachedOutput) -> dict[str, object]:
    entry = asdict(output)
    entry["diagnostics"] = [{**asdict(d), "severity": d.severity.value} for d in output.diagnostics]
    return entry


def _cached_output(raw: dict[str, object]) -> CachedOutput:
    diagnostics = raw.get("diagnostics", [])
    assert isinstance(diagnostics, list)
    inputs = raw.get("inputs", [])
    assert isinstance(inputs, list)
    return CachedOutput(
        key=str(raw["key"]),
        sha256=str(raw["sha256"]),
        bytes=int(str(raw["bytes"])),
        diagnostics=tuple(
            Diagnostic(
                str(d["path"]),
                int(d["line"]),
                int(d["col"]),
                Severity(d["severity"]),
                str(d["code"]),
                str(d["message"]),
                str(d.get("source", "publisher")),
            )
            for d in diagnostics
        ),
        inputs=tuple(Input(str(item["path"]), str(item["digest"])) for item in inputs),
    )

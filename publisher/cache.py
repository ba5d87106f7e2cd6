"""Build cache: content hashes of every input decide what must be rebuilt.

Layout of `<root>/.publisher-cache/`:
- `outputs.json`: for each output file, the key of the settings it was built with (package code,
  `SOURCE_DATE_EPOCH`, options), the list of inputs the build actually read (`gate.Input`: each
  file's resolved path and the sha256 of the bytes used, folder listings, files found absent),
  its sha256, the fragments its render used and the diagnostics the build reported (replayed
  when nothing changed); for the print PDF, its pagination (where each page begins: the page
  numbers the EPUB and HTML editions carry), so a build without `pdf` can keep them while the
  print PDF is current;
- `fragments/<key>.html`: per-document Markdown → HTML results, reused when one review changes;
  each starts with a line holding the sha256 of its key and HTML, checked on every read; a
  build that will save the cache writes its new fragments as it makes them (held by key only:
  peak RSS, issue 17), and `save()` removes the fragments no output uses;
- `surveys.json`: each manuscript body's Markdown reading for the loader (survey_cache.py).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .base.diagnostics import Diagnostic
from .base.digests import digest, file_sha256
from .base.files import ForeignOutput, check_folder, write_bytes_atomically
from .base.gate import Input, still_valid
from .base.project import CACHE_DIR
from .base.rendered import PageStart, Pagination
from .export.staging import sweep_parts
from .survey_cache import SurveyStore


@dataclass(frozen=True)
class CachedOutput:
    key: str
    sha256: str
    bytes: int
    diagnostics: tuple[Diagnostic, ...] = ()
    inputs: tuple[Input, ...] = ()  # what the build read (gate.recording); none: never fresh
    fragments: tuple[str, ...] = ()  # keys of the fragments its render used (kept from pruning)
    pagination: Pagination | None = None  # the print PDF's: where each of its pages begins
    print_pages: bool = False  # a web or EPUB edition made with the print page numbers
    pages: int | None = None  # a PDF's page count, reported again when it is reused whole


_FRAGMENT_NAME = re.compile(r"[0-9a-f]{64}\.html")


class _OutputFragments:
    """The cache's fragments as one output's render sees them: it notes every key it used."""

    def __init__(self, cache: BuildCache, used: set[str]) -> None:
        self.cache, self.used = cache, used

    def fragment(self, key: str) -> str | None:
        html = self.cache.fragment(key)
        if html is not None:
            self.used.add(key)
        return html

    def keep_fragment(self, key: str, html: str) -> None:
        self.used.add(key)
        self.cache.keep_fragment(key, html)


@dataclass
class BuildCache:
    """Read at the start of a build, saved by the pipeline once every output is in place.

    Nothing read from disk is trusted: a manifest of the wrong shape, or a fragment whose stored
    hash does not match its key and bytes, counts as absent (a cold cache), never as an error.
    `save()` raises OSError when the cache cannot be written; the pipeline makes that a warning.
    """

    directory: Path
    enabled: bool = True
    outputs: dict[str, CachedOutput] = field(default_factory=dict)
    fragments_read: int = 0
    # Fragments made in this build: on disk already (`records`: written as they are made, not
    # held until `save()`, issue 17: peak RSS), else here, for `save()` to write.
    fragments_written: dict[str, str] = field(default_factory=dict)
    fragments_stored: set[str] = field(default_factory=set)
    records: bool = False  # `save()` will run: fragments go to disk as they are made
    used: dict[str, set[str]] = field(default_factory=dict)  # output path → fragment keys
    # Inputs re-checked in this build: the outputs of one build share one list, read once.
    _unchanged: dict[tuple[Input, ...], bool] = field(default_factory=dict)
    surveys: SurveyStore | None = None  # the loader's Markdown readings (survey_cache.py)
    _folder_checked: bool = False

    @classmethod
    def open(cls, root: Path, enabled: bool = True, records: bool = False) -> BuildCache:
        """`enabled`: reuse what is cached. `records`: read the manifest even when not enabled
        (`--clean`): what each output was built with is then known (`outputs`), nothing is
        reused, and `save()` keeps the entries of the outputs this build did not make; the
        caller will `save()`, so new fragments are written as they are made."""
        cache = cls(root / CACHE_DIR, enabled, records=records)
        cache.surveys = SurveyStore.open(cache.directory, enabled)
        if enabled or records:
            try:
                text = (cache.directory / "outputs.json").read_text(encoding="utf-8")
                cache.outputs = _parse_manifest(text)
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                cache.outputs = {}  # absent or damaged: a cold cache, never an error
        return cache

    def fresh(self, output: Path, key: str) -> bool:
        """Same settings, the output as written, and every input it read unchanged (re-read
        through the gate's rules: `gate.still_valid`)."""
        entry = self.outputs.get(str(output))
        if not self.enabled or entry is None or entry.key != key or not output.is_file():
            return False
        if not entry.inputs:
            return False
        if entry.inputs not in self._unchanged:
            self._unchanged[entry.inputs] = still_valid(entry.inputs)
        if not self._unchanged[entry.inputs]:
            return False
        return output.stat().st_size == entry.bytes and file_sha256(output) == entry.sha256

    def for_output(self, output: Path) -> _OutputFragments:
        """The fragment store for rendering `output`; what it uses is kept by `save()`."""
        return _OutputFragments(self, self.used.setdefault(str(output), set()))

    def record(
        self,
        output: Path,
        key: str,
        diagnostics: tuple[Diagnostic, ...],
        inputs: tuple[Input, ...] = (),
        pagination: Pagination | None = None,
        print_pages: bool = False,
        pages: int | None = None,
    ) -> None:
        data_hash = file_sha256(output)
        fragments = tuple(sorted(self.used.get(str(output), ())))
        self.outputs[str(output)] = CachedOutput(
            key, data_hash, output.stat().st_size, diagnostics, inputs, fragments, pagination,
            print_pages, pages,
        )  # fmt: skip

    def pages(self, output: Path) -> int | None:
        """The page count recorded with `output` (a PDF), None when none was: asked of an
        output the plan found fresh, so its bytes are the ones the count was taken from."""
        entry = self.outputs.get(str(output))
        return entry.pages if entry is not None else None

    def pagination(self, output: Path, key: str) -> Pagination | None:
        """The pagination recorded with `output` (the print PDF) when it is fresh for `key`."""
        entry = self.outputs.get(str(output))
        if entry is None or entry.pagination is None or not self.fresh(output, key):
            return None
        return entry.pagination

    def foreseen(self, output: Path) -> Pagination | None:
        """The pagination recorded with `output` (the print PDF) by the last build, current or
        not: what an edit most likely leaves as it was (passes.py makes the paginated
        editions on it while the PDF is laid out, then compares). None when nothing is reused
        (`--clean`, `--no-cache`) or none was recorded."""
        entry = self.outputs.get(str(output))
        return entry.pagination if self.enabled and entry is not None else None

    def fragment(self, key: str) -> str | None:
        """The stored HTML for `key`, or None when absent or when it fails verification. A
        fragment made by this build is found even when the cache is not read (`--clean`)."""
        if key in self.fragments_written:
            return self.fragments_written[key]
        if key in self.fragments_stored:  # made by this build: not counted as read
            return _verified(key, _stored(self._fragment_path(key)) or b"")
        if not self.enabled:
            return None
        try:
            data = (self.directory / "fragments" / f"{key}.html").read_bytes()
        except OSError:
            return None
        html = _verified(key, data)  # None: failed verification, rebuilt like an absent one
        if html is not None:
            self.fragments_read += 1
        return html

    def keep_fragment(self, key: str, html: str) -> None:
        """Keep a fragment made in this build: written now when the cache records (only its
        key is held), else held for `save()`. A folder that cannot be written now is tried
        again by `save()`, which raises then."""
        if self.records:
            try:
                path = self._fragment_path(key)
                if _stored(path) != _stamped(key, html):
                    write_bytes_atomically(path, _stamped(key, html))
            except (OSError, ForeignOutput):
                pass  # held instead: save() meets the same error and reports it
            else:
                self.fragments_stored.add(key)
                return
        self.fragments_written[key] = html

    def _fragment_path(self, key: str) -> Path:
        """Where the fragment `key` is kept; the folders checked (and made) once. Raises
        OSError or ForeignOutput as `save()` does."""
        fragments = self.directory / "fragments"
        if not self._folder_checked:
            check_folder(self.directory)
            check_folder(fragments)
            fragments.mkdir(parents=True, exist_ok=True)
            self._folder_checked = True
        return fragments / f"{key}.html"

    def save(self) -> None:
        """Write the manifest and new fragments, then remove the fragments no output uses.
        Raises OSError when the cache folder cannot be written, ForeignOutput when it or a file
        in it is not ours to write (a symlink, a FIFO…: `base/files.py`), left as it is."""
        fragments = self.directory / "fragments"
        check_folder(self.directory)
        check_folder(fragments)
        fragments.mkdir(parents=True, exist_ok=True)
        for folder in (self.directory, fragments, self.directory / "remote"):
            sweep_parts(folder)  # temporary files of killed builds
        if self.surveys is not None and self.surveys.used:
            self.surveys.save()
        for key, html in self.fragments_written.items():
            target = fragments / f"{key}.html"
            if _stored(target) != _stamped(key, html):
                write_bytes_atomically(target, _stamped(key, html))
        manifest = {path: _entry(entry) for path, entry in sorted(self.outputs.items())}
        text = json.dumps(manifest, indent=1, ensure_ascii=False, sort_keys=True)
        write_bytes_atomically(self.directory / "outputs.json", text.encode("utf-8"))
        kept = {key for entry in self.outputs.values() for key in entry.fragments}
        for name in os.listdir(fragments):
            if _FRAGMENT_NAME.fullmatch(name) and name.removesuffix(".html") not in kept:
                (fragments / name).unlink(missing_ok=True)


# A fragment file: one line `publisher-fragment <sha256 of key and HTML>`, then the HTML.
_MAGIC = b"publisher-fragment "


def _stamped(key: str, html: str) -> bytes:
    return _MAGIC + digest(key, html).encode("ascii") + b"\n" + html.encode("utf-8")


def _stored(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _verified(key: str, data: bytes) -> str | None:
    head, newline, body = data.partition(b"\n")
    if not newline or not head.startswith(_MAGIC):
        return None
    try:
        html = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return html if head[len(_MAGIC) :].decode("ascii", "replace") == digest(key, html) else None


def _entry(output: CachedOutput) -> dict[str, object]:
    entry = asdict(output)
    entry["diagnostics"] = [d.to_json() for d in output.diagnostics]
    if output.pagination is not None:
        entry["pagination_sha256"] = _pagination_digest(output.sha256, entry["pagination"])
    return entry


def _pagination_digest(output_sha256: str, pagination: object) -> str:
    """Ties a stored pagination to its PDF: an edited or damaged one counts as absent."""
    return digest("pagination/1", output_sha256, json.dumps(pagination, sort_keys=True))


def _parse_manifest(text: str) -> dict[str, CachedOutput]:
    """Raises ValueError (or KeyError, TypeError, AttributeError) on anything but the shape
    `_entry` writes."""
    raw = json.loads(text)
    if not isinstance(raw, dict):
        raise ValueError("the manifest is not an object")
    return {str(path): _cached_output(entry) for path, entry in raw.items()}


def _cached_output(raw: object) -> CachedOutput:
    if not isinstance(raw, dict):
        raise ValueError("a manifest entry is not an object")
    diagnostics, fragments = raw.get("diagnostics", []), raw.get("fragments", [])
    inputs = raw.get("inputs", [])
    if not all(isinstance(part, list) for part in (diagnostics, fragments, inputs)):
        raise ValueError("a manifest entry has the wrong shape")
    if not all(
        isinstance(key, str) and _FRAGMENT_NAME.fullmatch(key + ".html") for key in fragments
    ):
        raise ValueError("a fragment key is not a sha256")
    return CachedOutput(
        key=str(raw["key"]),
        sha256=str(raw["sha256"]),
        bytes=int(str(raw["bytes"])),
        diagnostics=tuple(Diagnostic.from_json(d) for d in diagnostics),
        inputs=tuple(Input(str(item["path"]), str(item["digest"])) for item in inputs),
        fragments=tuple(fragments),
        pagination=_pagination(raw.get("pagination"))
        if raw.get("pagination_sha256")
        == _pagination_digest(str(raw["sha256"]), raw.get("pagination"))
        else None,
        print_pages=raw.get("print_pages") is True,
        pages=_count(raw.get("pages")),
    )


def _count(raw: object) -> int | None:
    """A stored page count: a whole number (not a bool) of 1 or more, else None (unknown)."""
    return raw if isinstance(raw, int) and not isinstance(raw, bool) and raw > 0 else None


def _pagination(raw: object) -> Pagination | None:
    """The inverse of `asdict(Pagination)`; raises ValueError (or KeyError, TypeError) on
    another shape."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ValueError("a pagination is not an object")
    pages = tuple(
        PageStart(
            str(page["label"]),
            None if page["document_id"] is None else str(page["document_id"]),
            tuple(int(index) for index in page["element_path"]),
            int(page["offset"]),
        )
        for page in raw["pages"]
    )
    openings = tuple((str(doc), str(label)) for doc, label in raw["openings"])
    return Pagination(pages, openings)

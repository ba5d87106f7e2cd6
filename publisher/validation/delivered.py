"""`publisher validate DIR-package` (or its zip): the retailer package checked as delivered,
without the project it came from (issue 16). What package.py writes, read back:

1. `SHA256SUMS` (GNU `sha256sum` format, `<hex>  <name>`): every file it lists is there with
   that SHA-256, and the package holds nothing it does not list (`package-checksum`,
   `package-unlisted`; a line that is not `<64 hex>  <name>` is `package-checksum` at its line);
2. each EPUB: EPUBCheck and Ace; each PDF: qpdf, pdffonts and the glyph check, and on the
   cover wrap (`<isbn>_cover.pdf`) the wrap check (wrap.py) instead of the text fidelity check,
   which needs the manuscripts, and on any PDF that says it is PDF/X (`<isbn>_interior.pdf`)
   the PDF/X check (files.validate_files without an anthology);
3. `onix.xml`: EDItEUR's schema, as onixcheck reads it (`package-onix-invalid`).

A zip is read into a temporary folder first; only flat names are accepted (no folders, no
`..`), and no more than `MAX_UNZIPPED` bytes. Diagnostics name a zip's files as
`<zip>/<name>`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import tempfile
import zipfile
from pathlib import Path

from ..base.diagnostics import Severity
from ..base.progress import ProgressCallback
from .files import validate_files
from .onix import check_onix
from .runner import ValidatorResult, diag, make_result

MANIFEST = "SHA256SUMS"  # as package_files.py names it
ONIX = "onix.xml"
MAX_UNZIPPED = 4 * 1024**3  # bytes: far above any book's package, far below a zip bomb's
LINE = re.compile(r"^([0-9a-f]{64})  ([^/\\]+)$")


def is_delivery(path: Path) -> bool:
    """A package folder (holding `SHA256SUMS`) or a `.zip` file."""
    if path.is_dir():
        return (path / MANIFEST).is_file()
    return path.suffix.lower() == ".zip" and path.is_file()


def validate_delivery(
    path: Path, progress: ProgressCallback | None = None
) -> tuple[ValidatorResult, ...]:
    """The checks of the module doc on the package folder or zip `path`, in that order."""
    if path.is_dir():
        return _validate_folder(path, path, progress)
    with tempfile.TemporaryDirectory(prefix="package-") as temp:
        folder = Path(temp)
        problem = _unzip(path, folder)
        if problem is not None:
            return (problem,)
        results = _validate_folder(folder, path, progress)
        return tuple(_renamed(result, folder, path) for result in results)


def _validate_folder(
    folder: Path, shown: Path, progress: ProgressCallback | None
) -> tuple[ValidatorResult, ...]:
    results = [_check_manifest(folder)]
    names = sorted(entry.name for entry in folder.iterdir())
    editions = [folder / name for name in names if name.lower().endswith((".epub", ".pdf"))]
    results += validate_files(editions, None, progress=progress)
    onix = folder / ONIX
    if onix.is_file():
        complaints = check_onix(onix.read_bytes(), ONIX)
        found = [
            diag(Severity.ERROR, onix, "package-onix-invalid", text, "onixcheck")
            for text in complaints
        ]
        results.append(make_result("onixcheck", onix, found, {"errors": len(found)}))
    else:
        missing = diag(Severity.ERROR, onix, "validate-missing-file", "no such file", "publisher")
        results.append(make_result("onixcheck", onix, [missing]))
    return tuple(results)


def _check_manifest(folder: Path) -> ValidatorResult:
    manifest = folder / MANIFEST
    found = []
    listed: dict[str, str] = {}
    try:
        text = manifest.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = f"cannot read the package's manifest: {exc}"
        unread = diag(Severity.ERROR, manifest, "package-checksum", why, "publisher")
        return make_result("manifest", manifest, [unread])
    for number, line in enumerate(text.splitlines(), 1):
        match = LINE.match(line)
        if match is None:
            why = "not a `sha256sum` line (`<64 hex digits>  <file name>`)"
            found.append(
                diag(Severity.ERROR, manifest, "package-checksum", why, "publisher", number)
            )
            continue
        listed[match[2]] = match[1]
    for name, expected in listed.items():
        path = folder / name
        if not path.is_file():
            why = "listed in SHA256SUMS but not in the package"
            found.append(diag(Severity.ERROR, path, "package-checksum", why, "publisher"))
        elif hashlib.sha256(path.read_bytes()).hexdigest() != expected:
            why = "its SHA-256 is not the one SHA256SUMS lists: the file changed after packaging"
            found.append(diag(Severity.ERROR, path, "package-checksum", why, "publisher"))
    for entry in sorted(folder.iterdir()):
        if entry.name not in listed and entry.name != MANIFEST:
            why = "not listed in SHA256SUMS: a package holds only the files its manifest lists"
            found.append(diag(Severity.ERROR, entry, "package-unlisted", why, "publisher"))
    return make_result("manifest", manifest, found, {"files": len(listed)})


def _unzip(archive: Path, folder: Path) -> ValidatorResult | None:
    """Extract `archive`'s flat entries into `folder`; the result explaining why not, else None."""
    try:
        with zipfile.ZipFile(archive) as zipped:
            entries = zipped.infolist()
            bad = [e.filename for e in entries if e.is_dir() or not _plain(e.filename)]
            if bad:
                why = f"not a retailer package: `{bad[0]}` is not a plain file name"
            elif sum(e.file_size for e in entries) > MAX_UNZIPPED:
                why = f"not a retailer package: more than {MAX_UNZIPPED} bytes unzipped"
            else:
                for entry in entries:
                    (folder / entry.filename).write_bytes(zipped.read(entry))
                return None
    except (OSError, zipfile.BadZipFile) as exc:
        why = f"cannot read the zip: {exc}"
    unread = diag(Severity.ERROR, archive, "package-checksum", why, "publisher")
    return make_result("manifest", archive, [unread])


def _renamed(result: ValidatorResult, folder: Path, archive: Path) -> ValidatorResult:
    """`result` naming `<zip>/<name>` where it named the temporary `folder`'s files."""

    def shown(path: str | Path) -> Path:
        found = Path(path)
        return archive / found.relative_to(folder) if found.is_relative_to(folder) else found

    diagnostics = tuple(dataclasses.replace(d, path=str(shown(d.path))) for d in result.diagnostics)
    return dataclasses.replace(result, target=shown(result.target), diagnostics=diagnostics)


def _plain(name: str) -> bool:
    """A file name with no folder in it: what package.py writes into a zip."""
    return name not in ("", ".", "..") and "/" not in name and "\\" not in name

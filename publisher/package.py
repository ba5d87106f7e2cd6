"""`publisher package`: the retailer and library package (issue 16). What a store or a
distributor takes in one delivery: the EPUB, the cover as a store-sized JPEG, the print
interior and its cover wrap, an ONIX for Books 3.0 record and a SHA-256 manifest.

The recipe, in order, nothing written until every check has passed:

1. the anthology file: what stores require (`requirements`: an ISBN-13 for each product form
   in the package, a price for each with `--priced`; `publisher` and `description` are
   required keys of every anthology file already); then the package's path must be ours to
   replace (`check_target`);
2. `pipeline.build` makes the EPUB and the print PDF, always (its layout gives the EPUB its
   page-list and the ONIX its page count: no package ships an EPUB without print page
   numbers), and unless `epub_only` the cover wrap; instant when the cache holds them
   current. `epub_only` decides only what goes into the package. With `validate` the build
   runs EPUBCheck, Ace and the PDF checks as `build --validate` does, so the EPUB carries the
   validated build's accessibility claim (claim.py); a validator's error stops the package
   (`package-not-validated`, naming the check and the file);
3. the ONIX record, with the print PDF's page count as read from the file, the EPUB's
   accessibility as the EPUB states it (export/onix_access.py) and the title, subtitle and
   description typeset as the wrap prints them (render/cover_text.py), is validated with onixcheck
   (`check_onix`): a complaint is an error, and nothing is written;
4. the package is written into a staging name beside its path and renamed onto it
   (package_files.py); the zip's bytes depend only on its contents and the package's moment
   (SOURCE_DATE_EPOCH when set, else the clock: the record's SentDateTime too).

File names (`package_names`): the ISBN is the stem, as e-book distributors name delivered
files (the EPUB and its cover image under the e-book ISBN: `9788412345678.epub`,
`9788412345678.jpg`), and the printer's two PDFs under the print ISBN with `_interior` and
`_cover`; the record is `onix.xml`, the manifest `SHA256SUMS` (`sha256sum -c SHA256SUMS`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import KW_ONLY, dataclass
from pathlib import Path

from .base.access import Access, Refused
from .base.diagnostics import BuildFailed, Diagnostic, error, has_errors
from .base.model import AnthologySpec
from .base.progress import Progress, ProgressCallback
from .base.project import source_date
from .base.rendered import Target
from .export.cover import cover_png, store_jpeg
from .export.onix import onix_record
from .export.onix_access import read_accessibility
from .output_folder import check_output_folder
from .package_files import MANIFEST, Packed, check_target, manifest, write_package
from .pipeline import BuildRequest, BuildResult, Format, build, load_book, read_spec
from .plan import output_dir
from .render import cover_text
from .validation import ValidatorResult, check_onix
from .validation.pages import pdf_pages

ONIX_NAME = "onix.xml"
FORMS = {"epub": "EPUB", "print": "printed book"}


@dataclass(frozen=True)
class PackageRequest:
    anthology: Path
    out_dir: Path | None  # None: the anthology's `output_dir`, else `dist/` in the project root
    _: KW_ONLY
    zip: bool = False  # `<slug>-package.zip` instead of the folder `<slug>-package/`
    epub_only: bool = False  # no print interior nor cover wrap (and no paperback in the ONIX)
    validate: bool = False  # validate what was built, as `build --validate`; errors stop it
    priced: bool = False  # each product form must have a price (`[prices]`)
    clean: bool = False
    cache: bool = True
    progress: ProgressCallback | None = None
    allow_remote: frozenset[str] | None = None


@dataclass(frozen=True)
class PackageResult:
    """`path`: the package written (None when an error stopped it: nothing was written);
    `files`: what it holds, the manifest last; `build`: the build it took the editions from."""

    path: Path | None
    files: tuple[Packed, ...]
    build: BuildResult | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def bytes(self) -> int:
        return sum(item.bytes for item in self.files)


def requirements(spec: AnthologySpec, epub_only: bool, priced: bool) -> list[Diagnostic]:
    """One error per missing item stores require, at the anthology file's line of the key or
    table to fill when it is written, else line 0 naming the table to add:
    `package-missing-isbn` (each product form's ISBN-13), with `priced` `package-missing-price`
    (each product form's `[prices]`)."""
    trade = spec.trade
    found = []
    forms = ("epub",) if epub_only else ("epub", "print")
    for form in forms:
        isbn = spec.isbn_epub if form == "epub" else spec.isbn_print
        if not isbn:
            line = trade.line(f"identifiers.isbn_{form}", "identifiers")
            where = "to [identifiers]" if line else "in an [identifiers] table"
            found.append(
                error(
                    spec.path,
                    line,
                    "package-missing-isbn",
                    f"a retailer package needs the {FORMS[form]}'s ISBN-13: add"
                    f' isbn_{form} = "978-…" {where}',
                )
            )
        prices = trade.epub_prices if form == "epub" else trade.print_prices
        if priced and not prices:
            line = trade.line(f"prices.{form}", "prices")
            where = "to [prices]" if line else "in a [prices] table"
            found.append(
                error(
                    spec.path,
                    line,
                    "package-missing-price",
                    f"--priced needs a price for the {FORMS[form]}: add"
                    f" {form} = {{ EUR = 9.99 }} {where} (ISO 4217 currency = amount)",
                )
            )
    return found


def package_names(spec: AnthologySpec) -> dict[str, str]:
    """Each file of the package by its role (`epub`, `jpeg`, `interior`, `cover`, `onix`): the
    ISBN-based names of the module's docstring. Requires the ISBNs `requirements` checks."""
    epub, printed = spec.isbn_epub or spec.slug, spec.isbn_print or spec.slug
    return {
        "epub": f"{epub}.epub",
        "jpeg": f"{epub}.jpg",
        "interior": f"{printed}_interior.pdf",
        "cover": f"{printed}_cover.pdf",
        "onix": ONIX_NAME,
    }


def package_path(spec: AnthologySpec, request: PackageRequest) -> Path:
    """`<output folder>/<slug>-package` (a folder), or `<slug>-package.zip`."""
    name = f"{spec.slug}-package" + (".zip" if request.zip else "")
    return output_dir(spec, request.out_dir) / name


def make_package(request: PackageRequest) -> PackageResult:
    """Build what the package needs and write it (see the module doc). Raises BuildFailed with
    the package's own errors (missing data, a path not ours, an invalid ONIX record, a cover
    image that cannot be read); a build with errors is returned as they are, unpackaged."""
    spec = read_spec(request.anthology)
    missing = requirements(spec, request.epub_only, request.priced)
    if missing:
        raise BuildFailed(missing)
    target = package_path(spec, request)
    check_output_folder(spec, target.parent)  # as build checks it: a folder, apart from sources
    check_target(target)
    built = build(
        BuildRequest(
            request.anthology,
            frozenset({Format.EPUB}),
            request.out_dir,
            cover=not request.epub_only,
            print_pdf=True,  # its page numbers go into the EPUB and the ONIX, always
            clean=request.clean,
            validate=request.validate,
            cache=request.cache,
            progress=request.progress,
            allow_remote=request.allow_remote,
        )
    )
    failed = [result for result in built.validators if not result.ok]
    if failed:
        stop = error(spec.path, 0, "package-not-validated", _not_validated(failed))
        return PackageResult(None, (), built, (*built.diagnostics, stop))
    if has_errors(built.diagnostics):
        return PackageResult(None, (), built, built.diagnostics)
    _tell(request, "writing the retailer package")
    made = {output.target: output.path for output in built.outputs}
    names = package_names(spec)
    access = Access.for_spec(spec, request.allow_remote)
    anthology, _ = load_book(spec, access)
    pages = pdf_pages(made[Target.PRINT_PDF.value])
    epub = made[Target.EPUB.value].read_bytes()
    access_facts = read_accessibility(epub)
    # One moment for the whole package: the record's SentDateTime and the zip's entries.
    moment = source_date() or dt.datetime.now(dt.UTC)
    typeset = cover_text(
        anthology.spec
    )  # the wrap's own words: the record prints what the wrap prints
    record = onix_record(
        anthology, pages, not request.epub_only, access_facts, typeset, sent=moment
    )
    complaints = check_onix(record, names["onix"])
    if complaints:
        raise BuildFailed(
            error(spec.path, 0, "package-onix-invalid", f"the ONIX record is not valid: {text}")
            for text in complaints
        )
    contents = {
        names["epub"]: epub,
        names["jpeg"]: store_jpeg(_cover_image(spec, access)),
        names["onix"]: record,
    }
    if not request.epub_only:
        contents[names["interior"]] = made[Target.PRINT_PDF.value].read_bytes()
        contents[names["cover"]] = made[Target.COVER.value].read_bytes()
    contents[MANIFEST] = manifest(contents)
    files = write_package(target, contents, moment)
    return PackageResult(target, files, built, built.diagnostics)


def _not_validated(failed: list[ValidatorResult]) -> str:
    """Why validation stopped the package: each validator that found errors, on which file;
    a validator that could not run is named with its `validator-missing` message (what is not
    available and how to install it), as validation was asked for and could not be done."""
    missing = [
        d.message
        for result in failed
        if {d.code for d in result.errors} == {"validator-missing"}
        for d in result.errors
    ]
    found = [
        f"{result.validator} on {result.target.name} found errors"
        for result in failed
        if {d.code for d in result.errors} != {"validator-missing"}
    ]
    if not missing:
        return f"the package was not written: {', '.join(found)}"
    why = "; ".join([*dict.fromkeys(missing), *found])
    return f"the package was not written because validation was asked for (--validate): {why}"


def _cover_image(spec: AnthologySpec, access: Access) -> bytes:
    """The anthology's `cover_image` read through the gate (checked when the book loaded),
    else the generated typographic cover."""
    if spec.cover_image is None:
        return cover_png(spec)
    try:
        return access.read(
            spec.cover_image, spec.limits.max_image_bytes, "image-too-large",
            spec.cover_image_written,
        )  # fmt: skip
    except Refused as refused:
        line, col = spec.cover_image_at
        raise BuildFailed([refused.diagnostic(spec.path, line, col)]) from None


def _tell(request: PackageRequest, what: str) -> None:
    if request.progress is not None:
        request.progress(Progress("package", what))

"""Read and validate the anthology file (TOML): tomllib reads the values, `toml_positions` places
them, so each problem is reported at the line and column of the offending key, table or list
entry; a syntax error in plain words (`toml_errors`). Every problem is reported at once.

Length: the whole schema of the anthology file is here, one reader method per key or table, so
that a new key is one line in `spec()`; split, the schema would be read in two places."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from ..base.diagnostics import BuildFailed, Diagnostic, error
from ..base.gate import Refused, read_file
from ..base.languages import parse_lang
from ..base.limits import Limits, read_limits
from ..base.locale import Locale, label_keys, word_problem
from ..base.model import (
    AnthologySpec,
    Certification,
    ExtraStylesheet,
    OrderKey,
    PartSpec,
    Selection,
)
from ..base.project import shown as shown_path
from ..base.text import isbn10_as_13, isbn13_valid, slugify, strip_controls, suggestion
from ..base.theme import unknown_theme
from .print_table import PRINT_KEYS, read_print
from .toml_errors import DATE_EXAMPLE, parse_toml
from .toml_positions import KeyPath, Positions, toml_positions
from .trade import read_trade

BOOK_KEYS = (
    "slug", "title", "subtitle", "editors", "publisher", "lang", "date", "edition", "rights",
    "description", "subjects", "theme", "reviews", "front", "include_all", "identifiers",
    "print", "parts", "limits", "stub", "extra_css", "output_dir", "labels",
    "file_as", "cover_image",
    "accessibility", "sales", "prices",
)  # fmt: skip
# What each required key holds: a missing one is named with it.
REQUIRED = {
    "title": 'text: title = "…"',
    "editors": 'a list of names: editors = ["…"]',
    "publisher": 'text: publisher = "…"',
    "date": f"a date like {DATE_EXAMPLE}",
    "rights": 'text: rights = "© 2026 …"',
    "description": "text: a sentence or two about the book",
    "parts": "at least one `[[parts]]` table",
}
IDENTIFIER_KEYS = ("isbn_print", "isbn_epub")
PART_KEYS = ("id", "title", "intro", "select", "order")
SELECT_KEYS = ("tags", "years", "slugs")
ACCESSIBILITY_KEYS = ("certified_by", "conforms_to", "credential", "report")
# The conformance statement of EPUB Accessibility 1.1 §5.1 (w3.org/TR/epub-a11y-11).
CONFORMS_TO = re.compile(r"^EPUB Accessibility 1\.1 - WCAG 2\.[012] Level A{1,3}$")
# Output names are `<slug>-print.pdf` and the like, written through temporary names beside them:
# a slug this long leaves room under the 255-byte file-name limit of common file systems.
MAX_SLUG_CHARS = 120


def load_anthology_spec(path: Path, root: Path) -> AnthologySpec:
    """Raises BuildFailed with every problem found in the file."""
    shown = Path(shown_path(path, root))
    try:
        # Through the gate like every other file: a FIFO or a device is refused, not waited on.
        limit = Limits().max_manuscript_bytes
        raw = read_file(path, (root,), limit, "anthology-unreadable", str(shown))
        text = raw.decode("utf-8-sig")
    except Refused as refused:
        if refused.code == "missing":
            raise BuildFailed(
                [error(shown, 0, "anthology-missing", "anthology file not found")]
            ) from None
        problem = error(shown, 0, "anthology-unreadable", refused.message, names=refused.names)
        raise BuildFailed([problem]) from None
    except UnicodeDecodeError as exc:
        raise BuildFailed([error(shown, 0, "anthology-unreadable", str(exc))]) from None
    data = parse_toml(text, shown)
    return _Reader(shown, path, root, toml_positions(text), data).spec()


class _Reader:
    """Reads the parsed file key by key; every problem is kept, at the position where the
    key (or table, or list entry) is written (`Positions`). Each key is one call: a new key is
    a line in `spec()` and its name in BOOK_KEYS."""

    def __init__(
        self, shown: Path, path: Path, root: Path, at: Positions, data: dict[str, Any]
    ) -> None:
        self.shown, self.path, self.root, self.at, self.data = shown, path, root, at, data
        self.problems: list[Diagnostic] = []

    def fail(self, line: int, code: str, message: str, col: int = 0) -> None:
        self.problems.append(error(self.shown, line, code, message, col))

    def fail_at(self, where: KeyPath, code: str, message: str) -> None:
        """A problem at the key `where` (its nearest written parent when it is missing)."""
        line, col = self.at.of(*where)
        self.fail(line, code, message, col)

    def missing(self, where: KeyPath, key: str) -> None:
        expected = f" ({REQUIRED[key]})" if key in REQUIRED else ""
        self.fail_at(where, "anthology-missing-key", f"missing required key `{key}`{expected}")

    def unknown(self, table: dict[str, Any], where: KeyPath, known: tuple[str, ...]) -> None:
        """Every key of `table` that is not in `known`, with the closest known name."""
        prefix = "".join(f"{part}." for part in where if isinstance(part, str))
        for key, value in table.items():
            if key not in known:
                kind = "table" if _is_table(value) else "key"
                self.fail_at(
                    (*where, key),
                    "anthology-unknown-key",
                    f"unknown {kind} `{prefix}{key}`{suggestion(key, known)}",
                )

    def text(
        self,
        table: dict[str, Any],
        key: str,
        where: KeyPath = (),
        default: str | None = None,
    ) -> str:
        value = table.get(key, default)
        if value is None:
            self.missing(where, key)
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail_at((*where, key), "anthology-type", f"`{key}` must be non-empty text")
            return ""
        return strip_controls(value).strip()

    def names(self, table: dict[str, Any], key: str, where: KeyPath = ()) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail_at((*where, key), "anthology-type", f"`{key}` must be a list of text")
            return ()
        return tuple(strip_controls(v).strip() for v in value)

    def table(self, key: str) -> dict[str, Any]:
        value = self.data.get(key, {})
        if not isinstance(value, dict):
            self.fail_at((key,), "anthology-type", f"`{key}` must be a table: [{key}]")
            return {}
        return value

    def spec(self) -> AnthologySpec:
        data = self.data
        self.unknown(data, (), BOOK_KEYS)
        title = self.text(data, "title")
        editors = self.editors()
        date = self.date()
        identifiers = self.table("identifiers")
        self.unknown(identifiers, ("identifiers",), IDENTIFIER_KEYS)
        isbns = {key: self.isbn(identifiers, key) for key in IDENTIFIER_KEYS}
        if isbns["isbn_epub"] and isbns["isbn_epub"] == isbns["isbn_print"]:
            # ONIX 3.0: one ProductIdentifier per product; the paperback and the EPUB are
            # two products, and the ISBN Users' Manual gives each product form its own ISBN.
            self.fail_at(
                ("identifiers", "isbn_epub"),
                "isbn-duplicate",
                f"`isbn_epub` {identifiers['isbn_epub']} is `isbn_print` too: each product"
                " form needs its own ISBN (the paperback one, the EPUB another)",
            )
        base = self.path.parent
        self.unknown(self.table("print"), ("print",), PRINT_KEYS)
        printing = read_print(self.table("print"), self.fail_at, base, self.root)
        lang = self.lang()
        labels = self.labels()
        first_edition = Locale.for_tag(lang, dict(labels)).word("first_edition")
        # `cover_image`: a file relative to this file's folder, checked when loading (images.py).
        cover = self.text(data, "cover_image") if "cover_image" in data else ""
        spec = AnthologySpec(
            path=self.shown,
            root=self.root,
            slug=self.slug(slugify(str(data.get("slug") or title or self.path.stem))),
            title=title,
            subtitle=self.text(data, "subtitle") if "subtitle" in data else None,
            editors=editors,
            publisher=self.text(data, "publisher"),
            lang=lang,
            date=date,
            rights=self.text(data, "rights"),
            description=self.text(data, "description"),
            subjects=self.names(data, "subjects"),
            isbn_print=isbns["isbn_print"],
            isbn_epub=isbns["isbn_epub"],
            isbn_print_written=str(identifiers.get("isbn_print", "")).strip()
            if isbns["isbn_print"]
            else "",
            edition=self.text(data, "edition", default=first_edition),
            theme=self.theme(data),
            reviews_dir=self.inside(
                base / self.text(data, "reviews", default="reviews"), "reviews"
            ),
            front=self.names(data, "front"),
            parts=self.parts(data.get("parts")),
            trim=printing.trim,
            pdf_variant=printing.pdf_variant,
            paper=printing.paper,
            spine=printing.spine,
            pdf_variant_at=self.at.of("print", "pdf_variant"),
            bleed_mm=printing.bleed_mm,
            bleed_at=self.at.of("print", "bleed"),
            crop_marks=printing.crop_marks,
            output_profile=printing.output_profile,
            output_profile_written=printing.output_profile_written,
            output_profile_at=self.at.of("print", "output_profile"),
            include_all=self.flag(data, "include_all", True),
            stub=self.flag(data, "stub"),
            limits=self.limits(),
            extra_css=self.extra_css(data),
            front_at=self.entries("front"),
            reviews_at=self.at.of("reviews") if "reviews" in data else (1, 0),
            # Where the outputs go, relative to this file's folder; not confined to the project.
            output_dir=(base / self.text(data, "output_dir")).absolute()
            if "output_dir" in data
            else None,
            file_as=self.file_as(),
            labels=labels,
            lang_at=self.at.of("lang") if "lang" in data else (1, 0),
            cover_image=self.inside(base / cover, "cover_image") if cover else None,
            cover_image_written=cover,
            cover_image_at=self.at.of("cover_image") if "cover_image" in data else (1, 0),
            accessibility=self.certification(),
            trade=read_trade(data, self.at, self.fail_at),  # `[sales]`, `[prices]`
            description_at=self.at.of("description"),
            identifiers_at=self.at.of("identifiers") if "identifiers" in data else None,
            slug_at=self.slug_at(),
            output_dir_at=self.at.of("output_dir") if "output_dir" in data else (1, 0),
        )
        if self.problems:
            raise BuildFailed(self.problems)
        return spec

    def file_as(self) -> tuple[tuple[str, str], ...]:
        """`[file_as]`: `"María Luisa Bemberg" = "Bemberg, María Luisa"`, how the indexes file
        a person (base/names.py); each value must be text."""
        pairs = []
        for name, filed in self.table("file_as").items():
            if isinstance(filed, str) and filed.strip():
                pairs.append((strip_controls(name).strip(), strip_controls(filed).strip()))
            else:
                self.fail_at(
                    ("file_as", name),
                    "anthology-type",
                    f"`file_as.{name}` must be text: the name as the index files it,"
                    ' e.g. "Bemberg, María Luisa"',
                )
        return tuple(pairs)

    def certification(self) -> Certification | None:
        """`[accessibility]`: `certified_by` and `conforms_to` (the EPUB Accessibility 1.1
        statement, e.g. "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"), both required;
        `credential` and `report` (an http(s) URL) optional. None when the table is absent."""
        if "accessibility" not in self.data:
            return None
        table = self.table("accessibility")
        where = ("accessibility",)
        self.unknown(table, where, ACCESSIBILITY_KEYS)
        certified_by = self.text(table, "certified_by", where)
        conforms_to = self.text(table, "conforms_to", where)
        if conforms_to and not CONFORMS_TO.match(conforms_to):
            self.fail_at(
                (*where, "conforms_to"),
                "anthology-value",
                "`accessibility.conforms_to` must be an EPUB Accessibility 1.1 statement,"
                ' e.g. "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"',
            )
        credential = self.text(table, "credential", where) if "credential" in table else None
        report = self.text(table, "report", where) if "report" in table else None
        if report and not re.match(r"^https?://\S+$", report):
            self.fail_at(
                (*where, "report"),
                "anthology-value",
                "`accessibility.report` must be an http(s) URL of the evaluation report",
            )
        return Certification(certified_by, conforms_to, credential, report)

    def theme(self, data: dict[str, Any]) -> str:
        """`theme`: a built-in theme or a folder of the project's `styles/` (`unknown-theme`)."""
        name = self.text(data, "theme", default="clasico")
        problem = unknown_theme(name, self.root) if name else None
        if problem:
            self.fail_at(("theme",), "unknown-theme", problem)
        return name

    def extra_css(self, data: dict[str, Any]) -> tuple[ExtraStylesheet, ...]:
        """`extra_css`: stylesheets relative to this file's folder (checked when loading)."""
        line = self.at.of("extra_css")[0] if "extra_css" in data else 1
        return tuple(
            ExtraStylesheet(self.path.parent / name, name, line)
            for name in self.names(data, "extra_css")
        )

    def lang(self) -> str:
        """The book's language tag (`es` by default), checked as manuscripts' `lang` is."""
        written = self.text(self.data, "lang", default="es")
        parsed = parse_lang(written)
        if written and parsed.tag is None:
            hint = f" (did you mean `{parsed.suggestion}`?)" if parsed.suggestion else ""
            self.fail_at(
                ("lang",),
                "anthology-value",
                f"`lang` must be a language tag (BCP 47) such as `en`, `es` or `pt-BR`{hint}",
            )
            return "es"
        return parsed.tag or "es"

    def labels(self) -> tuple[tuple[str, str], ...]:
        """`[labels]`: words of the book's own (`contents = "Sumario"`), each a key of the
        language catalogues (base/locale.py) with non-empty text."""
        table = self.table("labels")
        known = label_keys()
        self.unknown(table, ("labels",), known)
        words = []
        for key, value in table.items():
            if key not in known:
                continue
            # Kept as written, spaces too (`colon = " : "`): only control characters go.
            text = strip_controls(value) if isinstance(value, str) else None
            if text is None:
                problem: str | None = f"`labels.{key}` must be text"
            elif not text.strip():
                problem = f"`labels.{key}` must not be empty"
            else:
                problem = word_problem(key, text)
            if problem:
                self.fail_at(("labels", key), "anthology-value", problem)
            words.append((key, text or ""))
        return tuple(words)

    def entries(self, key: str) -> tuple[tuple[int, int], ...]:
        """(line, column) of each entry of the list `key`."""
        value = self.data.get(key)
        count = len(value) if isinstance(value, list) else 0
        return tuple(self.at.of(key, index) for index in range(count))

    def editors(self) -> tuple[str, ...]:
        if "editors" not in self.data:
            self.missing((), "editors")
            return ()
        editors = self.names(self.data, "editors")
        if not editors and isinstance(self.data["editors"], list):
            self.fail_at(("editors",), "anthology-value", "`editors` must name at least one editor")
        return editors

    def date(self) -> dt.date:
        date = self.data.get("date")
        if date is None:
            self.missing((), "date")
        if isinstance(date, dt.datetime):
            date = date.date()
        if isinstance(date, dt.date):
            return date
        if date is not None:
            hint = f" without quotes: date = {date}" if _iso_date(date) else ""
            self.fail_at(
                ("date",),
                "anthology-type",
                f"`date` must be a TOML date like {DATE_EXAMPLE}{hint}",
            )
        return dt.date(1970, 1, 1)

    def slug_at(self) -> tuple[str, int, int]:
        """The key the book's slug comes from (`slug`, else `title`), and where it is."""
        key = "slug" if "slug" in self.data else "title"
        return (key, *self.at.of(key))

    def slug(self, slug: str) -> str:
        if len(slug) > MAX_SLUG_CHARS:
            key = "slug" if "slug" in self.data else "title"
            self.fail_at(
                (key,),
                "anthology-value",
                f"the book's slug (from `{key}`) is {len(slug)} characters; output file names"
                f" need it at most {MAX_SLUG_CHARS}: set a shorter `slug`",
            )
        return slug

    def flag(self, table: dict[str, Any], key: str, default: bool = False) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.fail_at((key,), "anthology-type", f"`{key}` must be true or false")
            return default
        return value

    def inside(self, path: Path, key: str) -> Path:
        if not path.resolve().is_relative_to(self.root.resolve()):
            self.fail_at((key,), "path-outside-project", f"`{key}` points outside the project")
        return path

    def limits(self) -> Limits:
        table = self.table("limits")
        return read_limits(
            table, lambda key, code, message: self.fail_at(("limits", key), code, message)
        )

    def isbn(self, identifiers: dict[str, Any], key: str) -> str | None:
        value = identifiers.get(key)
        if value is None:
            return None
        digits = re.sub(r"[\s-]", "", str(value))
        if not isbn13_valid(digits):
            thirteen = isbn10_as_13(str(value))
            message = (
                f"`{key}` {value} is an ISBN-10: an ISBN-13 is needed, {thirteen}"
                if thirteen
                else f"`{key}` {value} is not a valid ISBN-13 (check digit)"
            )
            self.fail_at(("identifiers", key), "isbn-invalid", message)
            return None
        return digits

    def parts(self, raw: Any) -> tuple[PartSpec, ...]:
        if raw is None:
            self.missing((), "parts")
            return ()
        if not isinstance(raw, list) or not raw or not all(isinstance(t, dict) for t in raw):
            self.fail_at(
                ("parts",), "anthology-type", "`parts` must be tables: write `[[parts]]` headers"
            )
            return ()
        return tuple(self.part(table, ("parts", index)) for index, table in enumerate(raw))

    def part(self, table: dict[str, Any], where: KeyPath) -> PartSpec:
        self.unknown(table, where, PART_KEYS)
        title = self.text(table, "title", where)
        part_id = slugify(str(table.get("id") or title))
        selection = self.selection(table.get("select", {}), (*where, "select"))
        if not (selection.tags or selection.years or selection.slugs):
            self.fail_at(
                (*where, "select") if "select" in table else where,
                "anthology-missing-key",
                f"part `{part_id}` selects nothing: give `select`",
            )
        order_name = table.get("order", "year")
        try:
            order = OrderKey(order_name)
        except ValueError:
            names = tuple(key.value for key in OrderKey)
            self.fail_at(
                (*where, "order"),
                "anthology-value",
                f"`order` must be year, title or explicit, not `{order_name}`"
                f"{suggestion(str(order_name), names)}",
            )
            order = OrderKey.FILM_YEAR
        if order is OrderKey.EXPLICIT and not selection.slugs:
            self.fail_at(
                (*where, "order"), "anthology-value", '`order = "explicit"` needs `select.slugs`'
            )
        line = self.at.of(*where)[0]
        return PartSpec(part_id, title, table.get("intro"), selection, order, line)

    def selection(self, select: Any, where: KeyPath) -> Selection:
        if not isinstance(select, dict):
            self.fail_at(where, "anthology-type", "`select` must be a table, e.g. { tags = […] }")
            return Selection()
        for key in select:
            if key not in SELECT_KEYS:
                self.fail_at(
                    (*where, key),
                    "anthology-unknown-key",
                    f"unknown selector `{key}`{suggestion(key, SELECT_KEYS)}",
                )
        years = select.get("years")
        year_range: tuple[int, int] | None = None
        if years is not None:
            if isinstance(years, list) and len(years) == 2 and all(_is_int(y) for y in years):
                year_range = (years[0], years[1])
            else:
                self.fail_at(
                    (*where, "years"), "anthology-type", "`select.years` must be [first, last]"
                )
        slugs = self.names(select, "slugs", where)
        return Selection(
            tags=self.names(select, "tags", where),
            years=year_range,
            slugs=slugs,
            slugs_at=tuple(self.at.of(*where, "slugs", index) for index in range(len(slugs))),
        )


def _is_table(value: Any) -> bool:
    return isinstance(value, dict) or (
        isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _iso_date(value: Any) -> bool:
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        return False
    return True

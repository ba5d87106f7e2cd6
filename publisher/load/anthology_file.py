"""Read and validate the anthology file (TOML). Errors carry the line of the offending key."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..base.diagnostics import BuildFailed, Diagnostic, error
from ..base.gate import Refused, read_file
from ..base.limits import Limits, read_limits
from ..base.model import AnthologySpec, OrderKey, PartSpec, Selection, TrimSize
from ..base.project import shown as shown_path
from ..base.text import isbn13_valid, slugify, strip_controls, suggestion

BOOK_KEYS = (
    "slug", "title", "subtitle", "editors", "publisher", "lang", "date", "edition", "rights",
    "description", "subjects", "theme", "reviews", "front", "include_all", "identifiers",
    "print", "parts", "limits", "stub", "output_dir",
)  # fmt: skip
PART_KEYS = ("id", "title", "intro", "select", "order")
SELECT_KEYS = ("tags", "years", "slugs")
PRINT_KEYS = ("trim", "pdf_variant")
PDF_VARIANTS = ("pdf/a-3b", "pdf/x-4", "pdf/x-3", "pdf/a-2b", "pdf/ua-1")
# Output names are `<slug>-print.pdf` and the like, written through temporary names beside them:
# a slug this long leaves room under the 255-byte file-name limit of common file systems.
MAX_SLUG_CHARS = 120
TRIM = re.compile(r"^\s*([\d.]+)\s*[x×]\s*([\d.]+)\s*(mm|in)\s*$")


@dataclass(frozen=True)
class _Lines:
    """Finds the line of a key in the TOML text (tomllib keeps no positions)."""

    lines: tuple[str, ...]

    def of(self, key: str, start: int = 0) -> int:
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for index in range(start, len(self.lines)):
            if pattern.match(self.lines[index]):
                return index + 1
        return start + 1 if start else 1

    def tables(self, header: str) -> list[int]:
        return [i + 1 for i, line in enumerate(self.lines) if line.strip() == header]


def load_anthology_spec(path: Path, root: Path) -> AnthologySpec:
    """Raises BuildFailed with every problem found in the file."""
    shown = Path(shown_path(path, root))
    try:
        # Through the gate like every other file: a FIFO or a device is refused, not waited on.
        raw = read_file(path, (root,), Limits().max_manuscript_bytes, "anthology-unreadable")
        text = raw.decode("utf-8-sig")
    except Refused as refused:
        if refused.code == "missing":
            raise BuildFailed(
                [error(shown, 0, "anthology-missing", "anthology file not found")]
            ) from None
        raise BuildFailed([error(shown, 0, "anthology-unreadable", refused.message)]) from None
    except UnicodeDecodeError as exc:
        raise BuildFailed([error(shown, 0, "anthology-unreadable", str(exc))]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 0
        raise BuildFailed([error(shown, line, "toml-syntax", str(exc))]) from None
    return _Reader(shown, path, root, _Lines(tuple(text.split("\n"))), data).spec()


class _Reader:
    def __init__(self, shown: Path, path: Path, root: Path, lines: _Lines, data: dict[str, Any]):
        self.shown, self.path, self.root, self.lines, self.data = shown, path, root, lines, data
        self.problems: list[Diagnostic] = []

    def fail(self, line: int, code: str, message: str) -> None:
        self.problems.append(error(self.shown, line, code, message))

    def text(
        self, table: dict[str, Any], key: str, line_from: int = 0, default: str | None = None
    ) -> str:
        value = table.get(key, default)
        if value is None:
            self.fail(line_from or 1, "anthology-missing-key", f"missing required key `{key}`")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(
                self.lines.of(key, line_from), "anthology-type", f"`{key}` must be non-empty text"
            )
            return ""
        return strip_controls(value).strip()

    def names(self, table: dict[str, Any], key: str, line_from: int = 0) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(
                self.lines.of(key, line_from), "anthology-type", f"`{key}` must be a list of text"
            )
            return ()
        return tuple(strip_controls(v).strip() for v in value)

    def spec(self) -> AnthologySpec:
        data = self.data
        for key in data:
            if key not in BOOK_KEYS:
                line = self.lines.of(key)
                self.fail(
                    line,
                    "anthology-unknown-key",
                    f"unknown key `{key}`{suggestion(key, BOOK_KEYS)}",
                )
        title = self.text(data, "title")
        editors = self.names(data, "editors")
        if not editors:
            self.fail(
                self.lines.of("editors"),
                "anthology-missing-key",
                "`editors` must name at least one editor",
            )
        date = data.get("date")
        if isinstance(date, dt.datetime):
            date = date.date()
        if not isinstance(date, dt.date):
            self.fail(
                self.lines.of("date"), "anthology-type", "`date` must be a TOML date (YYYY-MM-DD)"
            )
            date = dt.date(1970, 1, 1)
        identifiers = data.get("identifiers", {})
        isbns = {key: self.isbn(identifiers, key) for key in ("isbn_print", "isbn_epub")}
        base = self.path.parent
        spec = AnthologySpec(
            path=self.shown,
            root=self.root,
            slug=self.slug(slugify(str(data.get("slug") or title or self.path.stem))),
            title=title,
            subtitle=data.get("subtitle"),
            editors=editors,
            publisher=self.text(data, "publisher"),
            lang=self.text(data, "lang", default="es"),
            date=date,
            rights=self.text(data, "rights"),
            description=self.text(data, "description"),
            subjects=self.names(data, "subjects"),
            isbn_print=isbns["isbn_print"],
            isbn_epub=isbns["isbn_epub"],
            edition=self.text(data, "edition", default="Primera edición"),
            theme=self.text(data, "theme", default="clasico"),
            reviews_dir=self.inside(
                base / self.text(data, "reviews", default="reviews"), "reviews"
            ),
            front=self.names(data, "front"),
            parts=self.parts(data.get("parts")),
            trim=self.trim(data.get("print", {})),
            pdf_variant=self.variant(data.get("print", {})),
            include_all=bool(data.get("include_all", True)),
            stub=self.flag(data, "stub"),
            limits=self.limits(data.get("limits", {})),
            # Where the outputs go, relative to this file's folder; not confined to the project.
            output_dir=(base / self.text(data, "output_dir")).absolute()
            if "output_dir" in data
            else None,
        )
        if self.problems:
            raise BuildFailed(self.problems)
        return spec

    def slug(self, slug: str) -> str:
        if len(slug) > MAX_SLUG_CHARS:
            key = "slug" if "slug" in self.data else "title"
            self.fail(
                self.lines.of(key),
                "anthology-value",
                f"the book's slug (from `{key}`) is {len(slug)} characters; output file names"
                f" need it at most {MAX_SLUG_CHARS}: set a shorter `slug`",
            )
        return slug

    def flag(self, table: dict[str, Any], key: str) -> bool:
        value = table.get(key, False)
        if not isinstance(value, bool):
            self.fail(self.lines.of(key), "anthology-type", f"`{key}` must be true or false")
            return False
        return value

    def inside(self, path: Path, key: str) -> Path:
        if not path.resolve().is_relative_to(self.root.resolve()):
            self.fail(
                self.lines.of(key), "path-outside-project", f"`{key}` points outside the project"
            )
        return path

    def limits(self, table: Any) -> Limits:
        if not isinstance(table, dict):
            self.fail(self.lines.of("limits"), "anthology-type", "`limits` must be a table")
            return Limits()
        start = next(iter(self.lines.tables("[limits]")), 0)
        return read_limits(
            table, lambda key, code, message: self.fail(self.lines.of(key, start), code, message)
        )

    def isbn(self, identifiers: dict[str, Any], key: str) -> str | None:
        value = identifiers.get(key)
        if value is None:
            return None
        digits = re.sub(r"[\s-]", "", str(value))
        if not isbn13_valid(digits):
            self.fail(
                self.lines.of(key),
                "isbn-invalid",
                f"`{key}` {value} is not a valid ISBN-13 (check digit)",
            )
            return None
        return digits

    def trim(self, table: dict[str, Any]) -> TrimSize:
        value = table.get("trim", "148x210mm")
        match = TRIM.match(str(value))
        if not match:
            self.fail(
                self.lines.of("trim"),
                "anthology-value",
                "`trim` must look like `148x210mm` or `6x9in`",
            )
            return TrimSize(148, 210)
        factor = 25.4 if match.group(3) == "in" else 1.0
        return TrimSize(float(match.group(1)) * factor, float(match.group(2)) * factor)

    def variant(self, table: dict[str, Any]) -> str | None:
        for key in table:
            if key not in PRINT_KEYS:
                self.fail(
                    self.lines.of(key),
                    "anthology-unknown-key",
                    f"unknown key `print.{key}`{suggestion(key, PRINT_KEYS)}",
                )
        value = table.get("pdf_variant")
        if value is not None and value not in PDF_VARIANTS:
            self.fail(
                self.lines.of("pdf_variant"),
                "anthology-value",
                f"`pdf_variant` must be one of {', '.join(PDF_VARIANTS)}",
            )
            return None
        return value

    def parts(self, raw: Any) -> tuple[PartSpec, ...]:
        headers = self.lines.tables("[[parts]]")
        if not isinstance(raw, list) or not raw:
            self.fail(
                1, "anthology-missing-key", "the anthology needs at least one `[[parts]]` table"
            )
            return ()
        parts: list[PartSpec] = []
        for index, table in enumerate(raw):
            line = headers[index] if index < len(headers) else 1
            for key in table:
                if key not in PART_KEYS:
                    self.fail(
                        self.lines.of(key, line - 1),
                        "anthology-unknown-key",
                        f"unknown key `parts.{key}`{suggestion(key, PART_KEYS)}",
                    )
            title = self.text(table, "title", line)
            part_id = slugify(str(table.get("id") or title))
            select = table.get("select", {})
            if not isinstance(select, dict):
                select = {}
            for key in select:
                if key not in SELECT_KEYS:
                    self.fail(
                        self.lines.of("select", line - 1),
                        "anthology-unknown-key",
                        f"unknown selector `{key}`{suggestion(key, SELECT_KEYS)}",
                    )
            years = select.get("years")
            year_range: tuple[int, int] | None = None
            if years is not None:
                if (
                    isinstance(years, list)
                    and len(years) == 2
                    and all(isinstance(y, int) for y in years)
                ):
                    year_range = (years[0], years[1])
                else:
                    self.fail(
                        self.lines.of("select", line - 1),
                        "anthology-type",
                        "`select.years` must be [first, last]",
                    )
            selection = Selection(
                tags=tuple(select.get("tags", ())),
                years=year_range,
                slugs=tuple(select.get("slugs", ())),
            )
            if not (selection.tags or selection.years or selection.slugs):
                self.fail(
                    line,
                    "anthology-missing-key",
                    f"part `{part_id}` selects nothing: give `select`",
                )
            order_name = table.get("order", "year")
            try:
                order = OrderKey(order_name)
            except ValueError:
                self.fail(
                    self.lines.of("order", line - 1),
                    "anthology-value",
                    f"`order` must be year, title or explicit, not `{order_name}`",
                )
                order = OrderKey.FILM_YEAR
            if order is OrderKey.EXPLICIT and not selection.slugs:
                self.fail(
                    self.lines.of("order", line - 1),
                    "anthology-value",
                    '`order = "explicit"` needs `select.slugs`',
                )
            parts.append(PartSpec(part_id, title, table.get("intro"), selection, order, line))
        return tuple(parts)

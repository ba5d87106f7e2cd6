"""Load and validate manuscripts: every problem in every file is collected, none stops the scan."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from ..base.access import Access, Refused
from ..base.diagnostics import Diagnostic, error, warning
from ..base.gate import Entry
from ..base.model import Film, FrontPiece, Manuscript, Outline
from ..base.text import CONTROL, suggestion
from .body import Survey, check_body, mask_code
from .fields import (
    FILM_KEYS,
    FRONT_KEYS,
    REVIEW_KEYS,
    Problems,
    missing_key,
    read_date,
    read_integer,
    read_lang,
    read_name_map,
    read_rating,
    read_string,
    read_string_list,
    unknown_keys,
)
from .frontmatter import (
    Field,
    FrontMatterError,
    parse_fields,
    read_fields,
    split_front_matter,
)
from .slugs import Slugs
from .stylesheets import stylesheet_problems

FIRST_FILM_YEAR = 1895
LEVEL_ONE_HEADING = re.compile(r"^#(?!#)\s", re.MULTILINE)


@dataclass(frozen=True)
class Loaded:
    reviews: tuple[Manuscript, ...]
    front: tuple[FrontPiece, ...]
    diagnostics: tuple[Diagnostic, ...]


def load_manuscripts(
    root: Path,
    reviews_dir: Path,
    front_dir: Path,
    default_lang: str,
    today: dt.date,
    survey: Survey,
    access: Access | None = None,
    stylesheets: Sequence[Path] = (),
) -> Loaded:
    """`survey` reads a body's Markdown as the book will (`render.survey`); `access` guards
    what manuscripts may name; `stylesheets` are theme folders to check.

    Every file is read through `access` (see base/access.py). The reviews folder must exist and be
    readable (`reviews-missing`, `unreadable`); the front folder may be absent."""
    access = access or Access(root)
    diagnostics: list[Diagnostic] = _stylesheet_problems(stylesheets, access)
    claim = Slugs().claim  # ids must be unique across reviews and front

    def load_folder(folder: Path, build: Callable[..., T | None], required: bool) -> list[T]:
        loaded: list[T] = []
        for entry in _markdown_files(folder, access, required, diagnostics):
            shown = Path(access.shown(entry.path))
            if not entry.utf8:
                message = "the file name is not valid UTF-8: rename it (save ñ, é… as UTF-8)"
                diagnostics.append(error(shown, 0, "file-name-encoding", message))
                continue
            item = _load_one(
                entry.path, shown, claim, default_lang, today, diagnostics, build, access, survey
            )
            if item is not None:
                loaded.append(item)
        return loaded

    reviews = load_folder(reviews_dir, _review, required=True)
    front = load_folder(front_dir, _front_piece, required=False)
    return Loaded(tuple(reviews), tuple(front), tuple(diagnostics))


def _markdown_files(
    folder: Path, access: Access, required: bool, sink: list[Diagnostic]
) -> list[Entry]:
    """The `*.md` entries of `folder` (any kind: the read says what is wrong with each)."""
    shown = access.shown(folder)
    if not access.exists(folder):
        if required:
            message = f"the reviews folder `{shown}` does not exist{_sibling_hint(folder)}"
            sink.append(error(shown, 0, "reviews-missing", message))
        return []
    try:
        entries = access.listing(folder)
    except Refused as refused:
        code = "reviews-missing" if refused.code == "missing" else refused.code
        sink.append(error(shown, 0, code, refused.message, names=refused.names))
        return []
    return [entry for entry in entries if entry.name.endswith(".md")]


def _sibling_hint(folder: Path) -> str:
    """` (did you mean …?)` naming a folder beside `folder` with a close name."""
    try:
        names = [name for name in os.listdir(folder.parent) if (folder.parent / name).is_dir()]
    except OSError:
        return ""
    return suggestion(folder.name, names)


T = TypeVar("T")


def _load_one(
    path: Path,
    shown: Path,
    claim: Callable[[Problems, dict[str, Field]], str | None],
    default_lang: str,
    today: dt.date,
    sink: list[Diagnostic],
    build: Callable[..., T | None],
    access: Access,
    survey: Survey,
) -> T | None:
    problems = Problems(shown, sink)
    try:
        data = access.read(path, access.limits.max_manuscript_bytes, "manuscript-too-large")
    except Refused as refused:
        # A file gone between the listing and the read cannot be read either.
        code = "unreadable" if refused.code == "missing" else refused.code
        problems.add(0, code, refused.message)
        return None
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        problems.add(line, "binary-file", "this is not a text file (it contains NUL bytes)")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.add(line, "encoding", "file is not valid UTF-8 text")
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    control = CONTROL.search(text)
    if control:
        # XML cannot carry them (the EPUB would be broken); word processors paste them.
        line = text.count("\n", 0, control.start()) + 1
        col = control.start() - text.rfind("\n", 0, control.start())
        code_point = f"U+{ord(control.group()):04X}"
        message = f"invisible control character {code_point} (and any others) removed"
        sink.append(warning(shown, line, "control-character", message, col))
        text = CONTROL.sub("", text)
    try:
        split = split_front_matter(text)
    except FrontMatterError as exc:
        claim(problems, {})  # the file name's slug: a duplicate is reported all the same
        problems.add(exc.line, "front-matter-syntax", exc.message, exc.col)
        return None
    if split.yaml_text is None:
        claim(problems, {})
        problems.add(1, "front-matter-missing", "file must start with `---` front matter")
        return None
    # A YAML error costs only its own block: the other keys and the body are still checked.
    read = read_fields(split.yaml_text)
    for broken in read.errors:
        problems.add(broken.line, "front-matter-syntax", broken.message, broken.col)
    problems.unreadable = read.unreadable
    fields = read.fields
    slug = claim(problems, fields)
    checked = check_body(
        split.body, split.body_line, path.parent, access, default_lang, survey, shown
    )
    for found in checked.diagnostics:
        problems.report(found)
    result = build(
        problems, slug or "", fields, split.body, split.body_line, default_lang, today,
        checked.outline,
    )  # fmt: skip
    return None if problems.count or slug is None else result


def read_review_text(
    shown: Path, text: str, default_lang: str, today: dt.date
) -> tuple[Manuscript | None, tuple[Diagnostic, ...]]:
    """A review's text (front matter and body) read by the rules `load_manuscripts` applies
    to its front matter, slug included; no file is read and the body is not checked. For
    `publisher new`, which checks what it would write before writing it. Returns the review
    (None when it has errors) and the problems, located in `shown` at the text's lines.
    Raises FrontMatterError when the front matter does not parse."""
    sink: list[Diagnostic] = []
    problems = Problems(shown, sink)
    split = split_front_matter(text)
    fields = parse_fields(split.yaml_text or "")
    slug = Slugs().claim(problems, fields) or ""
    review = _review(
        problems, slug, fields, split.body, split.body_line, default_lang, today, Outline()
    )
    return (review if slug and not problems.count else None), tuple(sink)


def _stylesheet_problems(folders: Sequence[Path], access: Access) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for folder in folders:
        css = folder / "css"
        if not access.exists(css):
            continue
        try:
            sheets = [e for e in access.listing(css) if e.name.endswith(".css")]
        except Refused as refused:
            found.append(refused.diagnostic(access.shown(css)))
            continue
        for sheet in sheets:
            try:
                found += stylesheet_problems(sheet.path, access)
            except Refused as refused:
                found.append(refused.diagnostic(access.shown(sheet.path)))
    return found


def _review(
    problems: Problems,
    slug: str,
    fields: dict[str, Field],
    body: str,
    body_line: int,
    default_lang: str,
    today: dt.date,
    outline: Outline,
) -> Manuscript | None:
    unknown_keys(problems, fields, REVIEW_KEYS, "")
    title = read_string(problems, fields, "title", 1)
    film_field = fields.get("film")
    film: Film | None = None
    if film_field is None:
        missing_key(problems, "film", 1, "")
    elif film_field.children is None:
        problems.add(
            film_field.line, "front-matter-type", "`film` must be a mapping", film_field.col
        )
    else:
        film = _film(problems, film_field, today)
    date = read_date(problems, fields)
    lang = read_lang(problems, fields, default_lang)
    tags = read_string_list(problems, fields, "tags", 1, required=False)
    section = read_string(problems, fields, "section", 1, required=False)
    summary = read_string(problems, fields, "summary", 1, required=False)
    author = read_string(problems, fields, "author", 1, required=False)
    rating = read_rating(problems, fields)
    _check_body(problems, body, body_line)
    if not body.strip():
        problems.sink.append(
            warning(problems.path, body_line, "body-empty",
                    "the review has no text after its front matter")
        )  # fmt: skip
    if problems.count or title is None or film is None or date is None or tags is None:
        return None
    return Manuscript(
        slug=slug,
        path=problems.path,
        title=title,
        film=film,
        author=author,
        date=date,
        lang=lang,
        tags=tuple(tags),
        body=body,
        body_line=body_line,
        section=section,
        summary=summary,
        rating=rating,
        section_line=fields["section"].line if "section" in fields else 1,
        outline=outline,
    )


def _front_piece(
    problems: Problems,
    slug: str,
    fields: dict[str, Field],
    body: str,
    body_line: int,
    default_lang: str,
    today: dt.date,
    outline: Outline,
) -> FrontPiece | None:
    unknown_keys(problems, fields, FRONT_KEYS, "")
    title = read_string(problems, fields, "title", 1)
    author = read_string(problems, fields, "author", 1, required=False)
    lang = read_lang(problems, fields, default_lang)
    _check_body(problems, body, body_line)
    if title is None:
        return None
    return FrontPiece(slug, problems.path, title, author, lang, body, body_line, outline)


def _film(problems: Problems, film_field: Field, today: dt.date) -> Film | None:
    assert film_field.children is not None
    fields, line = film_field.children, film_field.line
    unknown_keys(problems, fields, FILM_KEYS, "film.")
    title = read_string(problems, fields, "title", line, prefix="film.")
    original = read_string(problems, fields, "original_title", line, prefix="film.", required=False)
    country = read_string(problems, fields, "country", line, prefix="film.", required=False)
    directors = read_string_list(problems, fields, "directors", line, prefix="film.")
    cast = read_string_list(problems, fields, "cast", line, prefix="film.", required=False)
    sort_as = read_string(problems, fields, "sort_as", line, prefix="film.", required=False)
    year = read_integer(problems, fields, "year", line, "film.")
    last_year = today.year + 1
    if year is not None and not FIRST_FILM_YEAR <= year <= last_year:
        field = fields["year"]
        problems.add(
            field.line,
            "film-year-range",
            f"`film.year` {year} is outside {FIRST_FILM_YEAR}..{last_year}",
            field.col,
        )
        year = None
    runtime = read_integer(problems, fields, "runtime_min", line, "film.", required=False)
    if runtime is not None and not 1 <= runtime <= 1500:
        field = fields["runtime_min"]
        problems.add(
            field.line, "front-matter-value", "`film.runtime_min` must be 1..1500", field.col
        )
        runtime = None
    file_as = read_name_map(problems, fields, "file_as", "film.", directors, cast)
    if title is None or directors is None or year is None:
        return None
    if ("country" in fields and country is None) or ("runtime_min" in fields and runtime is None):
        return None
    people = tuple(directors), tuple(cast or ())
    return Film(title, year, people[0], country, runtime, original, people[1], sort_as, file_as)


def _check_body(problems: Problems, body: str, body_line: int) -> None:
    # A `# line` inside a code block or span is code, shown as written: not a heading.
    for match in LEVEL_ONE_HEADING.finditer(mask_code(body)):
        line = body_line + body.count("\n", 0, match.start())
        problems.add(
            line, "markdown-heading-level", "use `##` for headings; `#` is the review title"
        )

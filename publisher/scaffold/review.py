"""`publisher new`: a review skeleton the loader accepts, in the part the user chose.

What it writes is checked first by the loader's own rules (`load.manuscripts.read_review_text`:
film year in range, runtime 1..1500, names not empty…), so a bad argument is refused before
any file exists. The file name is the film's slug (every script transliterated), made unique
with `-2`, `-3`… against every slug of the book; an existing file is never replaced. The
review reaches its part by the part's own `select` rules: its year when the part selects by
year, the part's first tag otherwise; `section` only when the rules cannot say it alone (a
part that selects by slugs, or a review several parts would take). Its body is the
placeholder sentence (base/placeholder.py) that `check` flags until the review is written.
"""

from __future__ import annotations

import dataclasses
import difflib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..base.access import Access
from ..base.diagnostics import BuildFailed, Severity
from ..base.model import AnthologySpec, Manuscript, PartSpec
from ..base.placeholder import placeholder_for
from ..base.project import project_root, shown, today
from ..base.text import slugify
from ..load.anthology_file import MAX_SLUG_CHARS, load_anthology_spec
from ..load.frontmatter import parse_fields, split_front_matter
from ..load.manuscripts import read_review_text
from ..load.slugs import taken_slugs

# The front-matter key each command-line argument fills, for messages about the argument.
ARGUMENTS = {
    "title": "TITLE",
    "author": "--author",
    "film.title": "--film",
    "film.year": "--year",
    "film.directors": "--director",
    "film.country": "--country",
    "film.runtime_min": "--runtime",
}
SUFFIX_ROOM = 4  # `-99` and its hyphen: a numbered slug stays within MAX_SLUG_CHARS


class ScaffoldError(Exception):
    """Nothing was written; `problems` says why, one message each. `usage`: the command's
    arguments are at fault (a bad year, an unknown part), not the project or the disk."""

    def __init__(self, *problems: str, usage: bool = True) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
        self.usage = usage


@dataclass(frozen=True)
class FilmArguments:
    """The film as the command line gives it (`--film`, `--year`, `--director`…)."""

    title: str
    year: int
    directors: tuple[str, ...]
    country: str | None = None
    runtime: int | None = None


@dataclass(frozen=True)
class Written:
    """Where the skeleton went, the part it lands in and by which rule (`by its tag …`)."""

    path: Path
    part: PartSpec
    how: str


def write_skeleton(
    anthology_file: Path, *, title: str, film: FilmArguments, part: str | None, author: str | None
) -> Written:
    """Write a review skeleton for `film` into the anthology's reviews folder. `part` is a
    part's id or title (case and accents aside); None lets the rules choose. Raises
    ScaffoldError (nothing written) on a bad anthology, argument or part."""
    root = project_root(anthology_file)
    try:
        spec = load_anthology_spec(anthology_file, root)
    except BuildFailed as failure:
        raise ScaffoldError(*(d.format() for d in failure.diagnostics), usage=False) from None
    front: dict[str, object] = {"title": title, "film": _film_fields(film)}
    if author is not None:
        front["author"] = author
    front["date"] = today()
    slug = _free_slug(spec, slugify(film.title, fallback=slugify(title, fallback="review")))
    target = spec.reviews_dir / f"{slug}.md"
    problems: list[str] = []  # every problem with the arguments, told at once
    chosen: PartSpec | None = None
    try:
        chosen = find_part(spec, part) if part is not None else None
    except ScaffoldError as unknown:
        problems += unknown.problems
    try:
        manuscript = _checked(spec, target, front)
    except ScaffoldError as bad:
        raise ScaffoldError(*bad.problems, *problems) from None
    if problems:
        raise ScaffoldError(*problems)
    extra, landing, how = _placement(spec, chosen, manuscript)
    front.update(extra)
    _checked(spec, target, front)  # what is written is what the loader accepts
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8") as handle:  # never replaces a file
            handle.write(_text(front, placeholder_for(spec.lang)))
    except OSError as exc:  # FileExistsError: made by someone else since the name was chosen
        raise ScaffoldError(f"cannot write `{target}`: {exc.strerror}", usage=False) from None
    return Written(target, landing, how)


def find_part(spec: AnthologySpec, wanted: str) -> PartSpec:
    """The part whose id or title is `wanted`, ignoring case and accents (`La Retaguardia`,
    `retaguardia`). Raises ScaffoldError naming the parts as `id (Title)`, with the closest."""
    names: dict[str, PartSpec] = {}
    for part in spec.parts:
        names.setdefault(_fold(part.id), part)
        names.setdefault(_fold(part.title), part)
    found = names.get(_fold(wanted)) or names.get(slugify(wanted))
    if found is not None:
        return found
    close = difflib.get_close_matches(_fold(wanted), list(names), n=1, cutoff=0.6)
    hint = f" (did you mean `{names[close[0]].id}`?)" if close else ""
    raise ScaffoldError(f"unknown part `{wanted}`{hint}; the parts are: {_listing(spec)}")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _listing(spec: AnthologySpec) -> str:
    return ", ".join(f"{part.id} ({part.title})" for part in spec.parts)


def _film_fields(film: FilmArguments) -> dict[str, object]:
    fields: dict[str, object] = {
        "title": film.title,
        "year": film.year,
        "directors": list(film.directors),
    }
    if film.country is not None:
        fields["country"] = film.country
    if film.runtime is not None:
        fields["runtime_min"] = film.runtime
    return fields


def _free_slug(spec: AnthologySpec, slug: str) -> str:
    """`slug`, or `slug-2`, `slug-3`… : the first no file of the book takes."""
    slug = slug[: MAX_SLUG_CHARS - SUFFIX_ROOM].rstrip("-")
    taken = taken_slugs((spec.reviews_dir, spec.reviews_dir.parent / "front"), Access(spec.root))
    number = 1
    candidate = slug
    while candidate in taken or (spec.reviews_dir / f"{candidate}.md").exists():
        number += 1
        candidate = f"{slug}-{number}"
    return candidate


def _text(front: dict[str, object], body: str) -> str:
    header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, default_flow_style=None)
    return f"---\n{header}---\n\n{body}\n"


def _checked(spec: AnthologySpec, target: Path, front: dict[str, object]) -> Manuscript:
    """The review `front` makes, read by the loader's rules. Raises ScaffoldError with each
    error, told with the command-line argument that caused it (`--year: …`)."""
    text = _text(front, placeholder_for(spec.lang))
    where = Path(shown(target, spec.root))
    manuscript, found = read_review_text(where, text, spec.lang, today())
    errors = [d for d in found if d.severity is Severity.ERROR]
    if manuscript is not None and not errors:
        return manuscript
    keys = _key_lines(text)
    told = [
        f"{ARGUMENTS.get(keys.get(d.line, ''), 'the front matter')}: {d.message}" for d in errors
    ]
    raise ScaffoldError(*(told or ["the review would not load"]))


def _key_lines(text: str) -> dict[int, str]:
    """Line → dotted key (`film.year`) of the front matter in `text`."""
    fields = parse_fields(split_front_matter(text).yaml_text or "")
    lines = {field.line: key for key, field in fields.items()}
    for name, child in (fields["film"].children or {}).items():
        lines[child.line] = f"film.{name}"
    return lines


def _placement(
    spec: AnthologySpec, chosen: PartSpec | None, manuscript: Manuscript
) -> tuple[dict[str, object], PartSpec, str]:
    """What to add to the front matter (`tags`, or `section` when the rules cannot place it
    alone) so that the review lands in `chosen`, that part, and how it gets there. With no
    part chosen, the part the rules give the review as it is (by its year), or the only part.
    Raises ScaffoldError when the rules place it nowhere or `chosen` does not take its year."""
    if chosen is None:
        by_rules = _parts_taking(spec, manuscript)
        if len(by_rules) == 1:
            return _placement(spec, by_rules[0], manuscript)
        if len(spec.parts) != 1:
            raise ScaffoldError(
                f"say which part the review belongs to with --part; the parts are: {_listing(spec)}"
            )
        chosen = spec.parts[0]
    rules = chosen.select
    if rules.years is not None and not rules.years[0] <= manuscript.film.year <= rules.years[1]:
        low, high = rules.years
        raise ScaffoldError(
            f"part `{chosen.id}` ({chosen.title}) takes films of {low}..{high};"
            f" --year {manuscript.film.year} is outside"
        )
    if _parts_taking(spec, manuscript) == [chosen]:
        by_slug = manuscript.slug in rules.slugs
        return {}, chosen, f"by its slug `{manuscript.slug}`" if by_slug else "by its year"
    if rules.tags:
        tagged = dataclasses.replace(manuscript, tags=(rules.tags[0],))
        if _parts_taking(spec, tagged) == [chosen]:
            return {"tags": [rules.tags[0]]}, chosen, f"by its tag `{rules.tags[0]}`"
    return {"section": chosen.id}, chosen, "by its `section` key"


def _parts_taking(spec: AnthologySpec, manuscript: Manuscript) -> list[PartSpec]:
    return [part for part in spec.parts if part.select.matches(manuscript)]

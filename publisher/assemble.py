"""Assemble: select manuscripts into parts, order and number them, derive the back matter."""

from __future__ import annotations

from collections import defaultdict

from .base.diagnostics import BuildFailed, Diagnostic, error, warning
from .base.model import (
    Anthology,
    AnthologySpec,
    BackMatter,
    Contributor,
    FrontPiece,
    IndexEntry,
    Manuscript,
    OrderKey,
    Part,
    PartSpec,
    Review,
)
from .base.text import sort_key, suggestion, title_sort_key


def assemble(
    spec: AnthologySpec, reviews: tuple[Manuscript, ...], front: tuple[FrontPiece, ...]
) -> Anthology:
    """Raises BuildFailed listing every selection problem at once."""
    problems: list[Diagnostic] = []
    chosen = _choose_parts(spec, reviews, problems)
    front_pieces = _front_in_order(spec, front, problems)
    if problems:
        raise BuildFailed(problems)
    parts: list[Part] = []
    number = 0
    for part_number, part_spec in enumerate(spec.parts, start=1):
        placed = []
        for manuscript in _ordered(part_spec, chosen[part_spec.id]):
            number += 1
            placed.append(Review(number, manuscript, part_spec.id))
        if placed:
            parts.append(
                Part(part_number, part_spec.id, part_spec.title, part_spec.intro, tuple(placed))
            )
    all_reviews = tuple(review for part in parts for review in part.reviews)
    if not all_reviews and not spec.stub:
        raise BuildFailed([_no_reviews(spec, reviews)])
    return Anthology(spec, front_pieces, tuple(parts), build_back_matter(spec, all_reviews))


def _no_reviews(spec: AnthologySpec, pool: tuple[Manuscript, ...]) -> Diagnostic:
    """A book without a single review is an accident (a moved or misnamed folder) unless the
    anthology says it is a stub."""
    folder = spec.reviews_dir.name
    why = (
        f"no part selects any of the {len(pool)} reviews in `{folder}`"
        if pool
        else f"the reviews folder `{folder}` holds no manuscript"
    )
    line, col = spec.reviews_at
    return error(
        spec.path, line, "no-reviews",
        f"the book would have no reviews: {why} (a book without reviews must say"
        " `stub = true`)", col,
    )  # fmt: skip


def stub_warning(spec: AnthologySpec) -> Diagnostic:
    """`no-reviews` as a warning: a book that says `stub = true` and holds no review yet."""
    line, col = spec.reviews_at
    folder = spec.reviews_dir.name
    message = f"the book has no reviews yet (`stub = true`; add manuscripts to `{folder}`)"
    return warning(spec.path, line, "no-reviews", message, col)


def _choose_parts(
    spec: AnthologySpec, reviews: tuple[Manuscript, ...], problems: list[Diagnostic]
) -> dict[str, list[Manuscript]]:
    part_ids = [part.id for part in spec.parts]
    chosen: dict[str, list[Manuscript]] = {part_id: [] for part_id in part_ids}
    for manuscript in reviews:
        if manuscript.section is not None:
            if manuscript.section not in chosen:
                problems.append(
                    error(
                        manuscript.path,
                        manuscript.section_line,
                        "unknown-section",
                        f"section `{manuscript.section}` is not a part of {spec.path}"
                        f"{suggestion(manuscript.section, part_ids)}",
                    )
                )
            else:
                chosen[manuscript.section].append(manuscript)
            continue
        matching = [part for part in spec.parts if part.select.matches(manuscript)]
        if len(matching) > 1:
            names = ", ".join(f"`{part.id}`" for part in matching)
            problems.append(
                error(
                    manuscript.path,
                    1,
                    "selected-twice",
                    f"selected by several parts ({names}); set `section` or narrow the rules",
                )
            )
        elif matching:
            chosen[matching[0].id].append(manuscript)
        elif spec.include_all:
            problems.append(
                error(
                    manuscript.path,
                    1,
                    "unselected",
                    f"no part of {spec.path} selects this review"
                    f" (tags: {', '.join(manuscript.tags) or 'none'})",
                )
            )
    return chosen


def _ordered(part: PartSpec, manuscripts: list[Manuscript]) -> list[Manuscript]:
    if part.order is OrderKey.EXPLICIT:
        rank = {slug: index for index, slug in enumerate(part.select.slugs)}
        return sorted(manuscripts, key=lambda m: (rank.get(m.slug, len(rank)), m.slug))
    if part.order is OrderKey.FILM_TITLE:
        return sorted(manuscripts, key=lambda m: (sort_key(m.film.title), m.slug))
    return sorted(manuscripts, key=lambda m: (m.film.year, sort_key(m.film.title), m.slug))


def empty_parts(spec: AnthologySpec, placed: set[str]) -> tuple[Diagnostic, ...]:
    """`part-empty`: a warning at each `[[parts]]` table that selects none of the reviews (the
    part is left out of the book: no part title page, no contents entry)."""
    return tuple(
        warning(
            spec.path,
            part.line,
            "part-empty",
            f"part `{part.id}` ({part.title}) selects none of the reviews: it is left out of"
            " the book (check its `select` rules and the reviews' tags and years)",
        )
        for part in spec.parts
        if part.id not in placed
    )


def _front_in_order(
    spec: AnthologySpec, front: tuple[FrontPiece, ...], problems: list[Diagnostic]
) -> tuple[FrontPiece, ...]:
    by_slug = {piece.slug: piece for piece in front}
    ordered = []
    for index, slug in enumerate(spec.front):
        if slug in by_slug:
            ordered.append(by_slug[slug])
        else:
            line, col = spec.front_at[index] if index < len(spec.front_at) else (1, 0)
            problems.append(
                error(
                    spec.path,
                    line,
                    "front-missing",
                    f"front matter piece `{slug}` not found in front/{_closest(slug, by_slug)}",
                    col,
                )
            )
    return tuple(ordered)


def _closest(slug: str, pieces: dict[str, FrontPiece]) -> str:
    """The closest piece that exists, else the list of those that do."""
    if not pieces:
        return " (the folder has no pieces)"
    return suggestion(slug, list(pieces)) or f" (it has: {', '.join(sorted(pieces))})"


def build_back_matter(spec: AnthologySpec, reviews: tuple[Review, ...]) -> BackMatter:
    films: dict[str, list[Review]] = defaultdict(list)
    directors: dict[str, list[Review]] = defaultdict(list)
    critics: dict[str, list[Review]] = defaultdict(list)
    for review in reviews:
        film = review.manuscript.film
        films[film.title].append(review)
        if film.original_title and film.original_title != film.title:
            films[film.original_title].append(review)
        for director in film.directors:
            directors[director].append(review)
        for critic in (review.critic,) if review.critic else spec.editors:
            critics[critic].append(review)
    return BackMatter(
        film_index=_index(films, title_sort_key),
        director_index=_index(directors, _surname_key),
        filmography=tuple(
            sorted(
                reviews, key=lambda r: (r.manuscript.film.year, sort_key(r.manuscript.film.title))
            )
        ),
        contributors=tuple(
            Contributor(name, tuple(items))
            for name, items in sorted(critics.items(), key=lambda kv: _surname_key(kv[0]))
        ),
    )


def _index(groups: dict[str, list[Review]], key: object) -> tuple[IndexEntry, ...]:
    assert callable(key)
    entries = [IndexEntry(heading, key(heading), tuple(items)) for heading, items in groups.items()]
    return tuple(sorted(entries, key=lambda e: (e.sort_key, e.heading)))


COMPOUND_FIRST = {"josé", "juan", "miguel", "maría", "luis", "josep", "ana"}
COMPOUND_SECOND = {"luis", "maría", "ángel", "antonio", "mari", "carlos", "manuel", "josé", "pablo"}


def _surname_key(name: str) -> str:
    """Spanish names sort by the first surname: `Luis García Berlanga` → `garcia berlanga luis`."""
    words = name.split()
    if len(words) < 2:
        return sort_key(name)
    compound = (
        len(words) >= 3
        and words[0].lower() in COMPOUND_FIRST
        and words[1].lower() in COMPOUND_SECOND
    )
    given_count = 2 if compound else 1
    return sort_key(" ".join(words[given_count:] + words[:given_count]))

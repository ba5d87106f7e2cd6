"""Assemble: select manuscripts into parts, order and number them, derive the back matter."""

from __future__ import annotations

from collections import defaultdict

from .base.collation import Collator, index_heading
from .base.diagnostics import BuildFailed, Diagnostic, error, warning
from .base.model import (
    Anthology,
    AnthologySpec,
    BackMatter,
    Contributor,
    FilmEntry,
    FrontPiece,
    IndexEntry,
    Manuscript,
    OrderKey,
    Part,
    PartSpec,
    Review,
)
from .base.names import FiledName, file_name
from .base.project import shown
from .base.text import suggestion


def assemble(
    spec: AnthologySpec, reviews: tuple[Manuscript, ...], front: tuple[FrontPiece, ...]
) -> Anthology:
    """Raises BuildFailed listing every selection problem at once."""
    problems: list[Diagnostic] = []
    chosen = _choose_parts(spec, reviews, problems)
    problems += _slugs_missing(spec, reviews)
    front_pieces = _front_in_order(spec, front, problems)
    if problems:
        raise BuildFailed(problems)
    parts: list[Part] = []
    number = 0
    for part_number, part_spec in enumerate(spec.parts, start=1):
        placed = []
        for manuscript in _ordered(part_spec, chosen[part_spec.id], spec.lang):
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
    folder = shown(spec.reviews_dir, spec.root)
    why = (
        f"no part selects any of the {len(pool)} reviews in `{folder}`"
        if pool
        else f"the reviews folder `{folder}` holds no manuscript"
    )
    line, col = spec.reviews_at
    return error(
        spec.path, line, "no-reviews",
        f"the book would have no reviews: {why} (a book without reviews must say"
        " `stub = true`)", col, (folder,),
    )  # fmt: skip


def stub_warning(spec: AnthologySpec) -> Diagnostic:
    """`no-reviews` as a warning: a book that says `stub = true` and holds no review yet."""
    line, col = spec.reviews_at
    folder = shown(spec.reviews_dir, spec.root)
    message = f"the book has no reviews yet (`stub = true`; add manuscripts to `{folder}`)"
    return warning(spec.path, line, "no-reviews", message, col, (folder,))


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
                        f"section `{manuscript.section}` is not a part of `{spec.path}`"
                        f"{suggestion(manuscript.section, part_ids)}",
                        names=(spec.path,),
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
                    f"no part of `{spec.path}` selects this review"
                    f" (tags: {', '.join(manuscript.tags) or 'none'})",
                    names=(spec.path,),
                )
            )
    return chosen


def _slugs_missing(spec: AnthologySpec, reviews: tuple[Manuscript, ...]) -> tuple[Diagnostic, ...]:
    """`select-slug-missing`: an error at each `select.slugs` entry naming no review of the
    pool, with the closest slug, as `front` entries naming no piece are (`front-missing`): a
    typo would leave the review out of the book, or the part empty, without a word."""
    pool = [manuscript.slug for manuscript in reviews]
    folder = shown(spec.reviews_dir, spec.root)
    found = []
    for part in spec.parts:
        places = part.select.slugs_at or ((part.line, 0),) * len(part.select.slugs)
        for slug, (line, col) in zip(part.select.slugs, places, strict=True):
            if slug not in pool:
                message = (
                    f"part `{part.id}` selects `{slug}`, which is no review in"
                    f" `{folder}`{suggestion(slug, pool)}"
                )
                found.append(error(spec.path, line, "select-slug-missing", message, col, (folder,)))
    return tuple(found)


def _ordered(part: PartSpec, manuscripts: list[Manuscript], lang: str) -> list[Manuscript]:
    """A part's reviews in its `order`; titles in the book's language's index order."""
    collator = Collator.for_tag(lang)

    def title(m: Manuscript) -> tuple[bytes, bytes]:
        return collator.title_key(m.film.title, m.lang, m.film.sort_as)

    if part.order is OrderKey.EXPLICIT:
        rank = {slug: index for index, slug in enumerate(part.select.slugs)}
        return sorted(manuscripts, key=lambda m: (rank.get(m.slug, len(rank)), m.slug))
    if part.order is OrderKey.FILM_TITLE:
        return sorted(manuscripts, key=lambda m: (title(m), m.slug))
    return sorted(manuscripts, key=lambda m: (m.film.year, title(m), m.slug))


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
            folder = shown(spec.reviews_dir.parent / "front", spec.root)  # as pipeline reads
            problems.append(
                error(
                    spec.path,
                    line,
                    "front-missing",
                    f"front matter piece `{slug}` not found in `{folder}`{_closest(slug, by_slug)}",
                    col,
                    (folder,),
                )
            )
    return tuple(ordered)


def _closest(slug: str, pieces: dict[str, FrontPiece]) -> str:
    """The closest piece that exists, else the list of those that do."""
    if not pieces:
        return " (the folder has no pieces)"
    return suggestion(slug, list(pieces)) or f" (it has: {', '.join(sorted(pieces))})"


def build_back_matter(spec: AnthologySpec, reviews: tuple[Review, ...]) -> BackMatter:
    """The indexes, filmography and contributors, in the book's language's order
    (`base/collation.py`): titles filed without their article in the review's language,
    people under their filed form (`base/names.py`; `[file_as]` and `film.file_as` win)."""
    collator = Collator.for_tag(spec.lang)
    filed = _people_filed(spec, reviews)
    films: dict[str, list[Review]] = defaultdict(list)
    title_keys: dict[str, tuple[bytes, ...]] = {}
    title_headings: dict[str, str] = {}
    directors: dict[str, list[Review]] = defaultdict(list)
    critics: dict[str, list[Review]] = defaultdict(list)
    for review in reviews:
        film, lang = review.manuscript.film, review.manuscript.lang
        titles = [(film.title, film.sort_as)]
        if film.original_title and film.original_title != film.title:
            titles.append((film.original_title, None))
        for title, sort_as in titles:
            films[title].append(review)
            title_keys.setdefault(title, collator.title_key(title, lang, sort_as))
            title_headings.setdefault(title, index_heading(title, lang))
        for director in film.directors:
            directors[director].append(review)
        for critic in (review.critic,) if review.critic else spec.editors:
            critics[critic].append(review)
    film_index = [
        IndexEntry(title_headings[title], title_keys[title], tuple(items))
        for title, items in films.items()
    ]
    director_index = [
        IndexEntry(filed[name].heading, _name_key(collator, filed[name]), tuple(items))
        for name, items in directors.items()
    ]
    contributors = sorted(critics.items(), key=lambda kv: _name_key(collator, filed[kv[0]]))
    return BackMatter(
        film_index=tuple(sorted(film_index, key=lambda e: e.sort_key)),
        director_index=tuple(sorted(director_index, key=lambda e: e.sort_key)),
        filmography=_filmography(collator, reviews),
        contributors=tuple(
            Contributor(name, tuple(items), filed[name].heading) for name, items in contributors
        ),
    )


def _people_filed(spec: AnthologySpec, reviews: tuple[Review, ...]) -> dict[str, FiledName]:
    """Every director and critic under their filed form: a review's `film.file_as` first,
    then the anthology's `[file_as]`, else the default rule of `base/names.py`."""
    overrides = dict(spec.file_as)
    for review in reviews:
        overrides.update(review.manuscript.film.file_as)
    people = set(spec.editors)
    for review in reviews:
        people.update(review.manuscript.film.directors)
        if review.critic:
            people.add(review.critic)
    return {name: file_name(name, overrides.get(name)) for name in people}


def _name_key(collator: Collator, name: FiledName) -> tuple[bytes, ...]:
    """Surname first, then the rest, then the name as written: word by word, so `Bemberg,
    María` files before `Bemberg Pérez, Ana`, as ALA filing rules ask ("nothing before
    something")."""
    return collator.key(name.surname), collator.key(name.rest), collator.key(name.written)


def _filmography(collator: Collator, reviews: tuple[Review, ...]) -> tuple[FilmEntry, ...]:
    """One entry per film (same title, year and directors), by year, then title."""
    grouped: dict[tuple[str, int, tuple[str, ...]], list[Review]] = defaultdict(list)
    for review in reviews:
        film = review.manuscript.film
        grouped[(film.title, film.year, film.directors)].append(review)
    entries = [FilmEntry(items[0].manuscript.film, tuple(items)) for items in grouped.values()]

    def order(entry: FilmEntry) -> tuple[int, tuple[bytes, bytes]]:
        film, lang = entry.film, entry.reviews[0].manuscript.lang
        return film.year, collator.title_key(film.title, lang, film.sort_as)

    return tuple(sorted(entries, key=order))

"""Links between the book's documents as data: every body heading's id, where every link lands.

`link_table()` runs once, at `check`, on the assembled anthology (pipeline.load). It gives each
body heading a stable id and classifies every link target found in every manuscript body:

- an external URL (`http:`, `https:`, `mailto:`): kept as written, not in the table;
- another scheme (`javascript:`…): left to markup.py's rule, which drops the href;
- `#slug` of a document of the book: that document's start;
- `#id` of a body heading anywhere in the book (`#la-vaquilla-rodaje`): that heading;
- `#heading` of the same document, or of exactly one other document: that heading;
- `slug.md`, `./slug.md`, `../front/prologo.md`, each with or without `#heading`: that document;
- anything else is an error `link-unresolved` with the link's `path:line:col`: root-relative
  (`/page`) and relative paths that name no manuscript would be dead links (EPUBCheck RSC-007,
  RSC-026) in the EPUB and nothing at all in the PDF;
- a review of the pool that this book leaves out: a warning `link-outside-book`, and the link
  is dropped with its text kept (see `_outside`).

`plan()` turns one document's share of the table into the hrefs of one edition: EPUB
`other.xhtml#id` (documents are files side by side, as `render._Renderer.href`), the one-file
editions (HTML, PDF) `#id`. This module imports no Markdown and no renderer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from .diagnostics import Diagnostic, Severity, error, warning
from .model import Anthology, Destination, FrontPiece, LinkTable, LinkUse, Manuscript, Outline
from .text import slugify

SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
# Ids the templates and render/markup.py give (render/renderer.py, styles/base/templates): a
# heading must not take one of them in the one-file editions, where every id shares one page.
FIXED_IDS = frozenset(
    {"half-title", "title-page", "copyright", "contents", "filmography", "film-index",
     "director-index", "contributors", "colophon", "toc", "landmarks", "print-pages"}
)  # fmt: skip
GENERATED_ID = re.compile(r"-note(?:ref)?-[0-9-]+$|-heading$|^page-[0-9]+$")
STASHED = re.compile("\x02[^\x03]*\x03")


@dataclass(frozen=True)
class LinkPlan:
    """One document's links in one edition: what markup.py needs, nothing more.

    `heading_ids`: ids for the body headings in document order. `hrefs`: href as parsed →
    href to write, or None to drop the link and keep its text. Hrefs not listed stay as written.
    """

    heading_ids: tuple[str, ...] = ()
    hrefs: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True)
class _Doc:
    id: str
    path: Path  # as shown in messages, relative to the project root
    outline: Outline
    in_book: bool
    manuscript: bool = True  # False: a part introduction, in the anthology file


def heading_key(text: str) -> str:
    """The slug a reader writes after `#` for a heading: `## El rodaje` → `el-rodaje`."""
    return slugify(STASHED.sub("", text))


def link_table(
    anthology: Anthology,
    pool: tuple[Manuscript | FrontPiece, ...],
    intros: tuple[tuple[str, Outline], ...] = (),
) -> tuple[LinkTable, tuple[Diagnostic, ...]]:
    """Heading ids and link destinations for `anthology`; `pool` is every manuscript loaded;
    `intros`: (part document id, outline) of each part introduction in the anthology file.

    Returns the table and the diagnostics (errors `link-unresolved`, warnings
    `link-outside-book`), each at the link's `path:line:col`.
    """
    docs = _documents(anthology, pool)
    for doc_id, outline in intros:
        docs[doc_id] = _Doc(doc_id, Path(anthology.spec.path), outline, True, manuscript=False)
    heading_ids = _heading_ids([doc for doc in docs.values() if doc.in_book], set(docs))
    resolver = _Resolver(anthology.spec.root, docs, heading_ids)
    destinations: dict[tuple[str, str], Destination | None] = {}
    found: list[Diagnostic] = []
    for doc in docs.values():
        if not doc.in_book:
            continue
        for use in doc.outline.links:
            if SCHEME.match(use.href):
                continue
            result = resolver.resolve(doc, use)
            if isinstance(result, Diagnostic):
                found.append(result)
                if result.severity is Severity.WARNING:
                    destinations[(doc.id, use.href)] = None
            else:
                destinations[(doc.id, use.href)] = result
    table = LinkTable({doc: ids for doc, (ids, _) in heading_ids.items()}, destinations)
    return table, tuple(found)


def plan(table: LinkTable, document: str, epub: bool) -> LinkPlan:
    """`document`'s headings ids and hrefs for the EPUB (`epub`) or a one-file edition."""
    hrefs = tuple(
        (href, None if destination is None else _href(destination, document, epub))
        for (doc, href), destination in sorted(table.destinations.items(), key=_by_key)
        if doc == document
    )
    return LinkPlan(table.heading_ids.get(document, ()), hrefs)


def _by_key(item: tuple[tuple[str, str], Destination | None]) -> tuple[str, str]:
    return item[0]


def _href(destination: Destination, here: str, epub: bool) -> str:
    if not epub:
        return f"#{destination.fragment or destination.document}"
    if destination.document == here and destination.fragment:
        return f"#{destination.fragment}"
    fragment = f"#{destination.fragment}" if destination.fragment else ""
    return f"{destination.document}.xhtml{fragment}"


def _documents(anthology: Anthology, pool: tuple[Manuscript | FrontPiece, ...]) -> dict[str, _Doc]:
    """Every document a link may name, in book order first: front pieces, then reviews."""
    docs: dict[str, _Doc] = {}
    for piece in anthology.front:
        docs[piece.slug] = _Doc(piece.slug, piece.path, piece.outline, True)
    for review in anthology.reviews:
        manuscript = review.manuscript
        docs[manuscript.slug] = _Doc(manuscript.slug, manuscript.path, manuscript.outline, True)
    for loaded in pool:
        docs.setdefault(loaded.slug, _Doc(loaded.slug, loaded.path, loaded.outline, False))
    return docs


def _heading_ids(
    docs: list[_Doc], taken: set[str]
) -> dict[str, tuple[tuple[str, ...], dict[str, str]]]:
    """Per document: its heading ids in order, and heading key → first id with that key.

    An id is the document's slug + the heading's slug (`la-vaquilla-rodaje`), as footnote ids
    are prefixed in markup.py; a repeat within the book gets `-2`, `-3`…
    """
    used = set(taken) | FIXED_IDS | {f"{doc.id}-heading" for doc in docs}
    result: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {}
    for doc in docs:
        ids: list[str] = []
        keys: dict[str, str] = {}
        for text in doc.outline.headings:
            key = heading_key(text)
            base = f"{doc.id}-{key}"
            candidate, number = base, 2
            while candidate in used or GENERATED_ID.search(candidate):
                candidate, number = f"{base}-{number}", number + 1
            used.add(candidate)
            ids.append(candidate)
            keys.setdefault(key, candidate)
        result[doc.id] = (tuple(ids), keys)
    return result


class _Resolver:
    def __init__(
        self,
        root: Path,
        docs: Mapping[str, _Doc],
        headings: Mapping[str, tuple[tuple[str, ...], dict[str, str]]],
    ) -> None:
        self.root = root.resolve()
        self.docs = docs
        self.headings = headings
        self.by_path = {(root / doc.path).resolve(): doc for doc in docs.values() if doc.manuscript}
        self.owner = {id_: docs[doc] for doc, (ids, _) in headings.items() for id_ in ids}

    def resolve(self, doc: _Doc, use: LinkUse) -> Destination | Diagnostic:
        href = use.href
        path, _, fragment = href.partition("#")
        if not path:
            return self._fragment(doc, use, fragment)
        if path.startswith("/"):
            return self._error(
                doc, use,
                f"link `{href}` is root-relative, and a book has no site root: link a review as"
                " `slug.md` or `#slug`, or a web page with its full `https://` address",
            )  # fmt: skip
        target = (self.root / doc.path).parent / unquote(path)
        other = self.by_path.get(target.resolve()) if "?" not in path else None
        if other is None:
            close = self.docs.get(slugify(Path(path).stem)) if "/" not in path else None
            hint = (
                f" (did you mean `{close.path.name}`?)"
                if close is not None and close.in_book
                else ": link a review as `slug.md` or `#slug`, or a web page with its full"
                " `https://` address"
            )
            return self._error(doc, use, f"link `{href}` names no manuscript of this book{hint}")
        if not other.in_book:
            return self._outside(doc, use, other)
        if not fragment or fragment == other.id:
            return Destination(other.id, None)
        ids, keys = self.headings[other.id]
        landing = keys.get(fragment) or (fragment if fragment in ids else None)
        if landing is None:
            return self._error(doc, use, f"link `{href}`: {other.path.name} has no heading"
                               f" `{fragment}`{_headings_hint(keys)}")  # fmt: skip
        return Destination(other.id, landing)

    def _fragment(self, doc: _Doc, use: LinkUse, fragment: str) -> Destination | Diagnostic:
        other = self.docs.get(fragment)
        if other is not None:
            return Destination(other.id, None) if other.in_book else self._outside(doc, use, other)
        if fragment in self.owner:
            return Destination(self.owner[fragment].id, fragment)
        own = self.headings[doc.id][1].get(fragment)
        if own is not None:
            return Destination(doc.id, own)
        owners = [
            (self.docs[doc_id], keys[fragment])
            for doc_id, (_, keys) in self.headings.items()
            if fragment in keys
        ]
        if len(owners) == 1:
            return Destination(owners[0][0].id, owners[0][1])
        if owners:
            names = " and ".join(owner.path.name for owner, _ in owners)
            return self._error(
                doc, use,
                f"link `{use.href}` is ambiguous: {names} both have a heading `{fragment}`;"
                f" write `{owners[0][0].path.name}#{fragment}`",
            )  # fmt: skip
        return self._error(
            doc, use,
            f"link `{use.href}` goes nowhere: no review or heading of this book is called"
            f" `{fragment}`{_headings_hint(self.headings[doc.id][1])}",
        )  # fmt: skip

    def _outside(self, doc: _Doc, use: LinkUse, other: _Doc) -> Diagnostic:
        """A warning, not an error: the pool is shared by several books (a smaller book drawn
        from it is the README's own example), and the manuscript is right in the book that
        includes the other review. The editor is told where; the text is kept, unlinked, and
        `--strict` (the CI setting) stops the book until the sentence is rewritten."""
        return warning(
            doc.path, use.line, "link-outside-book",
            f"link `{use.href}` names {other.path.name}, which this book does not include:"
            " the link is left out and its text kept",
            use.col,
        )  # fmt: skip

    def _error(self, doc: _Doc, use: LinkUse, message: str) -> Diagnostic:
        return error(doc.path, use.line, "link-unresolved", message, use.col)


def _headings_hint(keys: Mapping[str, str]) -> str:
    if not keys:
        return ""
    shown = ", ".join(f"`#{key}`" for key in list(keys)[:5])
    return f" (its headings: {shown})"

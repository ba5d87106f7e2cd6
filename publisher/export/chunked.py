"""A PDF laid out in chunks, in parallel, each kept in the build cache (issue 17).

Every part and review opens on a recto (paged.css: `break-before: right`), so the book splits
into chunks that each open on one (export/pieces.py cuts the page): the front matter, groups
of about √n parts and reviews, the back matter (a long index or list of contributors in parts
of bounded size, planned as each part's layout says where the next opens: export/parts.py).
What one chunk's layout needs from the others, and how it gets it:

- its first folio: the pages of the chunks before it. A chunk laid out before that is known is
  held by its worker, and only its margin boxes (folios, running heads) are made again once it
  is (`pdf.finish_chunk`): WeasyPrint makes them after paginating, from the page counter.
- the running heads' named strings carried in from earlier chunks (`string-set`; the book title
  is set on the half-title only): given as seeds, also at finishing.
- cross-references: `target-counter()` of an anchor in another chunk (contents, indexes) prints
  its page number once known; links to another chunk are kept and resolved by the merge's named
  destinations (Kozea/WeasyPrint#1060, #1180, #1271, #1662: counters, cross-references and
  links across split documents). The front matter is laid out again once every page number is
  known, and whatever used a number that moved is laid out again, until nothing moves (long
  contents, a chunk of their own in parts, likewise: each part after the one before it, whose
  cut moves with the numbers it prints).
- a blank verso before the next chunk: each chunk but the last ends with an empty element that
  breaks to a recto, whose page is dropped, so the blank page is WeasyPrint's own.

A chunk whose layout cannot be the whole book's (pdf.py's checks: `ChunkUnsafe`), and a
stylesheet using what this does not carry across chunks (UNCHUNKABLE), lay the book out whole.
The chunking depends only on the book, never on the worker count, so the bytes do not either.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ..base.access import Access
from ..base.gate import note
from ..base.rendered import Exported, RenderedBook, Target
from .chunk_cost import forking
from .chunkdata import ChunkJob, ChunkPdf, ChunkUnsafe, Shape
from .chunkstore import ChunkStore, book_prefixed, chunk_key, merge_cache
from .heap import give_back_memory
from .parts import next_part, rest_job, whole_job
from .pieces import BACK_RECTO, BODY, UNCHUNKABLE, Piece, jobs_for, split
from .pool import Answer, Finish, Layout, Pool, Task
from .pool import _may_fork as may_fork
from .screen import Cover, Kept, cover_of, keep, moment, pagination_of, screen_pdf

# Re-exported: the planner's names, wherever they live.
__all__ = ["BACK_RECTO", "BODY", "MAX_LAYOUTS", "UNCHUNKABLE", "Piece", "Tell", "export_chunked",
           "jobs_for", "lay_out", "print_pdf", "split"]  # fmt: skip
MAX_LAYOUTS = 4  # of one chunk in one build, before giving up on chunks

Tell = Callable[[str, bool], None]  # (chunk name, laid out: True / reused from the cache: False)


_Now = tuple[dict[str, int], dict[str, int], dict[str, dict[str, str]]]  # starts, numbers, seeds


@dataclass
class _Settling:
    """The chunks' state while they are laid out; `tasks()` says what to do next."""

    pieces: list[Piece]
    jobs: dict[str, ChunkJob]
    tell: Tell | None
    forks: int = 0  # workers that may fork a screen write when idle (0: none may)
    cover: Cover | None = None  # the screen PDF's cover, laid out on the same pool
    shapes: dict[str, Shape] = field(default_factory=dict)
    pdfs: dict[str, ChunkPdf] = field(default_factory=dict)
    held: dict[str, int] = field(default_factory=dict)  # name → the start it was laid out at
    flying: set[str] = field(default_factory=set)
    layouts: Counter[str] = field(default_factory=Counter)
    spill: Callable[[str, ChunkPdf], ChunkPdf] | None = None  # ChunkStore.spill (None: held)
    stored: Callable[[ChunkJob], ChunkPdf | None] | None = None  # ChunkStore.get
    reused: set[str] = field(default_factory=set)  # names of the chunks taken from the store
    numbered: bool = False  # every chunk's pages were known once (`front`: no more measures)

    def starts(self) -> dict[str, int]:
        starts: dict[str, int] = {}
        page = 1
        for piece in self.pieces:
            starts[piece.name] = page
            if piece.name not in self.shapes:
                break
            page += self.shapes[piece.name].pages
        return starts

    def carried(self) -> dict[str, dict[str, str]]:
        carried: dict[str, dict[str, str]] = {}
        strings: dict[str, str] = {}
        for piece in self.pieces:
            carried[piece.name] = dict(strings)
            if piece.name not in self.shapes:
                break
            strings.update(self.shapes[piece.name].strings)
        return carried

    def numbers(self) -> dict[str, int]:
        numbers: dict[str, int] = {}
        starts = self.starts()
        for piece in self.pieces:
            if piece.name in self.shapes and piece.name in starts:
                for anchor, index in self.shapes[piece.name].anchors:
                    numbers.setdefault(anchor, starts[piece.name] + index)
        return numbers

    def valid(self, name: str, now: _Now | None = None) -> bool:
        """The chunk's PDF is finished for the page numbers and strings known `now`."""
        starts, numbers, carried = now or (self.starts(), self.numbers(), self.carried())
        chunk = self.pdfs.get(name)
        if chunk is None or chunk.start != starts.get(name):
            return False
        seeds = carried.get(name)
        if seeds is None or any(seeds.get(key) != value for key, value in chunk.seeds_used):
            return False
        return all(numbers.get(anchor) == number for anchor, number in chunk.shape.used)

    def job(self, piece: Piece, start: int, seeds: dict[str, str]) -> ChunkJob:
        numbers = self.numbers()
        outside = self.jobs[piece.name].externals
        return replace(
            self.jobs[piece.name],
            start=start,
            seeds=tuple(sorted(seeds.items())),
            externals=tuple((anchor, numbers.get(anchor, 0)) for anchor, _ in outside),
        )

    def tasks(self) -> list[Task]:
        everything = all(piece.name in self.shapes for piece in self.pieces)
        known = all(p.name in self.shapes for p in self.pieces if p.kind != "back")
        starts, carried = self.starts(), self.carried()
        now = (starts, self.numbers(), carried)
        found: list[Task] = []
        self.numbered = self.numbered or everything
        for index, piece in enumerate(self.pieces):
            name = piece.name
            if name in self.flying or self.valid(name, now):
                continue
            start, seeds = starts.get(name), carried.get(name)
            task: Task | None = None
            if piece.kind == "front" and self.jobs[name].externals:
                task = self.front(index, now, everything)
            elif piece.kind == "back" and not known:
                continue  # its text prints page numbers of the chunks before it
            elif self.jobs[name].part is not None and None in (start, seeds):
                continue  # a part is never held (its plan may change): laid out when it can be
            elif name in self.held and start is not None and seeds is not None:
                if self.shapes[name].local_targets and start != self.held[name]:
                    raise ChunkUnsafe(f"{name}: its text prints its own page numbers")
                task = Finish(name, start, tuple(sorted(seeds.items())))
            elif start is not None and seeds is not None and name not in self.held:
                task = Layout(self.job(piece, start, seeds), hold=False)
            elif name not in self.shapes:
                task = Layout(self.job(piece, start or 1, seeds or {}), hold=True)
            if task is not None:
                if isinstance(task, Layout):
                    self.layouts[name] += 1
                    if self.layouts[name] > MAX_LAYOUTS:
                        raise ChunkUnsafe(f"{name}: its page numbers did not settle")
                    if task.hold:
                        self.held[name] = task.job.start
                self.flying.add(name)
                found.append(task)
        return forking(found, self.forks - len(self.flying))

    def front(self, index: int, now: _Now, everything: bool) -> Layout | None:
        """The layout due of a front chunk whose text prints other chunks' page numbers (the
        contents, or one of its parts): measured first (not written) while they are not known,
        laid out and written once every chunk's pages are, from its first page (the front's
        chunks run on from each other), and again until the numbers settle. A continuation
        part is laid out after a written layout of the part before it: its markup follows that
        part's cut, which moves with the numbers that part prints (extend plans it again)."""
        piece = self.pieces[index]
        name = piece.name
        start, seeds = now[0].get(name), now[2].get(name)
        if name not in self.shapes and not self.numbered:
            return Layout(self.job(piece, start or 1, seeds or {}), hold=False, measure=True)
        if start is None or seeds is None:
            return None
        if name in self.shapes and self.shapes[name].used and not everything:
            return None
        before = self.pieces[index - 1].name
        part = self.jobs[name].part
        if part is not None and part.first and (before not in self.pdfs or before in self.flying):
            return None  # after the part before it is written: its cut may move
        return Layout(self.job(piece, start, seeds), hold=False)

    def then(self, task: Task, answer: Answer) -> list[Task]:
        if isinstance(task, Layout) and task.job.cover and self.cover is not None:
            return self.cover.laid_out(answer)
        name = task.name if isinstance(task, Finish) else task.job.name
        self.flying.discard(name)
        if name not in self.jobs or (
            isinstance(task, Layout) and task.job.part != self.jobs[name].part
        ):
            return self.tasks()  # a part no longer planned (parts.py)
        if isinstance(answer, Shape):
            self.shapes[name] = answer
        else:
            self.shapes[name] = answer.shape
            self.pdfs[name] = answer if self.spill is None else self.spill(name, answer)
            self.held.pop(name, None)
        if self.tell is not None and isinstance(task, Layout):
            self.tell(name, True)
        self.extend(name)
        return self.tasks()

    def extend(self, name: str) -> None:
        """Plan the part that follows chunk `name`'s, a part of a long document (parts.py),
        once its layout says where it is cut (dropping the parts planned after an earlier
        cut); when no page of it opens at an entry, lay the document out whole instead (the
        first part), or the rest of it (a continuation)."""
        index = next(i for i, piece in enumerate(self.pieces) if piece.name == name)
        long, job = self.pieces[index].long, self.jobs[name]
        if long is None or job.part is None or job.part.last:
            return
        stale = list(itertools.takewhile(lambda p: "." in p.name, self.pieces[index + 1 :]))
        if self.shapes[name].cut == 0:  # no page opens at an entry: not cut
            first = job.part.first == 0
            self.jobs[name] = whole_job(job, long) if first else rest_job(job, long)
            for mapping in (self.shapes, self.pdfs, self.held):
                mapping.pop(name, None)
            following = None
        else:
            following = next_part(job, self.shapes[name], long)
            if stale[:1] and stale[0].name == following.name:
                return
        for piece in stale:
            del self.jobs[piece.name]
            for mapping in (self.shapes, self.pdfs, self.held):
                mapping.pop(piece.name, None)
        del self.pieces[index + 1 : index + 1 + len(stale)]
        if following is None:
            return
        self.pieces.insert(
            index + 1,
            Piece(following.name, self.pieces[index].kind, "", frozenset(), frozenset(), long),
        )
        self.jobs[following.name] = following
        found = self.stored(following) if self.stored is not None else None
        if found is not None:
            self.pdfs[following.name], self.shapes[following.name] = found, found.shape
            self.reused.add(following.name)
            self.extend(following.name)


def lay_out(
    book: RenderedBook, jobs: dict[str, ChunkJob], pieces: list[Piece], workers: int,
    store: ChunkStore | None, tell: Tell | None, cover: Cover | None = None,
    idle: Callable[[], None] | None = None,
) -> list[ChunkPdf]:  # fmt: skip
    """Every chunk finished, in book order, valid for the final page numbers; `cover` (the
    screen PDF's) laid out on the same pool; `idle()` run once meanwhile (pool.py) if a
    worker would wait (an edit: fewer layouts due than workers)."""
    forks = workers if workers > 1 and may_fork(workers) else 0
    state = _Settling(list(pieces), dict(jobs), tell, forks, cover=cover)

    def key(name: str) -> str:
        return book_prefixed(state.jobs[name].book_id, chunk_key(state.jobs[name]))

    if store is not None:
        state.spill = lambda name, chunk: store.spill(key(name), chunk)  # issue 17: peak RSS
        state.stored = lambda job: store.get(book_prefixed(job.book_id, chunk_key(job)))
    found = {p.name: store.get(key(p.name)) for p in pieces} if store is not None else {}
    state.pdfs.update((name, chunk) for name, chunk in found.items() if chunk is not None)
    state.shapes.update((name, chunk.shape) for name, chunk in state.pdfs.items())
    state.reused.update(state.pdfs)
    for name in list(state.pdfs):
        if name in state.pdfs:
            state.extend(name)
    reused = state.reused
    give_back_memory()  # before the workers are forked: they start with this process's pages
    covering = cover.tasks() if cover else []  # every worker busy: no `idle` work
    idle = idle if len(pieces) - len(reused) + len(covering) < workers else None
    with Pool(workers, book.access or Access.for_spec(book.anthology.spec)) as pool:
        pool.run(state.tasks() + covering, state.then, idle)
    now = (state.starts(), state.numbers(), state.carried())
    pieces = state.pieces
    if any(not state.valid(piece.name, now) for piece in pieces):
        raise ChunkUnsafe("the chunks' page numbers did not settle")
    chunks = [state.pdfs[piece.name] for piece in pieces]
    keys = {piece.name: key(piece.name) for piece in pieces}
    for piece, chunk in zip(pieces, chunks, strict=True):
        note(chunk.shape.inputs)
        if store is not None:
            store.put(keys[piece.name], chunk)
        if tell is not None and piece.name in reused and state.layouts[piece.name] == 0:
            tell(piece.name, False)
    if store is not None:
        store.keep(set(keys.values()), jobs[pieces[0].name].book_id)
    return chunks


def export_chunked(
    book: RenderedBook, workers: int, store: ChunkStore | None = None, tell: Tell | None = None
) -> Exported:
    """The PDF of `book` (a paged target) laid out in chunks by `workers` processes, reusing
    and refreshing the chunks `store` keeps; the same bytes for any `workers`. Raises
    BuildFailed as export_pdf does. Falls back to one whole layout (export_pdf) when the book
    cannot be chunked. A screen PDF's cover is laid out apart and put in front
    (export/editions.py `screen_pdf`)."""
    from . import pdf

    try:
        pieces = split(book)
        jobs = jobs_for(book, pieces, pdf.w3c_source_date())
        kept = keep(book)
        cover = cover_of(kept, store, tell)
        chunks = lay_out(book, jobs, pieces, workers, store, tell, cover)
    except ChunkUnsafe:
        return pdf.export_pdf(book)
    if book.target is Target.SCREEN_PDF:
        return screen_pdf(book, chunks, pagination_of(chunks), store, kept, cover)
    return print_pdf(book, chunks, store, kept)


def print_pdf(
    book: RenderedBook, chunks: list[ChunkPdf], store: ChunkStore | None, kept: Kept
) -> Exported:
    """The print PDF merged from `chunks`, reusing what `store`'s merge cache keeps of them;
    `kept`: what was taken from the book before its page was let go (screen.py `keep`)."""
    from . import pdf
    from .merge import merge
    from .output_intent import pdfx_for_spec

    book_id = pdf.book_id(book)
    data = merge(chunks, book_id, moment(), cache=merge_cache(store, book_id))
    data = pdfx_for_spec(data, book.anthology.spec, book.anthology.spec.pdf_variant)
    give_back_memory()  # the merge's objects, freed: not carried into the next edition
    total = sum(chunk.shape.pages for chunk in chunks)
    return Exported(data, total, kept.diagnostics, pagination_of(chunks))

"""The chunks of one build's PDFs (issue 17), as the build tells and reports them.

A chunk may be laid out more than once in a build: the front matter is laid out first to learn
its length, then again once the page numbers its contents print are known (export/chunked.py);
a chunk reused from the cache is laid out again when a page number it prints moved. `-v` says
each chunk once, the first time it is laid out (or, at the end, that it was reused), naming the
editions it is for: one layout serves both PDFs (export/editions.py), so a chunk of it is
"of the print and screen PDFs"; the screen PDF's cover is its own chunk, `cover`. The JSON
report (report.py) gives, per PDF edition, how many of its chunks were laid out and how many
were reused from the cache.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .base.progress import Progress
from .base.rendered import Target

Tell = Callable[[str, bool], None]  # (chunk name, laid out: True / reused from the cache: False)


@dataclass(frozen=True)
class ChunkCount:
    """One PDF edition's chunks in one build: `laid_out` (laid out at least once, however many
    times) and `reused` (taken from the cache as they were), each chunk counted once."""

    laid_out: int
    reused: int


@dataclass
class ChunkTally:
    """What the chunk layouts of one build told: `say` hears one progress event per chunk and
    teller; `count(target)` gives an edition's ChunkCount."""

    say: Callable[[Progress], None]
    laid: dict[Target, set[str]] = field(default_factory=dict)
    reused: dict[Target, set[str]] = field(default_factory=dict)

    def teller(self, stage: str, editions: str, *targets: Target) -> Tell:
        """A `tell(chunk, laid_out)` for the chunks of `targets` (one layout may serve several
        editions), said as `laid out chunk body-003 of the <editions>` the first time it hears
        of a chunk, with the count of chunks said so far (stage `stage`, unit `chunks`)."""
        heard: list[str] = []

        def tell(name: str, laid_out: bool) -> None:
            for target in targets:
                (self.laid if laid_out else self.reused).setdefault(target, set()).add(name)
            if name in heard:
                return
            heard.append(name)
            verb = "laid out" if laid_out else "reused"
            what = f"{verb} chunk {name} of the {editions}"
            self.say(Progress(stage, what, len(heard), None, "chunks"))

        return tell

    def count(self, target: Target) -> ChunkCount | None:
        """`target`'s chunks, or None when none was heard of (not laid out in chunks in this
        build: up to date, laid out whole, or not a PDF). A chunk laid out after a reuse was
        looked at counts as laid out."""
        laid = self.laid.get(target, set())
        reused = self.reused.get(target, set()) - laid
        if not laid and not reused:
            return None
        return ChunkCount(len(laid), len(reused))

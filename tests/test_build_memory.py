"""What the build process lets go of as a cold build of every format goes on (issue 17: peak RSS
flat as the book grows), measured on a book of N and of 4N reviews: what is still held at each
moment must not grow with the book.

- The chunks' PDFs (print and screen writes) are in the chunk store's files, not in memory,
  while the pool lays the others out and while the print and the screen PDFs are merged
  (export/chunkstore.py `ChunkStore.spill`): at each merge, the bytes of every `ChunkPdf` alive
  are the screen PDF's cover alone, the same for N and 4N reviews.
- The chunk jobs hold the book's text once: the page's head (4 bytes a character: its
  stylesheet quotes an emoji) is one string shared by every job and the screen write's, the
  pieces keep no text (export/editions.py `_prepared`).
- The web edition and the EPUB are rendered and written one at a time: when the EPUB is made,
  no other rendered book with its page is alive (passes.py `paginated`).
- The screen PDF is written where it is merged (a process the zygote forks): its bytes never
  come back to the build process (export/editions.py `_aside`).

Held objects are counted by walking what the collector tracks (exact, unlike a peak, which also
holds what a moment needs of the book: its rendered page, the merged file's bytes).
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

from publisher.base.rendered import Exported, RenderedBook, Target
from publisher.export import editions, epub, merge
from publisher.export.chunkdata import ChunkJob, ChunkPdf
from publisher.pipeline import BuildRequest, Format, build
from tests.conftest import ONE_PART_TOML, review

EPOCH = "1700000000"
SCENES = (
    "En Raza los hermanos Churruca se separan en bandos distintos y la película lo cuenta como "
    "una lección de familia.",
    "La vaquilla se ríe de las dos trincheras a la vez, mientras todos persiguen una res flaca.",
    "El espinazo del diablo encierra la guerra en un orfanato, con una bomba sin estallar en el "
    "patio.",
    "Ay, Carmela sigue a dos cómicos que actúan para el bando que los ha capturado.",
)


def _project(root: Path, reviews: int) -> Path:
    manuscripts = root / "manuscripts"
    (manuscripts / "reviews").mkdir(parents=True)
    (manuscripts / "front").mkdir()
    anthology = manuscripts / "anthology.toml"
    anthology.write_text(ONE_PART_TOML, encoding="utf-8")
    for i in range(1, reviews + 1):
        body = "\n\n".join(f"{SCENES[(i + n) % len(SCENES)]} Escena {i}.{n}." for n in range(6))
        text = review(title=f"Reseña {i}", film=f"Película {i}", year=1940 + i, body=body)
        (manuscripts / "reviews" / f"resena-{i:03d}.md").write_text(text, encoding="utf-8")
    return anthology


MERGE, EXPORT_EPUB, SCREEN_EXPORTED = merge.merge, epub.export_epub, editions.screen_exported
LAY_OUT = editions.lay_out


def _alive(kind: type) -> list[Any]:
    gc.collect()
    return [thing for thing in gc.get_objects() if isinstance(thing, kind)]


def _held(root: Path, reviews: int, workers: int, patch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What a cold build of `reviews` reviews held at each moment watched."""
    seen: dict[str, Any] = {"merges": [], "books": [], "screen": [], "jobs": []}
    seen |= {"jobs at merge": [], "merged bytes": []}

    def watched_lay_out(book: RenderedBook, jobs: dict[str, Any], *args: Any) -> Any:
        heads = {id(job.head) for job in jobs.values()}
        heads |= {id(job.screen.head) for job in jobs.values()}
        whole = [job.name for job in jobs.values() if "</head>" in job.html]
        seen["jobs"].append((len(heads), whole, sum(len(piece.html) for piece in args[0])))
        return LAY_OUT(book, jobs, *args)

    def watched_merge(chunks: list[ChunkPdf], *args: Any, **kwargs: Any) -> bytes:
        # Not collected first: a job left in a cycle would still be there.
        jobs = [thing for thing in gc.get_objects() if isinstance(thing, ChunkJob)]
        seen["jobs at merge"].append(sorted(job.name for job in jobs))
        held = _alive(ChunkPdf)
        seen["merges"].append(sum(len(c.data) + len(c.screen) for c in held))
        merged = MERGE(chunks, *args, **kwargs)
        seen["merged bytes"].append(len(merged))  # written to its file as it is merged
        return merged

    def watched_epub(book: RenderedBook, *args: Any) -> Exported:
        others = [b for b in _alive(RenderedBook) if b.target is not Target.EPUB and b.page]
        seen["books"].append(sorted(b.target.value for b in others))
        return EXPORT_EPUB(book, *args)

    def watched_screen(data: bytes, *args: Any) -> Exported:
        seen["screen"].append(len(data))
        return SCREEN_EXPORTED(data, *args)

    patch.setattr(merge, "merge", watched_merge)
    patch.setattr(editions, "lay_out", watched_lay_out)
    patch.setattr(epub, "export_epub", watched_epub)
    patch.setattr(editions, "screen_exported", watched_screen)
    patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    anthology = _project(root, reviews)
    formats = frozenset({Format.HTML, Format.PDF, Format.EPUB})
    request = BuildRequest(anthology, formats, root / "dist", clean=True, workers=workers)
    result = build(request)
    assert not [d for d in result.diagnostics if d.severity.value == "error"]
    assert len([path for path in (root / "dist").iterdir() if path.stat().st_size]) == 4
    return seen


@pytest.mark.parametrize("workers", [1, 2])
def test_what_the_build_holds_does_not_grow_with_the_book(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    small = _held(tmp_path / "small", 3, workers, monkeypatch)
    large = _held(tmp_path / "large", 12, workers, monkeypatch)
    # One merge in this process (the print PDF's), with one worker or two: the screen PDF's
    # is run by a process the layout workers' zygote forks, not seen here.
    assert len(small["merges"]) == len(large["merges"]) == 1
    # Only the screen PDF's cover (the same for both books) is held in memory.
    assert large["merges"] == small["merges"], (small["merges"], large["merges"])
    assert small["books"] == large["books"] == [[]]  # the EPUB's book alone
    assert small["jobs"] == large["jobs"] == [(2, [], 0)]  # one print head, one screen head
    assert small["screen"] == large["screen"] == [0]  # written where it was merged
    # The print PDF is written to its file as it is merged (export/editions.py `print_merge`):
    # no merged bytes come back; and the layout's state, cyclic, was collected before the
    # merge: the only job alive is the screen PDF's cover's (its merge lays it out no more).
    assert small["merged bytes"] == large["merged bytes"] == [0]
    assert small["jobs at merge"] == large["jobs at merge"] == [["cover"]]

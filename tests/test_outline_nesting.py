"""The merged outline nests bookmarks as WeasyPrint does (export/merge_outline.py `nested`,
written without WeasyPrint so that the build process does not import it; issue 17)."""

from __future__ import annotations

import random

from publisher.export.chunkdata import Bookmark
from publisher.export.merge_outline import nested
from publisher.export.pdf.bookmarks import bookmark_tree


def _marks(levels: list[int], rng: random.Random) -> list[tuple[int, Bookmark]]:
    marks = []
    for index, level in enumerate(levels):
        x = rng.choice([0, 0.0, -0.0, 56.69, 12.5])
        mark = Bookmark(index // 3, level, f"Entrada {index}", x, 700.25 - index, index % 4 == 0)
        marks.append((index // 3 + rng.randrange(2), mark))
    return marks


def test_the_outline_nests_as_weasyprint_does() -> None:
    rng = random.Random(17)
    cases = [[1, 3, 2, 3], [2, 1, 3], [1, 4, 3, 4, 1, 6, 2], [3, 3, 1, 1]]
    cases += [[rng.randint(1, 6) for _ in range(rng.randint(0, 30))] for _ in range(400)]
    for levels in cases:
        marks = _marks(levels, rng)
        ours, weasyprints = nested(marks), bookmark_tree(marks)
        assert repr(ours) == repr(weasyprints), levels  # the numbers' types and signs too

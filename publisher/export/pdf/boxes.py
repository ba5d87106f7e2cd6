"""Walking WeasyPrint's laid-out box tree."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import weasyprint.formatting_structure.boxes


def every_box(box: Any) -> Iterator[Any]:
    """`box` and every box inside it, absolutely positioned ones too (`descendants()` stops at
    their placeholders; a placeholder hands attribute reads to its box)."""
    yield box
    for child in getattr(box, "children", ()):
        yield from every_box(child)


MarginBox = weasyprint.formatting_structure.boxes.MarginBox

"""PDF through WeasyPrint. The only package that imports WeasyPrint.

Two profiles from one HTML source: `screen` (tagged PDF/UA-1, links, outline) and `print`
(bleed, crop marks, optional PDF/A or PDF/X). Dates and the file identifier are derived from
the book and `SOURCE_DATE_EPOCH`, so two builds of the same sources are byte-identical.

Modules, one concern each:
- whole.py: a whole book laid out in one render (`export_pdf`);
- wrap_layout.py: the cover wrap's page (`export_wrap`, `widths`; export/wrap.py builds it);
- chunks.py: one chunk of a book laid out on its own and written (`lay_out_chunk`,
  `finish_chunk`, `chunk_fonts`; export/chunked.py plans them, export/pool.py runs them),
  laid.py: the laid-out chunk kept between the two, its checks, its margin boxes made again;
  columns.py: a part of a long table laid out with the whole table's column widths;
- carried.py: what a chunk takes from the others (page numbers of anchors, named strings,
  links);
- restyle.py and cascades.py: a print chunk's layout written again as the screen PDF's chunk
  (one layout for both PDFs, export/editions.py) when the two cascades differ only in what is
  drawn; forked.py: that write in a forked process beside the print write, for a lone chunk;
- pagination.py: where each printed page begins in the text; bookmarks.py: the merged outline;
- identity.py: dates and identifiers; fetcher.py: every URL through the project's gate;
- patches.py and face_fonts.py: workarounds of WeasyPrint 70 (notes kept with their calls, list
  numbers, one PDF font per font file), each for one render or write.

Callers import this package inside functions; each name below loads its module when first
used, so WeasyPrint loads only where a PDF is laid out (identity.py and verdicts.py do not
import it). `warm()` imports them all (the layout workers' zygote, export/zygote.py).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .bookmarks import bookmark_tree
    from .chunks import chunk_fonts, finish_chunk, lay_out_chunk
    from .identity import book_id, w3c_source_date
    from .laid import LaidChunk
    from .pagination import paginate
    from .patches import ORPHAN_REPORT, linebox_layout_keeping_notes, notes_stay_with_calls
    from .restyle import rules_compared
    from .verdicts import book_diagnostics
    from .whole import export_pdf
    from .wrap_layout import Overflow, export_wrap, widths

# Each name's module, imported when the name is first used (PEP 562 `__getattr__`): the build
# process of a chunked build uses only identity.py and verdicts.py, which do not import
# WeasyPrint (the layout workers do: export/zygote.py; issue 17, an edit's critical path).
_HOME = {
    "ORPHAN_REPORT": "patches",
    "LaidChunk": "laid",
    "Overflow": "wrap_layout",
    "book_diagnostics": "verdicts",
    "book_id": "identity",
    "bookmark_tree": "bookmarks",
    "chunk_fonts": "chunks",
    "export_pdf": "whole",
    "export_wrap": "wrap_layout",
    "finish_chunk": "chunks",
    "lay_out_chunk": "chunks",
    "linebox_layout_keeping_notes": "patches",
    "notes_stay_with_calls": "patches",
    "paginate": "pagination",
    "rules_compared": "restyle",
    "w3c_source_date": "identity",
    "widths": "wrap_layout",
}


def __getattr__(name: str) -> Any:
    """The public name `name`, from its module (imported now); AttributeError otherwise."""
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
    globals()[name] = value
    return value


def warm() -> None:
    """Import every module of the package now (a process that forks layout workers)."""
    for home in set(_HOME.values()):
        importlib.import_module(f".{home}", __name__)


__all__ = [
    "ORPHAN_REPORT",
    "LaidChunk",
    "Overflow",
    "book_diagnostics",
    "book_id",
    "bookmark_tree",
    "chunk_fonts",
    "export_pdf",
    "export_wrap",
    "finish_chunk",
    "lay_out_chunk",
    "linebox_layout_keeping_notes",
    "notes_stay_with_calls",
    "paginate",
    "rules_compared",
    "w3c_source_date",
    "widths",
]

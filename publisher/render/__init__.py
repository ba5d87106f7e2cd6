"""Stage 3, rendering: an assembled `Anthology` → a `RenderedBook` per edition (HTML documents,
stylesheet, images). The only user of Jinja2 and Markdown; reads templates and images through
the gate; writes nothing."""

from .cover_text import cover_text
from .markup import survey
from .renderer import FragmentStore, render_book

__all__ = ["FragmentStore", "cover_text", "render_book", "survey"]

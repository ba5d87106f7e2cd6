"""One edition's book rendered, and the one cover every edition shares: the library's
`render` and `book_cover` (importable from `publisher.pipeline`), here so that both the recipe
(`pipeline.py`) and the passes that render the editions (`passes.py`) import them."""

from __future__ import annotations

from .base.access import Access
from .base.cover import CoverArt
from .base.model import Anthology, AnthologySpec
from .base.rendered import Pagination, RenderedBook, Target
from .base.theme import theme_for
from .export.cover_art import cover_art
from .render import FragmentStore, render_book


def render(
    anthology: Anthology,
    target: Target,
    fragments: FragmentStore | None = None,
    pagination: Pagination | None = None,
    access: Access | None = None,
    cover: CoverArt | None = None,
    written: bool = False,
) -> RenderedBook:
    """`access`: the gate the build opened (`--allow-remote`); by default no network.
    `cover`: the book's cover (`book_cover`); by default made here for every edition but the
    print interior, which has none. `written`: the book is only to be written (a build): the
    web edition's page made as UTF-8 only, the EPUB's documents without their bodies
    (render/renderer.py `render_book`). Raises BuildFailed."""
    theme = theme_for(anthology.spec)
    if cover is None and target is not Target.PRINT_PDF:
        cover = book_cover(anthology.spec, access or Access.for_spec(anthology.spec))
    return render_book(anthology, target, theme, fragments, pagination, access, cover, written)


def book_cover(spec: AnthologySpec, access: Access) -> CoverArt:
    """The one cover of every edition and the wrap's front: the anthology's `cover_image`
    read through `access`, else the generated typographic cover (export/cover_art.py), made
    here and handed to the renderer as data (render/ does not import export/)."""
    return cover_art(spec, access)

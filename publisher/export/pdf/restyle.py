"""One layout, two PDFs: a print chunk's layout restyled and written again as the screen PDF's
chunk, when the two pages' cascades differ only in what is drawn (cascades.py)."""

from __future__ import annotations

from typing import Any

import weasyprint
import weasyprint.css
import weasyprint.css.targets
import weasyprint.formatting_structure.boxes
import weasyprint.layout.page
import weasyprint.text.line_break

from ...base.diagnostics import BuildFailed
from ..chunkdata import ChunkJob, LayoutsDiffer
from .boxes import MarginBox, every_box
from .carried import links_kept
from .cascades import (
    DRAW_ONLY,
    computed_differences,
    declared_differences,
    differing_rules,
    page_differences,
    style_text,
)
from .face_fonts import fonts_keyed_by_file
from .fetcher import Refusal
from .identity import stable_xmp_ids
from .laid import LaidChunk, to_write
from .patches import list_numbers_kept
from .pseudo_styles import every_style

_SIDES = ("top", "right", "bottom", "left")
PAGE_ONLY = frozenset({"marks", *(f"bleed_{side}" for side in _SIDES)})  # the page box's own


def screen_write(laid: LaidChunk) -> bytes:
    """The laid-out chunk written as the screen PDF's chunk (after its print write).

    The screen page's cascade is made (not laid out) and compared with the print page's: page
    types by their cascaded values; elements by the computed values of the properties that the
    rules found in one page's stylesheets and not in the other's declare (rules that match no
    element of the chunk, such as the screen page's cover, left out), not measured when those
    are all DRAW_ONLY. Where the two differ only in DRAW_ONLY properties, the boxes take the
    screen values of those (link colours and underlines, no bleed, no crop marks) and the pages
    are written tagged, as `job.screen` says. Raises LayoutsDiffer when they differ in any
    other property (the screen PDF must then be laid out on its own), BuildFailed as
    finish_chunk does."""
    job, screen = laid.job, laid.job.screen
    assert screen is not None
    printed = laid.context.style_for
    root = laid.pages[0]._page_box.children[0].element if laid.pages else None
    fetcher = laid.document.url_fetcher
    html = weasyprint.HTML(
        string=_head_only(screen.head), base_url=job.base_url, url_fetcher=fetcher
    )
    declared = declared_differences(root, html.etree_element) if root is not None else ()
    if declared:  # the elements' styles may differ: the whole screen page's cascade
        html = weasyprint.HTML(string=job.screen_page, base_url=job.base_url, url_fetcher=fetcher)
    first = f"@page :first {{ counter-reset: page {job.start} }}" if job.start != 1 else ""
    sheets = [weasyprint.CSS(string=first)] if first else None
    try:
        with list_numbers_kept():
            styles = weasyprint.css.get_all_computed_styles(
                html, sheets, font_config=laid.document.font_config,
                target_collector=weasyprint.css.targets.TargetCollector(),
            )  # fmt: skip
    except Refusal as refusal:
        raise BuildFailed([refusal.refused.diagnostic(job.name)]) from None
    elements: dict[Any, Any] = {}
    if declared:
        trees = (root.iter(), html.etree_element.iter()) if root is not None else ()
        elements = dict(zip(*trees, strict=False))
        alike = len(elements) == sum(1 for _ in html.etree_element.iter())
        if not alike or any(one.tag != other.tag for one, other in elements.items()):
            raise LayoutsDiffer(f"{job.name}: the screen page's elements are not the print's")
    for page_type in {key[0] for key in printed._cascaded_styles if isinstance(key[0], tuple)}:
        weasyprint.layout.page.set_page_type_computed_styles(page_type, html, styles)
    styles.initial_page_sizes.update(printed.initial_page_sizes)  # `vh` as the layout had it
    differing = page_differences(printed._cascaded_styles, styles._cascaded_styles)
    if set(declared) <= DRAW_ONLY:  # only these may differ: restyle with them, unmeasured
        differing |= set(declared)
    else:
        computed = every_style(printed), every_style(styles)
        differing |= computed_differences(*computed, elements, declared)
    if differing - DRAW_ONLY:
        names = ", ".join(sorted(name.replace("_", "-") for name in differing - DRAW_ONLY))
        raise LayoutsDiffer(f"{job.name}: the screen and print pages differ in {names}")
    for page in laid.pages if differing else ():
        page_box = page._page_box
        _restyle(page_box, styles(page_box.page_type), differing)
        for child in page_box.children if differing - PAGE_ONLY else ():
            area = _area(child)  # a margin box or the footnote area: their at-rule's style
            for box in every_box(child):
                if box.element is not None and box.element in elements:
                    tag = box.element_tag or ""
                    pseudo = tag.split("::", 1)[1] if "::" in tag else None
                    _restyle(box, styles(elements[box.element], pseudo), differing)
                elif area is not None:
                    _restyle(box, styles(page_box.page_type, area), differing)
        page.bleed = {side: page_box.style[f"bleed_{side}"].value for side in _SIDES}
    document, options = to_write(laid, screen.book_id, screen.variant)
    try:
        with stable_xmp_ids(screen.book_id), fonts_keyed_by_file(), links_kept(job.externals):
            data: bytes = document.write_pdf(**options)
    except Refusal as refusal:
        raise BuildFailed([refusal.refused.diagnostic(job.name)]) from None
    return data


def rules_compared(job: ChunkJob) -> tuple[tuple[object, ...], ...] | None:
    """The style rules found in the job's print page's head and not in its screen page's, or
    the other way round (cascades.py `differing_rules`, kept per process); None for a job
    without a screen write. Called before a screen write is forked (chunks.py), so the
    forked process inherits them."""
    if job.screen is None:
        return None
    heads = (
        weasyprint.HTML(string=_head_only(page), base_url=job.base_url).etree_element
        for page in (job.page, job.screen_page)
    )
    return differing_rules(*(style_text(head) for head in heads))


def _head_only(page: str) -> str:
    """The page's head and an empty body: its stylesheets, and no element to style."""
    body = page.index("<body", page.rindex("</head>"))
    return page[:body] + "<body></body></html>"


def _area(box: Any) -> str | None:
    """The page context a box of the page belongs to: `@top-center`…, `@footnote`, or None."""
    if isinstance(box, MarginBox):
        return str(box.at_keyword)
    if isinstance(box, weasyprint.formatting_structure.boxes.FootnoteAreaBox):
        return "@footnote"
    return None


def _restyle(box: Any, restyled: Any, names: set[str]) -> None:
    """Give `box` the values of `names` that the other cascade's style `restyled` has."""
    if restyled is None:
        return
    for name in names:
        if box.style[name] != restyled[name]:
            box.style[name] = restyled[name]
    if (
        getattr(box, "pango_layout", None) is not None
        and box.style["text_decoration_line"] != "none"
    ):
        _decoration_metrics(box)


def _decoration_metrics(box: Any) -> None:
    """The font metrics WeasyPrint 70's text layout (`text/line_break.py`, `Layout.setup`)
    fetches only for text laid out with a decoration, and draws an underline or line-through
    from: taken, for text that takes a decoration after its layout, from a layout WeasyPrint
    sets up for the box's restyled text (its own code fetches them)."""
    layout = box.pango_layout
    if getattr(layout, "underline_thickness", None) is not None:
        return
    fresh = weasyprint.text.line_break.Layout(box.style)
    for name in METRICS:
        setattr(layout, name, getattr(fresh, name))


METRICS = (
    "ascent",
    "underline_position",
    "strikethrough_position",
    "underline_thickness",
    "strikethrough_thickness",
)

"""What a chunk takes from the rest of the book, through hooks into WeasyPrint for one render
or write: page numbers of anchors in other chunks (`target-counter()`), named strings set
before it (`string()`), links to other chunks, and WeasyPrint's layout context kept."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any
from unittest import mock

import weasyprint.css.targets
import weasyprint.document
import weasyprint.layout
import weasyprint.pdf
import weasyprint.urls

from ..chunkdata import Pairs


@contextmanager
def context_kept(kept: list[Any]) -> Iterator[None]:
    """Keep WeasyPrint's layout context of this render (its page states and named strings)."""
    document_class = weasyprint.document.Document
    original = document_class._build_layout_context

    def keeping(*args: Any) -> Any:
        context = original(*args)
        kept.append(context)
        return context

    with mock.patch.object(document_class, "_build_layout_context", staticmethod(keeping)):
        yield


def targets_from(
    externals: dict[str, int], used: dict[str, int], local: list[str]
) -> AbstractContextManager[object]:
    """`target-counter()` of an anchor in another chunk prints its known page number (noted
    in `used`); one of an anchor in this chunk is noted in `local`."""
    collector = weasyprint.css.targets.TargetCollector
    original = collector.lookup_target

    def lookup(self: Any, anchor_token: Any, source_box: Any, css_token: Any, parse: Any) -> Any:
        name = _anchor_name(anchor_token, source_box)
        if name in externals and name not in self.target_lookup_items:
            used[name] = externals[name]
            item = weasyprint.css.targets.TargetLookupItem("up-to-date")
            item.target_box = _ExternalTarget({"page": [externals[name]]})
            return item
        if name is not None:
            local.append(name)
        return original(self, anchor_token, source_box, css_token, parse)

    return mock.patch.object(collector, "lookup_target", lookup)


@dataclass
class _ExternalTarget:
    cached_counter_values: dict[str, list[int]]


@dataclass(frozen=True)
class _SettledTarget:
    """A laid-out anchor as `target-counter()` reads it (WeasyPrint's build.py
    `compute_content_list`): its counter values."""

    cached_counter_values: dict[str, list[int]] | None


def targets_settled(context: Any) -> None:
    """After a render, let go of the box tree its layout was made from: WeasyPrint's target
    collector keeps, for each anchor that a `target-counter()` of the chunk looked up, the
    anchor's box of that tree (and, through it, the whole tree: 7 MiB, a sixth of the
    layout, for the contents of a 400-review book) and the functions that built the boxes
    asking for it. A margin box made again (laid.py `remake_margins`) still reads the same
    counter values (`_SettledTarget`); the layout is over, so nothing else is built again.
    When a page-margin box's `content` has `target-text()`, which reads the anchor's box
    (`Box.extract_text`, a deep copy of it), the boxes are kept."""
    for (page_type, _), declared in context.style_for.get_cascaded_styles().items():
        content = declared.get("content", (None,))[0] if isinstance(page_type, tuple) else None
        if isinstance(content, list | tuple) and any(
            isinstance(part, tuple) and part[:1] == ("target-text()",) for part in content
        ):
            return
    for item in context.target_collector.target_lookup_items.values():
        box = item.target_box
        if box is not None and not isinstance(box, _ExternalTarget | _SettledTarget):
            item.target_box = _SettledTarget(box.cached_counter_values)
        item.parse_again_functions.clear()


def _anchor_name(anchor_token: Any, source_box: Any) -> str | None:
    if anchor_token[0] == "attr()":
        attribute, kind, fallback = anchor_token[1]
        value = source_box.element.get(attribute, fallback)
        if kind == "url":
            anchor_token = ("url", weasyprint.urls.get_url_tuple(value, source_box.style.base_url))
        else:
            anchor_token = ("string", value)
    name: str | None = weasyprint.css.targets.anchor_name_from_token(anchor_token)
    return name


def strings_from(seeds: dict[str, str], used: dict[str, str]) -> AbstractContextManager[object]:
    """`string()` of a named string not yet set in this chunk gives its value from the chunks
    before (`seeds`), as it would in the whole book; each value so given is noted in `used`."""
    context_class = weasyprint.layout.LayoutContext
    original = context_class.get_string_or_element_for

    def lookup(self: Any, store: Any, page: Any, name: str, keyword: str) -> Any:
        found = original(self, store, page, name, keyword)
        if store is not self.string_set or name not in seeds or keyword == "all-once":
            return found
        if any(number <= self.current_page and store[name][number] for number in store[name]):
            return found
        used[name] = seeds[name]
        return (seeds[name],)

    return mock.patch.object(context_class, "get_string_or_element_for", lookup)


def links_kept(externals: Pairs, annotated: bool = True) -> AbstractContextManager[object]:
    """The links a write annotates: one per link rectangle, and those to anchors in other
    chunks (`externals`) kept; none at all when not `annotated` (the anchors, named
    destinations, are kept either way).

    - Links to other chunks: WeasyPrint drops a link to an anchor it has not laid out; these
      name their destination, which the merged book holds.
    - One annotation per rectangle: WeasyPrint 70 (`anchors.gather_anchors`) annotates every
      inline box inside a link with the link's target, so `<a><cite>Título</cite></a>` made two
      annotations over one rectangle, the second outside the structure tree's Link element.
      A box that only inherits its link (it is not an `<a>` itself) is not annotated when a
      link to the same target already kept on the page covers its rectangle (`_covered`):
      one click area, one annotation, and ISO 14289-1 (PDF/UA-1) §7.18.5 wants each Link
      annotation inside a Link structure element, which only the `<a>` box makes.
    - Not `annotated`: the print PDF, for a printer. PDF/X (ISO 15930-4 for X-1a:2003, -6 for
      X-3:2003, -7 for X-4) allows annotations only outside the BleedBox (the TrimBox when
      there is none), TrapNet annotations excepted (as Kodak's and Enfocus's preflight manuals
      state the rule), and a link on paper does nothing: the print PDF has none, PDF/X or
      not; the screen PDF keeps them.
    """
    elsewhere = {name for name, _ in externals}

    def resolve(pages: Any) -> Iterator[Any]:
        # WeasyPrint's `resolve_links`, keeping the links to `elsewhere` too.
        anchors: set[str] = set()
        paged: list[list[tuple[str, float, float]]] = []
        for page in pages:
            paged.append([])
            for name, (x, y, _, _) in page.anchors.items():
                if name not in anchors:
                    paged[-1].append((name, x, y))
                    anchors.add(name)
        known = anchors | elsewhere
        for page, page_anchors in zip(pages, paged, strict=True):
            links: list[Any] = []
            for link in page.links if annotated else ():
                if link[0] == "internal" and link[1] not in known:
                    continue
                if link[3].link is None and _covered(link, links):
                    continue
                links.append(link)
            yield links, page_anchors

    return mock.patch.object(weasyprint.pdf, "resolve_links", resolve)


_SLACK = 0.01  # CSS px: rounding in the boxes' positions


def _covered(link: Any, kept: list[Any]) -> bool:
    """Whether a link in `kept` (type, target, (x1, y1, x2, y2), box) goes where `link` goes
    and its rectangle holds `link`'s."""
    kind, target, (x1, y1, x2, y2), _ = link
    return any(
        other[:2] == (kind, target)
        and other[2][0] - _SLACK <= x1
        and other[2][1] - _SLACK <= y1
        and x2 <= other[2][2] + _SLACK
        and y2 <= other[2][3] + _SLACK
        for other in kept
    )

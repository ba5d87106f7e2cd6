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


def links_kept(externals: Pairs) -> AbstractContextManager[object]:
    """Keep the links to anchors in other chunks (WeasyPrint drops links to anchors it has
    not laid out): they name their destination, which the merged book holds."""
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
        for page, page_anchors in zip(pages, paged, strict=True):
            links = [
                link
                for link in page.links
                if link[0] != "internal" or link[1] in anchors or link[1] in elsewhere
            ]
            yield links, page_anchors

    return mock.patch.object(weasyprint.pdf, "resolve_links", resolve)

"""Pseudo-elements' styles made when the layout first asks for them, for one render (issue 17:
peak RSS of a layout).

WeasyPrint 70 makes, when it computes a document's styles (css/__init__.py, `StyleFor.__init__`,
its second pass), one `ComputedStyle` for every (element, pseudo-element) pair that some rule
matches; its user-agent stylesheet (css/html5_ua.css) has rules for `::marker`,
`::footnote-call`, `::footnote-marker`, `::note-call`, `::note-marker` and `::note-callback`
that match EVERY element. So each element costs six more styles (about 1.4 KiB each with their
dictionaries), kept to the end of the layout and beyond, though the box builder asks only for
a list item's marker, a footnote's call and marker, and so on. The contents of a 400-review
book: 12,000 styles never asked for, 15 MiB with their declarations, a third of its layout's
Python memory (tracemalloc), and growing with the book.

Here such a style is made at the first `StyleFor.__call__` for its pair, as WeasyPrint makes it:
the same `set_computed_styles` with the same arguments and the same cascaded declarations, so
the same values (a `ComputedStyle` computes each value when it is first read, from its
parent's style and its cascaded declarations, whichever the moment it is made). A pair whose
declarations set `anchor` is made at once, as WeasyPrint does, since making it collects the
anchor for `target-counter()`; and a page's margin boxes (keyed by page type) are untouched.
`every_style` makes the rest, for a caller that reads the whole table (restyle.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import weasyprint.css

# Kept on a StyleFor: element -> its pseudo-elements whose styles are not made yet, as a tuple
# of (pseudo-element, cascaded declarations) pairs; the document's root element and base URL,
# the same for all; one of each set of equal cascaded declarations (read, never written, by a
# ComputedStyle), so that the six user-agent rules' declarations are kept six times, not six
# times per element; and one of each such tuple (`_CHAINS`: (id of the tuple it extends,
# pseudo-element, declarations' key) -> tuple), so that the elements that only the user-agent
# rules match share one tuple: an element costs one entry of the table, not six entries
# keyed by six (element, pseudo-element) tuples (an 800-review filmography's layout kept
# 3.4 MiB of such entries from its first step to its end, now 0.3; issue 17: peak RSS).
_DEFERRED, _SHARED, _ALIKE = "_publisher_deferred", "_publisher_shared", "_publisher_alike"
_CHAINS = "_publisher_chains"
Deferred = tuple[tuple[str | None, dict[str, Any]], ...]  # (pseudo-element, cascaded declarations)


@contextmanager
def pseudo_styles_on_demand() -> Iterator[None]:
    """For the renders inside it, an element's pseudo-element style is made when first asked
    for (see the module's docstring); a style so made is kept, as WeasyPrint keeps it. The
    replacement is on WeasyPrint's class: enter this inside `patches.notes_stay_with_calls`,
    whose lock keeps renders one at a time."""
    style_for = weasyprint.css.StyleFor
    make, call = style_for.set_computed_styles, style_for.__call__

    def deferring(
        self: Any,
        element: Any,
        parent: Any,
        root: Any = None,
        pseudo_type: str | None = None,
        base_url: str | None = None,
        target_collector: Any = None,
    ) -> None:
        cascaded = self.get_cascaded_styles().get((element, pseudo_type), {})
        shared = self.__dict__.setdefault(_SHARED, (root, base_url))
        eager = pseudo_type is None or isinstance(element, tuple) or "anchor" in cascaded
        if eager or parent is not element or shared != (root, base_url):
            make(self, element, parent, root, pseudo_type, base_url, target_collector)
            return
        alike = self.__dict__.setdefault(_ALIKE, {})
        key = tuple((name, id(values), weight) for name, (values, weight) in cascaded.items())
        deferred: dict[Any, Deferred] = self.__dict__.setdefault(_DEFERRED, {})
        chains: dict[tuple[int, str | None, Any], Deferred] = self.__dict__.setdefault(_CHAINS, {})
        before = deferred.get(element, ())
        chain = chains.get((id(before), pseudo_type, key))
        if chain is None:
            chain = (*before, (pseudo_type, alike.setdefault(key, cascaded)))
            # `before` is () or a value of `chains`, kept there: its id names no other tuple
            chains[id(before), pseudo_type, key] = chain
        deferred[element] = chain

    def asking(self: Any, element: Any, pseudo_type: str | None = None) -> Any:
        _made(self, make, (element, pseudo_type))
        return call(self, element, pseudo_type)

    with (
        mock.patch.object(style_for, "set_computed_styles", deferring),
        mock.patch.object(style_for, "__call__", asking),
    ):
        yield


def every_style(style_for: Any) -> dict[Any, Any]:
    """`style_for`'s whole table of computed styles, (element, pseudo-element) -> style, as
    WeasyPrint would have made it: the styles not yet asked for are made now."""
    make = weasyprint.css.StyleFor.set_computed_styles
    for element, chain in list(style_for.__dict__.get(_DEFERRED, {}).items()):
        for pseudo_type, _ in chain:
            _made(style_for, make, (element, pseudo_type))
    table: dict[Any, Any] = style_for._computed_styles
    return table


def _made(style_for: Any, make: Any, key: tuple[Any, str | None]) -> None:
    """Make the deferred style of `key` (if it is one) with WeasyPrint's own `make`."""
    element, pseudo_type = key
    deferred: dict[Any, Deferred] | None = style_for.__dict__.get(_DEFERRED)
    if pseudo_type is None or not deferred:
        return
    chain = deferred.get(element, ())
    cascaded = next((declared for pseudo, declared in chain if pseudo == pseudo_type), None)
    if cascaded is None:
        return
    rest = tuple(pair for pair in chain if pair[0] != pseudo_type)
    if rest:
        deferred[element] = rest
    else:
        del deferred[element]
    root, base_url = style_for.__dict__[_SHARED]
    cascades = style_for.get_cascaded_styles()
    had = cascades.get(key)
    cascades[key] = cascaded  # set_computed_styles reads them there (cleared since)
    try:
        make(style_for, element, element, root, pseudo_type, base_url)
    finally:
        if had is None:
            del cascades[key]
        else:
            cascades[key] = had

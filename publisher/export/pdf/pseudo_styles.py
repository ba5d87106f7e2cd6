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

# Kept on a StyleFor: (element, pseudo-element) -> its cascaded declarations, for the styles
# not made yet; the document's root element and base URL, the same for all; and one of each
# set of equal cascaded declarations (read, never written, by a ComputedStyle), so that the
# six user-agent rules' declarations are kept six times, not six times per element.
_DEFERRED, _SHARED, _ALIKE = "_publisher_deferred", "_publisher_shared", "_publisher_alike"


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
        deferred = self.__dict__.setdefault(_DEFERRED, {})
        deferred[element, pseudo_type] = alike.setdefault(key, cascaded)

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
    for key in list(style_for.__dict__.get(_DEFERRED, ())):
        _made(style_for, make, key)
    table: dict[Any, Any] = style_for._computed_styles
    return table


def _made(style_for: Any, make: Any, key: tuple[Any, str | None]) -> None:
    """Make the deferred style of `key` (if it is one) with WeasyPrint's own `make`."""
    deferred = style_for.__dict__.get(_DEFERRED)
    if not deferred or key not in deferred:
        return
    cascaded = deferred.pop(key)
    root, base_url = style_for.__dict__[_SHARED]
    element, pseudo_type = key
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

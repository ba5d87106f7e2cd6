"""Workarounds of WeasyPrint 70's layout, each for one render: footnotes kept on their call's
page, and list numbers from `<ol start>` / `<li value>`."""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any
from unittest import mock

import weasyprint.css
import weasyprint.html
import weasyprint.layout.block

# WeasyPrint 70, layout/block.py `_linebox_layout`: when a paragraph's second line (with the
# default `orphans: 2`) overflows the page, it moves the page's LAST footnote to the next page to
# make room, whether or not that note's call is in this paragraph (added for
# Kozea/WeasyPrint#2432 by PR #2437). If the paragraph is then pushed to the next page anyway
# (widows, `break-after: avoid`), the note is not brought back: it leaves its call's page
# although it fits there (a call in a `##` heading met it first). CSS GCPM 3 (#footnote-policy)
# and our promise keep a note on its call's page whenever it fits, so we switch that report
# off and let the paragraph break as it did before #2437 (the page may end a line short).
ORPHAN_REPORT = "report = not context.in_column and can_break_now and not could_break_before"


@functools.cache
def linebox_layout_keeping_notes() -> Callable[..., Any] | None:
    """WeasyPrint's own `_linebox_layout` without the orphan-driven footnote report, or None
    if this WeasyPrint no longer has that statement (tests/test_notes.py then fails)."""
    module = weasyprint.layout.block
    source = inspect.getsource(module._linebox_layout)
    if source.count(ORPHAN_REPORT) != 1:
        return None
    namespace = dict(vars(module))
    code = compile(source.replace(ORPHAN_REPORT, "report = False"), module.__file__, "exec")
    exec(code, namespace)  # defined in a copy of the module's globals; the module is untouched
    function: Callable[..., Any] = namespace["_linebox_layout"]
    return function


_LAYOUT_LOCK = threading.Lock()  # the replacement is module-wide: one render at a time


@contextmanager
def notes_stay_with_calls() -> Iterator[None]:
    """Lay out with `linebox_layout_keeping_notes` for the duration of one render.

    Renders wait for each other (the preview server may ask for a PDF from two threads), so one
    render's exit never takes the replacement away from another still laying out.
    """
    function = linebox_layout_keeping_notes()
    with _LAYOUT_LOCK:
        if function is None:
            yield
            return
        with mock.patch.object(weasyprint.layout.block, "_linebox_layout", function):
            yield


def list_numbers_kept() -> AbstractContextManager[object]:
    """For this render only, number `<ol start>` and `<li value>` as HTML says.

    WeasyPrint 70 maps these attributes to list-item counters only among its presentational
    hints, which also size images from `width`/`height` and more; the book leaves hints off, so
    a paragraph opening with a year ("1975. Fue…", an `<ol start="1975">` in Markdown) printed
    "1.". This adds the two mappings alone, with the declarations of WeasyPrint's own hints
    (the UA stylesheet of CSS Lists 3, §8.1, at the hints' specificity).
    """
    original = weasyprint.css.find_style_attributes

    def with_list_numbers(
        tree: Any, presentational_hints: bool = False, base_url: str | None = None
    ) -> Iterator[Any]:
        yield from original(tree, presentational_hints, base_url)
        if presentational_hints:
            return  # WeasyPrint's own hints already include these
        for element in tree.iter():
            if element.tag not in ("ol", "li"):
                continue
            attribute = "start" if element.tag == "ol" else "value"
            number = weasyprint.html.parse_integer(element.get(attribute))
            if number is None:
                continue
            increment = "list-item -1" if element.tag == "ol" else "none"
            for declaration in (
                f"counter-reset:list-item {number}",
                f"counter-increment:{increment}",
            ):
                # tinycss2 as WeasyPrint imports it: the parser its cascade expects
                parsed = weasyprint.css.tinycss2.parse_one_declaration(declaration)
                yield (0, 0, 0), element, (parsed,), base_url

    return mock.patch.object(weasyprint.css, "find_style_attributes", with_list_numbers)

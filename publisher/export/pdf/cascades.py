"""Two cascades of one chunk compared (the print page's, laid out, and the screen page's, only
computed): which properties differ, and whether those only change what is drawn."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterator
from typing import Any

import weasyprint.css
import weasyprint.css.properties
import weasyprint.css.tokens

# Properties WeasyPrint reads only when it draws (draw/, pdf/; `Page.bleed` is read from the
# page box when the Page is made, and set again by restyle.py): two cascades that differ in these
# alone lay out the same boxes. `text-decoration-line` also makes the text's Pango layout fetch
# the font's metrics, which only place the line drawn.
DRAW_ONLY = frozenset(
    {
        "color",
        "text_decoration_line",
        "text_decoration_color",
        "text_decoration_style",
        "text_decoration_thickness",
        "marks",
        "bleed_top",
        "bleed_right",
        "bleed_bottom",
        "bleed_left",
    }
)


def page_differences(printed: dict[Any, Any], screen: dict[Any, Any]) -> set[str]:
    """The properties whose cascaded value differs between the two cascades on some page type
    or page-margin box (the cascaded values WeasyPrint keeps after computing styles)."""
    differing: set[str] = set()
    for key in printed.keys() | screen.keys():
        if not isinstance(key[0], tuple):
            continue  # an element (none kept, but say so)
        one, other = printed.get(key, {}), screen.get(key, {})
        for name in one.keys() | other.keys():
            if name not in one or name not in other or not _same(one[name][0], other[name][0]):
                differing.add(name)
    return differing


def declared_differences(printed: Any, screen: Any) -> tuple[str, ...]:
    """The properties that the rules found in one page's stylesheets and not in the other's
    declare (shorthands as every longhand they may set; all properties when a differing rule
    sets a custom property or is an at-rule other than @page and @media): only these can
    differ between the two cascades' computed styles (the rules: `differing_rules`, kept per
    process)."""
    every = tuple(weasyprint.css.properties.INITIAL_VALUES)
    names: set[str] = set()
    wrapper: Any = None
    for rule in differing_rules(style_text(printed), style_text(screen)):
        if rule[1].startswith("@page"):
            continue  # page properties: compared by `page_differences`
        if not rule[1].startswith("@") and not {n.replace("-", "_") for n in rule[-1]} <= DRAW_ONLY:
            wrapper = wrapper or weasyprint.css.cssselect2.ElementWrapper.from_html_root(printed)
            if not _matches(rule[1], wrapper):
                continue  # the screen page's cover: no element of this chunk
        for name in rule[-1]:
            if name.startswith("--") or name.startswith("@"):
                return every
            underscored = name.replace("-", "_")
            longhands = [underscored] if underscored in every else _longhands(underscored, every)
            if not longhands:
                return every
            names.update(longhands)
            if underscored == "font":
                names.add("line_height")
    return tuple(sorted(names))


@functools.lru_cache(maxsize=4)
def differing_rules(printed: str, screen: str) -> tuple[tuple[Any, ...], ...]:
    """The rules (as `_rules` gives them) found in one style text and not in the other, each as
    often as it is missing. Kept for the last few pairs of texts: every chunk of a book has the
    same two heads, so a worker parses them once, not once per chunk (issue 17: ~0.14 s a
    chunk at 100 reviews)."""
    counted = [Counter(_rules(text, ())) for text in (printed, screen)]
    return tuple((counted[0] - counted[1]) + (counted[1] - counted[0]))


def _matches(selectors: str, wrapper: Any) -> bool:
    """Whether any element under `wrapper` (cssselect2's) matches the selector list; True when
    the selectors cannot be compiled (then the rule counts)."""
    cssselect2 = weasyprint.css.cssselect2
    try:
        compiled = cssselect2.compile_selector_list(selectors)
    except cssselect2.SelectorError:
        return True
    return any(
        selector.test(element) for element in wrapper.iter_subtree() for selector in compiled
    )


def _longhands(shorthand: str, every: tuple[str, ...]) -> list[str]:
    return [key for key in every if key.startswith(shorthand + "_")]


def style_text(root: Any) -> str:
    """The text of the `<style>` elements under `root` (an element tree's), in order."""
    return "\n".join(element.text or "" for element in root.iter() if element.tag in STYLE_TAGS)


STYLE_TAGS = ("style", "{http://www.w3.org/1999/xhtml}style")


def _rules(css: str, context: tuple[str, ...]) -> Iterator[tuple[Any, ...]]:
    """Each rule of `css` as (its @media context, prelude (`@page…` for a page rule),
    declarations, names they declare); an at-rule of another kind as one rule declaring
    `@<name>`."""
    tinycss2 = weasyprint.css.tinycss2
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type == "error":
            continue
        prelude = tinycss2.serialize(rule.prelude).strip()
        if rule.type == "at-rule" and rule.lower_at_keyword == "media" and rule.content:
            yield from _rules(tinycss2.serialize(rule.content), (*context, prelude))
            continue
        content = tinycss2.serialize(rule.content or []).strip()
        keyword = "@" + rule.lower_at_keyword if rule.type == "at-rule" else ""
        if keyword not in ("", "@page"):
            yield (context, keyword, prelude, content, (keyword,))
            continue
        declarations = tinycss2.parse_blocks_contents(rule.content or [], True, True)
        names = [item.lower_name for item in declarations if item.type == "declaration"]
        for nested in declarations:  # @page's margin boxes
            if nested.type == "at-rule":
                inner = tinycss2.parse_blocks_contents(nested.content or [], True, True)
                names += [item.lower_name for item in inner if item.type == "declaration"]
        yield (
            context,
            f"{keyword}{prelude}" if keyword == "@page" else prelude,
            content,
            tuple(names),
        )


def computed_differences(
    printed: dict[Any, Any],
    screen: dict[Any, Any],
    elements: dict[Any, Any],
    names: tuple[str, ...],
) -> set[str]:
    """The properties among `names` whose computed value differs between the two cascades on
    some element or pseudo-element (WeasyPrint keeps the cascaded values of pages only).
    Elements that share a computed style in both cascades are compared once."""
    differing: set[str] = set()
    seen: set[tuple[int, int]] = set()
    reverse = {other: one for one, other in elements.items()}
    for element, _ in screen.keys() - {(elements.get(k[0]), k[1]) for k in printed}:
        if element in reverse:
            differing.add("content")  # a pseudo-element only the screen page has
    for (element, pseudo), style in printed.items():
        if element not in elements:
            continue  # a page type, compared by its cascaded values
        other = screen.get((elements[element], pseudo))
        if other is None or style is None:
            differing.update(() if other is style else ("display",))
            continue
        if (id(style), id(other)) in seen:
            continue
        seen.add((id(style), id(other)))
        for name in names:
            if name not in differing and not _same(style[name], other[name]):
                differing.add(name)
    return differing


def _same(one: Any, other: Any) -> bool:
    """Two cascaded values alike: equal, or the same CSS text where they hold parsed tokens
    (tinycss2's nodes, and WeasyPrint's values pending a `var()`, compare by identity)."""
    return bool(one == other or _canonical(one) == _canonical(other))


def _canonical(value: Any) -> Any:
    if isinstance(value, weasyprint.css.tokens.Pending):
        return ("pending", value.name, _canonical(value.tokens))
    if isinstance(value, list | tuple):
        return tuple(_canonical(item) for item in value)
    if hasattr(value, "serialize"):
        return (type(value).__name__, value.serialize())
    return value

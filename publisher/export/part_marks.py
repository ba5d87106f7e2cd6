"""How a continuation part of a long document (export/parts.py) marks its elements, and the
style that goes with the marks (export/pdf/chunks.py adds it to a part's layout)."""

from __future__ import annotations

MARK = "data-publisher-part"  # HIDDEN, CONTINUED or ENCLOSING on a continuation's elements
HIDDEN, CONTINUED = "hidden", "continued"
# An element a continuation of nested lists opens inside of (export/nested_parts.py): begun on an
# earlier page of the whole, so its generated content before its children is not drawn again.
ENCLOSING = "enclosing"
PART_STYLE = (
    f'[{MARK}="{HIDDEN}"] {{ display: none !important }}\n'
    f'[{MARK}="{CONTINUED}"] {{ margin-top: 0 !important; padding-top: 0 !important;'
    " border-top-width: 0 !important }\n"
    f'[{MARK}="{ENCLOSING}"] {{ margin-top: 0 !important; padding-top: 0 !important;'
    " border-top-width: 0 !important }\n"
    f'[{MARK}="{ENCLOSING}"]::marker {{ content: normal !important;'
    " list-style-type: none !important; list-style-image: none !important }\n"
    f'[{MARK}="{ENCLOSING}"]::before {{ content: none !important }}\n'
)

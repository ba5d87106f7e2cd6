"""Paint at alpha 0 rewritten as no paint, for PDF/X-3 (pikepdf; issue 16).

WeasyPrint 70 draws an SVG shape with `fill="none"` (its own crop marks, `@page { marks:
crop }`) by filling and stroking the path (`B`) under a graphics state whose fill alpha `/ca`
is 0, so the fill paints nothing. PDF/X-3 forbids any alpha below 1 (ISO 15930-6 §6.3), and
the file would be refused for transparency it does not show. `drop_invisible_paint` rewrites
each painting operator run under a zero alpha into the same operator without the invisible
part (`B` → `S`, `f` → `n`: ISO 32000-1 §8.5.3, table 60), then gives those graphics states
alpha 1. Anything else painted under a zero alpha (text, images, shadings, forms) is left as
it is, and the state with it, for `transparency` to refuse: a content stream is rewritten
only when every operator in it could be.
"""

from __future__ import annotations

import zlib

import pikepdf
from pikepdf import Dictionary, Name

# Painting operator → (without the fill, without the stroke); None: it cannot be rewritten.
_PAINT: dict[str, tuple[str, str]] = {
    "f": ("n", "f"),
    "F": ("n", "F"),
    "f*": ("n", "f*"),
    "S": ("S", "n"),
    "s": ("s", "n"),
    "B": ("S", "f"),
    "B*": ("S", "f*"),
    "b": ("s", "f"),
    "b*": ("s", "f*"),
}
_OTHER_PAINT = frozenset({"Tj", "TJ", "'", '"', "sh", "Do", "INLINE IMAGE"})


def drop_invisible_paint(pdf: pikepdf.Pdf, holders: list[pikepdf.Object]) -> int:
    """Rewrite the content of `holders` (pages and form XObjects of `pdf`) as the module doc says;
    how many content streams were rewritten. A holder with no zero-alpha graphics state is not
    touched, so the bytes of every other stream stay as WeasyPrint wrote them."""
    rewritten = 0
    for holder in holders:
        resources = holder.get("/Resources")
        if not isinstance(resources, Dictionary):
            continue
        states = resources.get("/ExtGState")
        if not isinstance(states, Dictionary):
            continue
        invisible = {name: _zero_alphas(state) for name, state in states.items()}
        invisible = {name: alphas for name, alphas in invisible.items() if alphas}
        if not invisible:
            continue
        instructions = _rewritten(pikepdf.parse_content_stream(holder), states, invisible)
        if instructions is None:
            continue
        data = zlib.compress(pikepdf.unparse_content_stream(instructions), 9)
        if isinstance(holder, pikepdf.Stream):
            holder.write(data, filter=Name.FlateDecode)
        else:
            stream = pikepdf.Stream(pdf, data)
            stream.Filter = Name.FlateDecode
            holder.Contents = stream
        copies = Dictionary()
        for name, state in states.items():
            if name in invisible and isinstance(state, Dictionary):
                state = _opaque(state)
            copies[name] = state
        resources.ExtGState = copies  # a copy: another holder may share the states
        rewritten += 1
    return rewritten


def _zero_alphas(state: object) -> frozenset[str]:
    """Which of "/ca" (fill) and "/CA" (stroke) `state` sets to 0, when that is all it does
    of transparency (its other alpha 0 or 1, no soft mask, a Normal blend); else empty."""
    if not isinstance(state, Dictionary):
        return frozenset()
    alphas = {key: float(state[key]) for key in ("/ca", "/CA") if key in state}
    mask, blend = state.get("/SMask"), state.get("/BM")
    plain = (mask is None or mask == Name("/None")) and blend in (None, Name.Normal)
    if not plain or any(value not in (0.0, 1.0) for value in alphas.values()):
        return frozenset()
    return frozenset(key for key, value in alphas.items() if value == 0.0)


def _opaque(state: Dictionary) -> Dictionary:
    copy = Dictionary({key: value for key, value in state.items()})
    for key in ("/ca", "/CA"):
        if key in copy:
            copy[key] = 1
    return copy


def _rewritten(
    instructions: list[pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage],
    states: Dictionary,
    invisible: dict[str, frozenset[str]],
) -> list[pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage] | None:
    """`instructions` with the invisible part of each painting operator dropped, or None when
    something else is painted under a zero alpha."""
    fill_zero = stroke_zero = False
    saved: list[tuple[bool, bool]] = []
    out: list[pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage] = []
    for instruction in instructions:
        operator = str(instruction.operator)
        if operator == "q":
            saved.append((fill_zero, stroke_zero))
        elif operator == "Q" and saved:
            fill_zero, stroke_zero = saved.pop()
        elif operator == "gs" and instruction.operands:
            name = str(instruction.operands[0])
            state = states.get(name)
            zero = invisible.get(name, frozenset())
            if isinstance(state, Dictionary):
                fill_zero = "/ca" in zero or (fill_zero and "/ca" not in state)
                stroke_zero = "/CA" in zero or (stroke_zero and "/CA" not in state)
        elif operator in _PAINT and (fill_zero or stroke_zero):
            unfilled, unstroked = _PAINT[operator]
            kept = unfilled if fill_zero else unstroked
            if fill_zero and stroke_zero:
                kept = "n"
            out.append(
                pikepdf.ContentStreamInstruction(instruction.operands, pikepdf.Operator(kept))
            )
            continue
        elif operator in _OTHER_PAINT and (fill_zero or stroke_zero):
            return None
        out.append(instruction)
    return out

"""Property: whatever the front matter and body, loading gives diagnostics or well-formed XHTML,
never an uncaught exception."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from lxml import etree

from publisher.base.diagnostics import BuildFailed
from publisher.base.rendered import Target
from publisher.pipeline import load, render

from .conftest import MINI_TOML

TOKENS = [
    "# ", "## ", "### ", "> ", "- ", "* ", "1. ", "*", "**", "_", "`", "```\n", "~~~\n", "[", "]",
    "(", ")", "![", "](", "<", ">", "&", "&#0;", "&#x110000;", "&amp;", "&nbsp;", "&bogus;",
    '<span lang="en">', "</span>", "<script>", "</script>", "<em>", "</em>", "<div>", "</div>",
    '<a href="javascript:x">', "</a>", '<img src="/etc/passwd">', "|", "|---|", "---", "\n",
    "\n\n", "[^1]", "[^1]: ", "{: .pullquote}", "\t", "    ", "\u200b", "\u202e", "\u200f",
    "😀", "中文", "\x0b", "\r\n", "\ufeff", "<!--", "-->", "\\", '"', "'", "...", "--", "Texto ",
    "«", "‘", ":", "{", "}", "=", "==", "\x85",
]  # fmt: skip
bodies = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=8)), max_size=60).map("".join)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**12), 10**12), st.floats(allow_nan=True),
    st.text(max_size=20), st.dates(),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
VALID: dict[str, Any] = {
    "title": "Una reseña",
    "film": {"title": "Película", "year": 1990, "directors": ["Directora"], "country": "España"},
    "date": "2026-01-10",
    "tags": ["guerra"],
}
front_matters = st.one_of(
    # Valid front matter, four times over, so that most bodies get rendered.
    *[st.just(yaml.safe_dump(VALID, allow_unicode=True))] * 4,
    # Mostly-valid front matter with one key replaced or added: exercises every validator.
    st.tuples(st.sampled_from([*VALID, "film.year", "lang", "rating", "extra"]), values).map(
        lambda kv: _with(kv[0], kv[1])
    ),
    st.dictionaries(st.text(max_size=10), values, max_size=4).map(
        lambda data: yaml.safe_dump(data, allow_unicode=True)
    ),
    st.text(max_size=80),  # not YAML at all
)


def _with(key: str, value: object) -> str:
    film = {**VALID["film"], "year": value} if key == "film.year" else VALID["film"]
    data = {**VALID, "film": film} if key == "film.year" else {**VALID, key: value}
    return yaml.safe_dump(data, allow_unicode=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front=front_matters, body=bodies)
def test_any_manuscript_gives_diagnostics_or_well_formed_xhtml(front: str, body: str) -> None:
    _check(front, body)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=bodies)
def test_any_body_under_valid_front_matter(body: str) -> None:
    _check(yaml.safe_dump(VALID, allow_unicode=True), body)


def _check(front: str, body: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        reviews = Path(folder) / "manuscripts" / "reviews"
        reviews.mkdir(parents=True)
        anthology = Path(folder) / "manuscripts" / "anthology.toml"
        anthology.write_text(MINI_TOML, encoding="utf-8")
        (reviews / "caso.md").write_text(f"---\n{front}\n---\n\n{body}\n", encoding="utf-8")
        try:
            book, _ = load(anthology)
        except BuildFailed as failure:
            event("diagnostics: " + ", ".join(sorted({d.code for d in failure.diagnostics})))
            assert failure.diagnostics
            for diagnostic in failure.diagnostics:
                assert diagnostic.code and "\n" not in diagnostic.message
                assert diagnostic.path.startswith("manuscripts/")
            return
        event("rendered")
        rendered = render(book, Target.EPUB)
        for name, xhtml in (*rendered.xhtml, ("nav", rendered.nav)):
            try:
                etree.fromstring(xhtml.encode("utf-8"))
            except etree.XMLSyntaxError as exc:  # pragma: no cover - the failure report
                raise AssertionError(f"{name} is not well-formed: {exc}\n{body!r}") from None
            assert "<script" not in xhtml

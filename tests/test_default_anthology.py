"""The default anthology as shipped: content rules and the HTML edition."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from publisher.pipeline import BuildRequest, Format, build, load

from .conftest import DEFAULT_ANTHOLOGY, REPO

XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def html_edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    result = build(BuildRequest(DEFAULT_ANTHOLOGY, frozenset({Format.HTML}), out, cache=False))
    [output] = result.outputs
    return output.path


def test_shape_of_the_default_book() -> None:
    book, diagnostics = load(DEFAULT_ANTHOLOGY)
    assert diagnostics == ()
    assert len(book.reviews) >= 12
    assert len(book.parts) >= 4
    assert "la-tregua" in [r.slug for r in book.reviews]
    tregua = next(r.manuscript for r in book.reviews if r.slug == "la-tregua")
    assert (tregua.film.year, tregua.film.directors) == (2025, ("Miguel Ángel Vivas",))
    assert {"Arón Piper", "Miguel Herrán"} <= set(tregua.film.cast)
    assert [piece.slug for piece in book.front] == ["prologo", "nota-editorial"]


def test_reviews_are_350_to_900_words() -> None:
    book, _ = load(DEFAULT_ANTHOLOGY)
    for review in book.reviews:
        if review.slug == "la-tregua":
            continue  # the seed review is kept exactly as written
        words = len(re.findall(r"\w+", review.manuscript.body))
        assert 350 <= words <= 900, (review.slug, words)


def test_seed_review_is_kept_as_written() -> None:
    body = (REPO / "manuscripts" / "reviews" / "la-tregua.md").read_text(encoding="utf-8")
    assert "Cuando acaba la contienda\u00a0española Reyes, un capitán de aviación" in body
    assert "Para: los que crean en que hay más cosas que nos unen" in body


def test_html_edition_is_xhtml_with_spanish_quotes(html_edition: Path) -> None:
    text = html_edition.read_text(encoding="utf-8")
    assert "«" in text and "»" in text
    named = set(re.findall(r"&([A-Za-z][A-Za-z0-9]*);", text)) - {"amp", "lt", "gt", "quot", "apos"}
    assert named == set()
    root = etree.fromstring(text.encode("utf-8"))  # well-formed XML, or this raises
    articles = root.findall(f".//{XHTML}section[@role='doc-chapter']")  # ARIA: not on <article>
    assert len(articles) >= 12
    ids = [node.get("id") for node in root.iter() if node.get("id")]
    assert len(ids) == len(set(ids)), "ids must be unique in the one-file edition"
    targets = {href[1:] for href in root.xpath("//@href") if href.startswith("#")}
    assert targets <= set(ids), f"broken links: {sorted(targets - set(ids))}"
    parts = root.findall(f".//{XHTML}section[@role='doc-part']")
    assert len(parts) >= 4


def test_subset_anthology_selects_by_metadata() -> None:
    book, _ = load(REPO / "manuscripts" / "posguerra.toml")
    pool, _ = load(DEFAULT_ANTHOLOGY)
    expected = {
        r.slug
        for r in pool.reviews
        if "posguerra" in r.manuscript.tags
        or ("exilio" in r.manuscript.tags and 1990 <= r.manuscript.film.year <= 2030)
    }
    assert {r.slug for r in book.reviews} == expected
    assert len(book.reviews) < len(pool.reviews)
    assert book.spec.theme == "contemporaneo"

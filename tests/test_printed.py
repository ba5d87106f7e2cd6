"""What a page prints, read with lxml (`publisher/render/printed.py`) for the colophon's faces
and the glyph check, is what Python's html.parser reads (`base/fonts.page_text`): the same
visible characters in the same order, and the same list-marker flag."""

from __future__ import annotations

import unicodedata

import pytest

from publisher.base import fonts
from publisher.base.rendered import Printed, Target
from publisher.pipeline import load, render
from publisher.render import printed

from .conftest import DEFAULT_ANTHOLOGY

CUNEIFORM = "\U00012000"
HARD = {
    "entities": "<p>Caf&eacute; &amp; &#x12000; &#8220;Raza&#8221; &lt;1941&gt;&nbsp;fin</p>",
    "skipped": (
        "<html><head><title>Título</title><style>p::after { content: 'ñ' }</style></head>"
        "<body><p>Antes<script>nunca('ś')</script>después<template><p>ŭ</p></template>"
        "<b>tras</b> cola</p></body></html>"
    ),
    "nested": "<section><template><template>x</template>ẁ</template>ŷ<br/>ž</section>",
    "comments": "<p>uno<!-- ő --> dos<?pi ǖ?> tres</p>",
    "list in a template": "<p>texto</p><template><ul><li>ǜ</li></ul></template>",
    "list": "<ul><li>Bienvenido, Mister Marshall</li></ul>",
    "unclosed": "<p>Pan negro<p>Las trece rosas<div>Ŕ",
    "page": (
        '<!DOCTYPE html>\n<html lang="es"><head><meta charset="utf-8" />'
        "<title>Ÿ</title></head>\n<body>\n<section><h1>El espíritu de la colmena</h1>"
        f"<p>{CUNEIFORM}</p></section>\n</body>\n</html>\n"
    ),
}


def _visible(read: Printed) -> tuple[str, bool]:
    """The characters that can print (blanks and controls draw nothing), and the flag."""
    shown = "".join(c for c in read.characters if unicodedata.category(c) not in fonts.INVISIBLE)
    return shown, read.bulleted


@pytest.mark.parametrize("case", list(HARD))
def test_lxml_reads_what_html_parser_reads(case: str) -> None:
    html = HARD[case]
    assert _visible(printed.page_text(html)) == _visible(fonts.page_text(html))


def test_the_skipped_elements_text_is_left_out() -> None:
    shown, bulleted = _visible(printed.page_text(HARD["skipped"]))
    assert shown == "Antesdpuéracol"  # each character once, in order of first use
    assert not bulleted and printed.page_text(HARD["list in a template"]).bulleted


@pytest.mark.parametrize("target", [Target.PRINT_PDF, Target.SCREEN_PDF, Target.WEB])
def test_the_sample_books_pages_read_alike(target: Target) -> None:
    anthology, _ = load(DEFAULT_ANTHOLOGY)
    book = render(anthology, target)
    page = fonts.page_text(book.page)
    composed = printed.book_page_text(book.page, [doc.body for doc in book.documents])
    assert _visible(composed) == _visible(page) and len(_visible(page)[0]) > 60
    assert book.printed is None or book.printed == composed
    bodies = [doc.body for doc in book.documents]
    assert _visible(printed.documents_text(bodies)) == _visible(fonts.page_text("".join(bodies)))


def test_a_page_that_hides_its_documents_is_read_whole() -> None:
    body = "<section><p>Ǯ visible solo fuera</p></section>"
    for page in (
        f"<html><body><p>Portada</p><template>{body}</template></body></html>",
        f"<html><body><p>Portada</p><template>{body}",  # never closed: hidden to the end
    ):
        read = printed.book_page_text(page, [body])
        assert _visible(read) == _visible(fonts.page_text(page)) == ("Portad", False)

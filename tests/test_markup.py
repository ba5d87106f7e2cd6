from __future__ import annotations

from lxml import etree

from publisher.render.markup import render_markdown

SOURCE = """\
> Caminante, no hay camino
> --- Antonio Machado

Texto con "comillas" y una nota[^a] &nbsp;&mdash; fin <b>crudo</b>.

## Un apartado

> Una frase destacada.
{: .pullquote}

![Cartel de la película](cartel.png "El cartel original")

| Año | Título |
|-----|--------|
| 1985 | *La vaquilla* |

Maquis
:   Guerrilla antifranquista.

[^a]: La nota, con "comillas".
"""


def parse(html: str) -> etree._Element:
    wrapped = f'<div xmlns:epub="http://www.idpf.org/2007/ops">{html}</div>'
    return etree.fromstring(wrapped.encode("utf-8"))


def test_output_is_well_formed_xhtml_without_named_entities() -> None:
    html = render_markdown(SOURCE, "es", "r", 1).html
    root = parse(html)  # raises if not well-formed
    assert root is not None
    for entity in ("&nbsp;", "&mdash;", "&laquo;", "&raquo;", "&#8617;"):
        assert entity not in html
    assert "<b>crudo</b>" in html  # allowlisted raw HTML passes (see tests/test_hostile.py)


def test_book_structure() -> None:
    fragment = render_markdown(SOURCE, "es", "r", 1, resolve_image=lambda src: "images/" + src)
    root = parse(fragment.html)
    epigraph = root.find("blockquote")
    assert epigraph is not None and epigraph.get("role") == "doc-epigraph"
    assert epigraph.findtext("p[@class='epigraph-source']") == "— Antonio Machado"
    assert root.find("h3") is not None and root.find("h2") is None  # shifted under the title
    assert root.find("aside[@role='doc-pullquote']") is not None
    figure = root.find("figure")
    assert figure is not None
    assert figure.find("img").get("src") == "images/cartel.png"
    assert figure.findtext("figcaption") == "El cartel original"
    assert fragment.images == ("cartel.png",)
    assert root.find("table") is not None and root.find("dl") is not None


def test_footnotes_are_epub_notes_with_book_unique_ids() -> None:
    fragment = render_markdown(SOURCE, "es", "la-vaquilla", 1)
    root = parse(fragment.html)
    ns = "{http://www.idpf.org/2007/ops}type"
    ref = root.find(".//a[@role='doc-noteref']")
    assert ref is not None and ref.get("href") == "#la-vaquilla-note-1" and ref.get(ns) == "noteref"
    note = root.find(".//aside[@id='la-vaquilla-note-1']")
    assert note is not None and note.get("role") == "doc-footnote" and note.get(ns) == "footnote"
    assert "«comillas»" in "".join(note.itertext())
    assert fragment.footnotes == 1


def test_print_notes_ride_inline_for_float_footnote() -> None:
    root = parse(render_markdown(SOURCE, "es", "r", 1, inline_notes=True).html)
    note = root.find(".//p/span[@class='footnote']")
    assert note is not None and "La nota" in "".join(note.itertext())
    assert root.find(".//section[@class='footnotes']") is None


def test_spanish_quotes_in_body() -> None:
    html = render_markdown('Dijo "hola ---y adiós---".', "es", "r", 1).html
    assert html == "<p>Dijo «hola —y adiós—».</p>"
    assert render_markdown('Said "hi".', "en", "r", 1).html == "<p>Said “hi”.</p>"

"""Links between reviews: classified at `check`, resolved per edition; no false alarms.

Issue 11, items 4 and 6. The reviews are our own sentences about three films.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

import pypdf
import pytest
from lxml import etree, html

from publisher.base.diagnostics import BuildFailed, Severity
from publisher.base.links import plan
from publisher.base.model import Destination
from publisher.pipeline import BuildRequest, Format, build, load
from publisher.render.markup import render_markdown

from .conftest import ONE_PART_TOML, ProjectMaker, review

COLMENA = """\
Ana descubre *Frankenstein* en la escuela de Hoyuelos y ya nada vuelve a ser igual.

## La casa de las abejas

Como en [la película de Chávarri](#bicicletas), la guerra queda fuera de campo.
Véase [el verano de Luisito](bicicletas.md#el-verano-de-1936) o [su ficha](./bicicletas.md).
Saura la cuenta de otro modo en [la última función](#la-ultima-funcion), y Chávarri
en [el verano](#bicicletas-el-verano-de-1936). Volvamos a [la casa](#la-casa-de-las-abejas)
y a la [ficha de Saura][saura].

- El guion de [Azcona y Saura](carmela.md#la-ultima-funcion) parte de una obra de teatro.

La copia restaurada está en <https://www.rtve.es/play/> y en [la Filmoteca](https://www.filmoteca.es/).

[saura]: carmela.md
"""
BICICLETAS = """\
Luisito quiere una bicicleta y la guerra se la aplaza tres años.

## El verano de 1936

Madrid sitiado, visto desde el comedor de una familia que aguanta.
"""
CARMELA = """\
Carmela y Paulino recorren los frentes con su teatrillo de variedades.

## La última función

En Belchite, ante los vencedores, Carmela ya no quiere callar.
"""
# (document, href as written in the edition) for every internal link of `colmena`, in order.
EPUB_HREFS = [
    "bicicletas.xhtml",
    "bicicletas.xhtml#bicicletas-el-verano-de-1936",
    "bicicletas.xhtml",
    "carmela.xhtml#carmela-la-ultima-funcion",
    "bicicletas.xhtml#bicicletas-el-verano-de-1936",
    "#colmena-la-casa-de-las-abejas",
    "carmela.xhtml",
    "carmela.xhtml#carmela-la-ultima-funcion",
]
ONE_FILE_HREFS = [
    "#bicicletas",
    "#bicicletas-el-verano-de-1936",
    "#bicicletas",
    "#carmela-la-ultima-funcion",
    "#bicicletas-el-verano-de-1936",
    "#colmena-la-casa-de-las-abejas",
    "#carmela",
    "#carmela-la-ultima-funcion",
]
EXTERNAL = ["https://www.rtve.es/play/", "https://www.filmoteca.es/"]


def three_films(make_project: ProjectMaker, colmena: str = COLMENA) -> Path:
    return make_project(
        {
            "colmena.md": review(
                "Las abejas de Erice", "El espíritu de la colmena", 1973, body=colmena
            ),
            "bicicletas.md": review(
                "Un verano largo", "Las bicicletas son para el verano", 1984, body=BICICLETAS
            ),
            "carmela.md": review("Variedades en el frente", "¡Ay, Carmela!", 1990, body=CARMELA),
        }
    )


def messages(anthology: Path) -> list[str]:
    with pytest.raises(BuildFailed) as failure:
        load(anthology)
    return [d.format() for d in sorted(failure.value.diagnostics)]


# -- each link kind lands on an existing document and id, in every edition -------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("links")

    def make(reviews: dict[str, str]) -> Path:
        (root / "manuscripts" / "reviews").mkdir(parents=True)
        (root / "manuscripts" / "anthology.toml").write_text(ONE_PART_TOML, encoding="utf-8")
        for name, text in reviews.items():
            (root / "manuscripts" / "reviews" / name).write_text(text, encoding="utf-8")
        return root / "manuscripts" / "anthology.toml"

    anthology = three_films(make)
    result = build(
        BuildRequest(anthology, frozenset(Format), root / "dist", cache=False, validate=True)
    )
    # EPUBCheck and Ace (real runs) and the PDF checks: nothing at all to report.
    assert [d.format() for d in result.diagnostics] == []
    assert {v.validator for v in result.validators} >= {"epubcheck", "ace"}
    return root / "dist"


def _internal(hrefs: list[str]) -> list[str]:
    return [h for h in hrefs if not re.match(r"[a-z]+:", h)]


def test_epub_links_name_an_existing_document_and_id(built: Path) -> None:
    with zipfile.ZipFile(built / "antologia-de-prueba.epub") as epub:
        documents = {
            name: etree.fromstring(epub.read(name))
            for name in epub.namelist()
            if name.startswith("EPUB/text/")
        }
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    colmena = documents["EPUB/text/colmena.xhtml"]
    body_links = colmena.xpath("//x:div[@class='review-body']//x:a/@href", namespaces=ns)
    assert _internal(body_links) == EPUB_HREFS
    assert [h for h in body_links if h.startswith("https:")] == EXTERNAL
    for href in EPUB_HREFS:
        file, _, fragment = href.partition("#")
        target = posixpath.join("EPUB/text", file) if file else "EPUB/text/colmena.xhtml"
        assert target in documents, href
        if fragment:
            assert documents[target].xpath(f"//*[@id='{fragment}']"), href


def test_html_edition_anchors_exist(built: Path) -> None:
    page = html.fromstring((built / "antologia-de-prueba.html").read_bytes())
    body = page.xpath("//section[@id='colmena']//div[@class='review-body']")[0]
    hrefs = body.xpath(".//a/@href")
    assert _internal(hrefs) == ONE_FILE_HREFS
    for href in ONE_FILE_HREFS:
        assert len(page.xpath(f"//*[@id='{href[1:]}']")) == 1, href
    heading = page.xpath("//h3[@id='bicicletas-el-verano-de-1936']")[0]
    assert heading.text_content() == "El verano de 1936"


def test_screen_pdf_has_an_internal_link_to_each_target(built: Path) -> None:
    reader = pypdf.PdfReader(built / "antologia-de-prueba.pdf")
    names = set(reader.named_destinations)
    linked = {
        str(annotation.get_object().get("/Dest"))
        for page in reader.pages
        for annotation in page.get("/Annots") or []
        if annotation.get_object().get("/Subtype") == "/Link"
    }
    for href in ONE_FILE_HREFS:
        assert href[1:] in names, href
        assert href[1:] in linked, href
    uris = {
        str(annotation.get_object()["/A"].get("/URI"))
        for page in reader.pages
        for annotation in page.get("/Annots") or []
        if "/A" in annotation.get_object()
    }
    assert set(EXTERNAL) <= uris


# -- each unresolvable kind stops `check` at its path:line:col --------------------------------

BAD = """\
Un párrafo sobre Erice.

Véase [la web](/resenas/colmena) y [las notas](notas-de-rodaje.txt).
También [otra reseña](el-sur.md) y [una escena](#la-escena-del-pozo).
Y [el final](bicicletas.md#el-final) y [un verano][verano].
Y [Saura](carmela) sin extensión.

[verano]: ../front/verano.md
"""
# Line 18 of the file: `Y [Saura](carmela) sin extensión.`


def test_unresolvable_links_stop_check_with_their_place(make_project: ProjectMaker) -> None:
    anthology = three_films(make_project, BAD)
    prefix = "manuscripts/reviews/colmena.md"
    assert messages(anthology) == [
        f"{prefix}:15:16: error: link-unresolved: link `/resenas/colmena` is root-relative, and"
        " a book has no site root: link a review as `slug.md` or `#slug`, or a web page with"
        " its full `https://` address",
        f"{prefix}:15:48: error: link-unresolved: link `notas-de-rodaje.txt` names no manuscript"
        " of this book: link a review as `slug.md` or `#slug`, or a web page with its full"
        " `https://` address",
        f"{prefix}:16:23: error: link-unresolved: link `el-sur.md` names no manuscript of this"
        " book: link a review as `slug.md` or `#slug`, or a web page with its full `https://`"
        " address",
        f"{prefix}:16:49: error: link-unresolved: link `#la-escena-del-pozo` goes nowhere: no"
        " review or heading of this book is called `la-escena-del-pozo`",
        f"{prefix}:17:14: error: link-unresolved: link `bicicletas.md#el-final`: bicicletas.md"
        " has no heading `el-final` (its headings: `#el-verano-de-1936`)",
        f"{prefix}:18:11: error: link-unresolved: link `carmela` names no manuscript of this"
        " book (did you mean `carmela.md`?)",
        f"{prefix}:20:11: error: link-unresolved: link `../front/verano.md` names no manuscript"
        " of this book: link a review as `slug.md` or `#slug`, or a web page with its full"
        " `https://` address",
    ]


def test_a_heading_name_shared_by_two_reviews_is_ambiguous(make_project: ProjectMaker) -> None:
    anthology = three_films(
        make_project, "Ver [el rodaje](#la-ultima-funcion).\n\n## La última función\n\nTexto.\n"
    )
    # Its own heading wins: a link inside a review means that review's heading first.
    assert load(anthology)[1] == ()
    bicicletas = BICICLETAS.replace("El verano de 1936", "La última función")
    anthology = make_project(
        {
            "colmena.md": review(
                film="El espíritu de la colmena", body="Ver [el final](#la-ultima-funcion)."
            ),
            "bicicletas.md": review(film="Las bicicletas son para el verano", body=bicicletas),
            "carmela.md": review(film="¡Ay, Carmela!", body=CARMELA),
        }
    )
    assert messages(anthology) == [
        "manuscripts/reviews/colmena.md:13:16: error: link-unresolved: link `#la-ultima-funcion`"
        " is ambiguous: carmela.md and bicicletas.md both have a heading `la-ultima-funcion`;"
        " write `carmela.md#la-ultima-funcion`"
    ]


def test_a_review_left_out_of_this_book_is_unlinked_with_a_warning(
    make_project: ProjectMaker,
) -> None:
    subset = ONE_PART_TOML.replace("front = []", "front = []\ninclude_all = false").replace(
        'select = { tags = ["guerra"] }', 'select = { slugs = ["colmena"] }'
    )
    anthology = make_project(
        {
            "colmena.md": review(
                film="El espíritu de la colmena",
                body="Como en [la de Chávarri](bicicletas.md), nada.",
            ),
            "bicicletas.md": review(film="Las bicicletas son para el verano", body=BICICLETAS),
        },
        toml=subset,
    )
    book, diagnostics = load(anthology)
    assert [d.format() for d in diagnostics] == [
        "manuscripts/reviews/colmena.md:13:26: warning: link-outside-book: link `bicicletas.md`"
        " names bicicletas.md, which this book does not include: the link is left out and its"
        " text kept"
    ]
    assert book.links.destinations == {("colmena", "bicicletas.md"): None}


def test_front_piece_links_to_a_review(make_project: ProjectMaker) -> None:
    toml = ONE_PART_TOML.replace("front = []", 'front = ["prologo"]')
    front = {
        "prologo.md": '---\ntitle: "Prólogo"\n---\n\n'
        "Empiece por [Erice](../reviews/colmena.md#la-casa-de-las-abejas).\n"
    }
    anthology = three_films(lambda reviews: make_project(reviews, toml, front))
    book, diagnostics = load(anthology)
    assert diagnostics == ()
    destination = book.links.destinations[
        ("prologo", "../reviews/colmena.md#la-casa-de-las-abejas")
    ]
    assert destination is not None
    assert (destination.document, destination.fragment) == (
        "colmena",
        "colmena-la-casa-de-las-abejas",
    )


# -- no false alarms; the alt-text rule on every image; an empty body ------------------------

CORRECT = """\
Erice cita el cine en el cine: <https://www.imdb.com/title/tt0070040/> y, para escribir al
archivo, <archivo@filmoteca.example.org>.

El montador escribía `<video>` y `<iframe>` en sus notas, como texto.

```html
<script>alert("esto es un ejemplo, no un guion")</script>

<iframe src="colmena.html"></iframe>
```

- En una lista:

    ```
    <video controls>
    ```

Y un bloque sangrado:

    <object data="colmena.swf"></object>
"""


def test_autolinks_and_code_raise_no_warning(make_project: ProjectMaker) -> None:
    anthology = make_project({"colmena.md": review(film="El espíritu de la colmena", body=CORRECT)})
    book, diagnostics = load(anthology)
    assert [d.format() for d in diagnostics] == []
    # …and the book shows them as the check says: links, and code as text.
    shown = render_markdown(book.reviews[0].manuscript.body, "es", "colmena", 1).html
    assert '<a href="https://www.imdb.com/title/tt0070040/">' in shown
    assert "&lt;script&gt;" in shown and "&lt;iframe" in shown and "&lt;object" in shown
    assert "&lt;video controls&gt;" in shown


def test_a_hash_line_in_code_is_not_a_heading(make_project: ProjectMaker) -> None:
    """A `# comment` inside fenced or indented code is shown as written, so it is no
    `markdown-heading-level` error; the same line in prose still is."""
    body = (
        "El guion de rodaje, tal como se conserva:\n\n```\n# ESCENA 12. INTERIOR. COLMENA\n```"
        "\n\nY sangrado:\n\n    # ESCENA 13. EXTERIOR. ERA\n\nFin.\n"
    )
    anthology = make_project({"colmena.md": review(film="El espíritu de la colmena", body=body)})
    assert [d.format() for d in load(anthology)[1]] == []
    prose = make_project({"colmena.md": review(film="El espíritu de la colmena", body="# Mal\n")})
    with pytest.raises(BuildFailed) as failed:
        load(prose)
    assert [d.code for d in failed.value.diagnostics] == ["markdown-heading-level"]


def test_a_tilde_fence_in_a_quote_is_not_code_and_is_still_reported(
    make_project: ProjectMaker,
) -> None:
    """Python-Markdown's fenced_code reads fences at the margin only: quoted, `<embed>` is raw
    HTML, removed from the book, so the check must say so."""
    body = 'Una cita:\n\n> ~~~\n> <embed src="colmena.swf">\n> ~~~\n'
    anthology = make_project({"colmena.md": review(film="El espíritu de la colmena", body=body)})
    book, diagnostics = load(anthology)
    assert [d.format() for d in diagnostics] == [
        "manuscripts/reviews/colmena.md:16:3: warning: raw-html-removed: raw HTML `<embed>` is"
        " not allowed in a manuscript and is left out"
    ]
    assert "embed" not in render_markdown(book.reviews[0].manuscript.body, "es", "x", 1).html


def test_reference_style_image_without_alt_is_an_error(make_project: ProjectMaker) -> None:
    body = "La colmena, de noche:\n\n![][fotograma]\n\n[fotograma]: fotograma.png\n"
    anthology = make_project({"colmena.md": review(film="El espíritu de la colmena", body=body)})
    (anthology.parent / "reviews" / "fotograma.png").write_bytes(_tiny_png())
    assert messages(anthology) == [
        "manuscripts/reviews/colmena.md:15:1: error: image-missing-alt: image has no alt text:"
        " write ![description](…)"
    ]


def test_an_empty_body_is_a_warning(make_project: ProjectMaker) -> None:
    anthology = make_project({"colmena.md": review(film="El espíritu de la colmena", body="  ")})
    _, diagnostics = load(anthology)
    assert [(d.severity, d.code, d.line) for d in diagnostics] == [
        (Severity.WARNING, "body-empty", 12)
    ]


def _tiny_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def test_each_use_of_a_bad_target_is_reported_where_it_stands(make_project: ProjectMaker) -> None:
    body = (
        "Primero [una](el-sur.md), luego [la de Saura][saura].\n"
        "Después [otra vez](el-sur.md).\n\n"
        "[saura]: carmela.md\n"
    )
    anthology = three_films(make_project, body)
    assert [m.split(": error")[0] for m in messages(anthology)] == [
        "manuscripts/reviews/colmena.md:13:15",
        "manuscripts/reviews/colmena.md:14:20",
    ]


def test_a_raw_html_link_into_the_book_is_dropped_with_a_warning(
    make_project: ProjectMaker,
) -> None:
    body = 'Ver <a href="bicicletas.md">la otra</a> y <a href="https://www.filmoteca.es/">esta</a>.'
    anthology = three_films(make_project, body)
    _, diagnostics = load(anthology)
    assert [d.format() for d in diagnostics] == [
        'manuscripts/reviews/colmena.md:13:5: warning: raw-html-removed: raw HTML `<a href="'
        'bicicletas.md">` is not allowed in a manuscript and is left out: write a Markdown link'
        " `[…](bicicletas.md)`, which is checked"
    ]
    shown = render_markdown(body, "es", "colmena", 1).html
    assert "<a>la otra</a>" in shown and '<a href="https://www.filmoteca.es/">' in shown


def test_a_part_introduction_links_into_the_book(make_project: ProjectMaker) -> None:
    intro = 'id = "guerra"\nintro = "Empieza con [Erice](reviews/colmena.md) y [la web](/guerra)."'
    toml = ONE_PART_TOML.replace('id = "guerra"', intro)
    anthology = three_films(lambda reviews: make_project(reviews, toml))
    assert messages(anthology) == [
        "manuscripts/anthology.toml:11: error: link-unresolved: link `/guerra` is root-relative,"
        " and a book has no site root: link a review as `slug.md` or `#slug`, or a web page"
        " with its full `https://` address"
    ]
    toml = toml.replace(" y [la web](/guerra)", "")
    book, _ = load(three_films(lambda reviews: make_project(reviews, toml)))
    assert book.links.destinations[("part-guerra", "reviews/colmena.md")] == Destination("colmena")
    assert plan(book.links, "part-guerra", epub=True).hrefs == (
        ("reviews/colmena.md", "colmena.xhtml"),
    )

"""Images, URLs and tables on the printed page (issue 11, items 5 and 7), read back from real PDFs.

One small book (its own reviews and Pillow-made images) is built twice: theme `clasico` at A5
and theme `contemporaneo` at 6 × 9 in. Where each image is drawn comes from the content streams
(pikepdf, CTM tracked through `q`/`Q`/`cm` and form XObjects); what a page says, from poppler.
"""

from __future__ import annotations

import functools
import html
import re
import subprocess
import textwrap
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pikepdf
import pytest
from lxml import etree
from PIL import Image, ImageDraw

from publisher.pipeline import BuildRequest, Format, build
from publisher.validation import run_ace, run_epubcheck

EPOCH = "1795046400"
MARGINS = {"top": 0.085, "bottom": 0.11, "inside": 0.14, "outside": 0.115}  # paged-profile.css.j2

TOML = """\
title = "Imágenes y direcciones"
editors = ["Ana Editora"]
publisher = "Prensa de Pruebas"
lang = "es"
date = 2026-01-15
rights = "© 2026"
description = "Una antología para probar la maqueta."
theme = "{theme}"
front = []

[print]
trim = "{trim}"

[[parts]]
id = "maqueta"
title = "Maqueta"
select = {{ tags = ["maqueta"] }}
order = "title"
"""


def _review(title: str, film: str, year: int, director: str, body: str) -> str:
    return (
        f'---\ntitle: "{title}"\nfilm:\n  title: "{film}"\n  year: {year}\n'
        f'  directors: ["{director}"]\n  country: "España"\ndate: 2026-01-10\n'
        f"tags: [maqueta]\n---\n\n{textwrap.dedent(body).strip()}\n"
    )


# Each image: (file, alt, caption, pixel size). Captions are what the test looks for.
IMAGES = {
    "torre.png": (
        "Una torre gris con una franja roja abajo",
        # Ten lines or so: the image must leave room for all of them on its page.
        "El campanario de Belchite, el pueblo que la guerra dejó en ruinas y que el régimen"
        " mandó conservar así, como escenario de una victoria; Terry Gilliam rodó allí"
        " escenas de Las aventuras del barón Munchausen en 1987 y Guillermo del Toro"
        " buscó en sus calles la luz de El laberinto del fauno, aunque la rodara en otra"
        " parte; hoy se visita con guía y de noche, entre leyendas de voces y de tiros."
        " Los vecinos que sobrevivieron al asedio de 1937 se fueron al pueblo nuevo que"
        " levantaron los presos del campo de trabajo, y las ruinas quedaron para el cine,"
        " que volvió una y otra vez a buscar en ellas la guerra que no se podía rodar en"
        " ningún otro sitio con tanta verdad ni con tan poco dinero",
        (240, 2400),
    ),
    "franja.png": (
        "Una franja azul con un remate verde",
        "El frente del Ebro a lo ancho",
        (3000, 150),
    ),
    "cartel.jpg": ("Mitad roja y banda cian", "Cartel de 1936 en cuatricromía", (640, 400)),
    "halo.png": ("Un círculo azul translúcido", "Un halo sobre el papel", (600, 400)),
}

IMAGE_REVIEW = _review(
    "Belchite en imágenes",
    "El espíritu de la colmena",
    1973,
    "Víctor Erice",
    f"""
    Víctor Erice rodó *El espíritu de la colmena* en un pueblo de Segovia en 1973.

    ![Una torre gris con una franja roja abajo](torre.png "{IMAGES["torre.png"][1]}")

    ![Una franja azul con un remate verde](franja.png "El frente del Ebro a lo ancho")

    ![Mitad roja y banda cian](cartel.jpg "Cartel de 1936 en cuatricromía")

    ![Un círculo azul translúcido](halo.png "Un halo sobre el papel")

    Ana Torrent tenía siete años cuando se estrenó la película.
    """,
)

LINK = (
    "https://www.filmotecadelamemoriaylaguerracivil.example.es/archivo/peliculas/1999"
    "/la-lengua-de-las-mariposas-copia-restaurada-con-subtitulos-para-sordos.html"
)
BARE = "https://hemeroteca.example.es/criticas/1995/tierra-y-libertad-estreno-en-madrid.pdf"
IDENTIFIER = "COPIA_1999_CUERDA_MARIPOSAS_RESTAURACION_DEFINITIVA"
URL_REVIEW = _review(
    "Direcciones de la memoria",
    "La lengua de las mariposas",
    1999,
    "José Luis Cuerda",
    f"""
    La copia restaurada de la película de José Luis Cuerda puede verse entera en [{LINK}]({LINK}) y conviene verla antes de leer esta reseña sobre la escuela republicana.

    Fernando Fernán Gómez interpreta al maestro con una ternura que la crítica llamó antisentimentalmenteconmovedora sin pudor alguno.

    El archivo cataloga la copia como `{IDENTIFIER}` en su inventario de la Filmoteca.

    > La crítica de *Tierra y libertad* que publicó un diario madrileño sigue en {BARE} para quien la busque.
    """,
)

TABLE_REVIEW = _review(
    "Cuatro películas en cifras",
    "Las trece rosas",
    2007,
    "Emilio Martínez-Lázaro",
    """
    Estas cuatro películas cuentan la guerra y la posguerra desde la retaguardia.

    | Película de la guerra y la posguerra | Año de estreno | Dirección | Productora principal | Duración aproximada | Observaciones del programador |
    |---|---|---|---|---|---|
    | El espíritu de la colmena | 1973 | Víctor Erice | Elías Querejeta | 98 min | Una niña descubre el monstruo de Frankenstein en un pueblo castellano |
    | La lengua de las mariposas | 1999 | José Luis Cuerda | Sogecine | 96 min | Un maestro republicano y su alumno en la Galicia de 1936 |
    | Las trece rosas | 2007 | Emilio Martínez-Lázaro | Enrique Cerezo | 132 min | Trece jóvenes fusiladas en agosto de 1939 en Madrid |

    Los premios de la Academia, uno por columna, no caben en la página sin apretarse.

    | Película | Dirección | Guion | Fotografía | Montaje | Música | Interpretación | Producción |
    |---|---|---|---|---|---|---|---|
    | Lenguamariposas | CuerdaMartínez | RivasAzcona | JavierSalmones | IgnacioCayetano | AlejandroAmenábar | FernandoFernán | SogecineSogepaq |
    """,
)


def _make_images(folder: Path) -> None:
    tall = Image.new("RGB", IMAGES["torre.png"][2], (150, 150, 150))
    ImageDraw.Draw(tall).rectangle((0, 2160, 239, 2399), fill=(230, 0, 0))
    tall.save(folder / "torre.png")
    wide = Image.new("RGB", IMAGES["franja.png"][2], (200, 210, 250))
    ImageDraw.Draw(wide).rectangle((2850, 0, 2999, 149), fill=(0, 150, 0))
    wide.save(folder / "franja.png")
    cmyk = Image.new("CMYK", IMAGES["cartel.jpg"][2], (0, 0, 0, 0))
    draw = ImageDraw.Draw(cmyk)
    draw.rectangle((0, 0, 319, 399), fill=(0, 255, 255, 0))  # red: magenta + yellow
    draw.rectangle((320, 150, 639, 249), fill=(255, 0, 0, 0))  # cyan
    cmyk.save(folder / "cartel.jpg", quality=95)
    halo = Image.new("RGBA", (600, 400), (0, 0, 0, 0))
    ImageDraw.Draw(halo).ellipse((150, 50, 450, 350), fill=(0, 0, 255, 128))
    halo.save(folder / "halo.png")


def make_book(root: Path, theme: str, trim: str) -> Path:
    """The test book's anthology file, under `root`."""
    reviews = root / "manuscripts" / "reviews"
    reviews.mkdir(parents=True)
    (root / "manuscripts" / "front").mkdir()
    (root / "manuscripts" / "anthology.toml").write_text(
        TOML.format(theme=theme, trim=trim), encoding="utf-8"
    )
    (reviews / "belchite.md").write_text(IMAGE_REVIEW, encoding="utf-8")
    (reviews / "direcciones.md").write_text(URL_REVIEW, encoding="utf-8")
    (reviews / "cifras.md").write_text(TABLE_REVIEW, encoding="utf-8")
    _make_images(reviews)
    return root / "manuscripts" / "anthology.toml"


@dataclass(frozen=True)
class Book:
    name: str
    screen: Path
    print: Path


@pytest.fixture(scope="module", params=[("clasico", "148x210mm"), ("contemporaneo", "6x9in")])
def book(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Book:
    theme, trim = request.param
    root = tmp_path_factory.mktemp(f"layout-{theme}")
    anthology = make_book(root, theme, trim)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        result = build(BuildRequest(anthology, frozenset({Format.PDF}), root / "dist", cache=False))
    assert not [d for d in result.diagnostics if d.code != "raw-html-removed"], result.diagnostics
    [screen] = [o.path for o in result.outputs if not o.path.name.endswith("-print.pdf")]
    [printed] = [o.path for o in result.outputs if o.path.name.endswith("-print.pdf")]
    return Book(f"{theme}-{trim}", screen, printed)


# -- reading the PDFs --------------------------------------------------------------------------

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1, 0, 0, 1, 0, 0)


@dataclass(frozen=True)
class Drawn:
    page: int  # 0-based
    pixels: tuple[int, int]  # the image's own width and height
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in PDF points, user space


def _times(m: Matrix, n: Matrix) -> Matrix:
    """m × n: first m, then n (PDF row-vector convention)."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s,
            e * p + f * r + t, e * q + f * s + u)  # fmt: skip


def _images_in(stream_owner: pikepdf.Object, resources: pikepdf.Object, ctm: Matrix):  # type: ignore[no-untyped-def]
    stack: list[Matrix] = []
    for operands, operator in pikepdf.parse_content_stream(stream_owner):
        op = str(operator)
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop()
        elif op == "cm":
            ctm = _times(tuple(float(Decimal(str(x))) for x in operands), ctm)  # type: ignore[arg-type]
        elif op == "Do":
            xobject = resources.XObject[operands[0]]
            if xobject.Subtype == "/Image":
                corners = [(x * ctm[0] + y * ctm[2] + ctm[4], x * ctm[1] + y * ctm[3] + ctm[5])
                           for x in (0, 1) for y in (0, 1)]  # fmt: skip
                xs, ys = [p[0] for p in corners], [p[1] for p in corners]
                yield (
                    (int(xobject.Width), int(xobject.Height)),
                    (min(xs), min(ys), max(xs), max(ys)),
                )
            elif xobject.Subtype == "/Form":
                matrix = tuple(float(x) for x in xobject.get("/Matrix", IDENTITY))
                inner = xobject.get("/Resources", resources)
                yield from _images_in(xobject, inner, _times(matrix, ctm))  # type: ignore[arg-type]


def drawn_images(pdf: Path) -> list[Drawn]:
    found = []
    with pikepdf.open(pdf) as document:
        for number, page in enumerate(document.pages):
            for pixels, box in _images_in(page.obj, page.resources, IDENTITY):
                found.append(Drawn(number, pixels, box))
    return found


def trim_box(pdf: Path, page: int) -> tuple[float, float, float, float]:
    with pikepdf.open(pdf) as document:
        obj = document.pages[page].obj
        box = obj.get("/TrimBox", obj.MediaBox)
        return tuple(float(x) for x in box)  # type: ignore[return-value]


def text_block(pdf: Path, page: int) -> tuple[float, float, float, float]:
    """The page area: trim less the margins of paged-profile.css.j2 (page 0 is a recto)."""
    x0, y0, x1, y1 = trim_box(pdf, page)
    width, height = x1 - x0, y1 - y0
    left = MARGINS["outside" if page % 2 == 0 else "inside"] * width
    right = MARGINS["inside" if page % 2 == 0 else "outside"] * width
    # The template rounds margins to 0.1 mm: allow that much.
    slack = 0.1 * 72 / 25.4
    return (x0 + left - slack, y0 + MARGINS["bottom"] * height - slack,
            x1 - right + slack, y1 - MARGINS["top"] * height + slack)  # fmt: skip


def page_text(pdf: Path, page: int, *options: str) -> str:
    number = str(page + 1)
    return subprocess.run(
        ["pdftotext", *options, "-f", number, "-l", number, str(pdf), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


def _pages(pdf: Path) -> int:
    with pikepdf.open(pdf) as document:
        return len(document.pages)


def _find_page(pdf: Path, words: str) -> int:
    for page, text in enumerate(_all_pages(pdf)):
        if words in " ".join(text.split()):
            return page
    raise AssertionError(f"{words!r} is on no page of {pdf.name}")


@functools.cache
def _all_pages(pdf: Path) -> tuple[str, ...]:
    """Each page's text, from one `pdftotext` run per PDF (the files are never rewritten)."""
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return tuple(text.split("\f")[: _pages(pdf)])


def _ours(pdf: Path) -> dict[str, Drawn]:
    """The four images of the test book by file name (crop marks and the like left out)."""
    by_size = {spec[2]: name for name, spec in IMAGES.items()}
    found = {by_size[d.pixels]: d for d in drawn_images(pdf) if d.pixels in by_size}
    assert set(found) == set(IMAGES), f"images drawn: {sorted(found)}"
    return found


# -- images ------------------------------------------------------------------------------------


def assert_images_fit(pdf: Path) -> None:
    """Each image inside its page's text block and trim, drawn at its own proportions."""
    for name, drawn in _ours(pdf).items():
        x0, y0, x1, y1 = drawn.box
        bx0, by0, bx1, by1 = text_block(pdf, drawn.page)
        assert bx0 <= x0 and x1 <= bx1 and by0 <= y0 and y1 <= by1, (
            f"{pdf.name}: {name} drawn at {drawn.box} on page {drawn.page + 1}, "
            f"text block {(bx0, by0, bx1, by1)}"
        )
        tx0, ty0, tx1, ty1 = trim_box(pdf, drawn.page)
        assert tx0 <= x0 and x1 <= tx1 and ty0 <= y0 and y1 <= ty1
        width, height = drawn.pixels
        assert (x1 - x0) / (y1 - y0) == pytest.approx(width / height, rel=0.01), name


@pytest.mark.parametrize("profile", ["screen", "print"])
def test_every_image_lies_inside_the_text_block_and_keeps_its_proportions(
    book: Book, profile: str
) -> None:
    assert_images_fit(book.screen if profile == "screen" else book.print)


@pytest.mark.parametrize("profile", ["screen", "print"])
def test_each_caption_is_on_the_page_of_its_image(book: Book, profile: str) -> None:
    pdf = book.screen if profile == "screen" else book.print
    for name, drawn in _ours(pdf).items():
        caption = IMAGES[name][1]
        text = re.sub("\u2010\n", "", page_text(pdf, drawn.page))  # hyphenated at line ends
        words = " ".join(text.split())
        assert caption in words, f"{book.name} {profile}: {caption!r} not on page {drawn.page + 1}"


def _render(pdf: Path, page: int, dpi: int = 36) -> Image.Image:
    out = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-f", str(page + 1), "-l", str(page + 1), str(pdf)],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    from io import BytesIO

    return Image.open(BytesIO(out)).convert("RGB")


def _pixel(pdf: Path, drawn: Drawn, fx: float, fy: float, dpi: int = 36) -> tuple[int, int, int]:
    """The rendered colour at (fx, fy) of the image's box, from its top-left corner."""
    with pikepdf.open(pdf) as document:
        media = [float(x) for x in document.pages[drawn.page].obj.MediaBox]
    x0, y0, x1, y1 = drawn.box
    x = x0 + fx * (x1 - x0)
    y = y1 - fy * (y1 - y0)
    scale = dpi / 72
    image = _render(pdf, drawn.page, dpi)
    return image.getpixel((int((x - media[0]) * scale), int((media[3] - y) * scale)))  # type: ignore[return-value]


def assert_colours(pdf: Path) -> None:
    """The CMYK JPEG shows red and cyan on white; the PNG's alpha lets the paper through."""
    images = _ours(pdf)
    red = _pixel(pdf, images["cartel.jpg"], 0.25, 0.2)
    cyan = _pixel(pdf, images["cartel.jpg"], 0.8, 0.5)
    paper = _pixel(pdf, images["cartel.jpg"], 0.8, 0.1)
    assert red[0] > 180 and red[1] < 100 and red[2] < 100, red
    assert cyan[0] < 100 and cyan[1] > 120 and cyan[2] > 180, cyan
    assert min(paper) > 230, paper
    corner = _pixel(pdf, images["halo.png"], 0.05, 0.05)
    centre = _pixel(pdf, images["halo.png"], 0.5, 0.5)
    assert min(corner) > 230, corner  # transparent: the paper shows through
    assert 90 < centre[0] < 170 and centre[2] > 220, centre  # half-transparent blue on white
    bottom = _pixel(pdf, images["torre.png"], 0.5, 0.97)
    assert bottom[0] > 180 and bottom[1] < 80, bottom  # the tall image's foot is printed


@pytest.mark.parametrize("profile", ["screen", "print"])
def test_cmyk_jpeg_and_transparent_png_print_their_colours(book: Book, profile: str) -> None:
    assert_colours(book.screen if profile == "screen" else book.print)


def _spoil(pdf: Path, out: Path, change) -> Path:  # type: ignore[no-untyped-def]
    """A copy of `pdf` with `change(document)` applied: a deliberate fault for the checks."""
    with pikepdf.open(pdf) as document:
        change(document)
        document.save(out)
    return out


def _image_objects(document: pikepdf.Pdf) -> dict[tuple[int, int], pikepdf.Object]:
    found = {}
    for page in document.pages:
        for _, xobject in page.resources.get("/XObject", {}).items():
            if xobject.get("/Subtype") == "/Image":
                found[(int(xobject.Width), int(xobject.Height))] = xobject
    return found


def test_colour_check_sees_an_inverted_cmyk_jpeg_and_a_lost_alpha(
    book: Book, tmp_path: Path
) -> None:
    def invert_cmyk(document: pikepdf.Pdf) -> None:
        # WeasyPrint undoes the inversion of Adobe CMYK JPEGs with /Decode [1 0 1 0 1 0 1 0];
        # without it the poster prints as a negative.
        image = _image_objects(document)[IMAGES["cartel.jpg"][2]]
        assert [float(x) for x in image.Decode] == [1, 0] * 4
        del image["/Decode"]

    def drop_alpha(document: pikepdf.Pdf) -> None:
        del _image_objects(document)[IMAGES["halo.png"][2]]["/SMask"]

    for fault in (invert_cmyk, drop_alpha):
        spoiled = _spoil(book.screen, tmp_path / f"{fault.__name__}.pdf", fault)
        with pytest.raises(AssertionError):
            assert_colours(spoiled)


def test_fit_check_sees_an_image_drawn_past_the_foot_of_the_page(
    book: Book, tmp_path: Path
) -> None:
    """Today's fault: the tall image drawn at its full height runs off the page."""
    tall = IMAGES["torre.png"][2]

    def stretch(document: pikepdf.Pdf) -> None:
        for page in document.pages:
            names = {
                str(name)
                for name, xobject in page.resources.get("/XObject", {}).items()
                if xobject.get("/Subtype") == "/Image"
                and (int(xobject.Width), int(xobject.Height)) == tall
            }
            if not names:
                continue
            instructions = list(pikepdf.parse_content_stream(page))
            for index, (operands, operator) in enumerate(instructions):
                if str(operator) == "Do" and str(operands[0]) in names:
                    cm_operands, cm = instructions[index - 1]
                    assert str(cm) == "cm"
                    a, b, c, d, e, f = (float(x) for x in cm_operands)
                    instructions[index - 1] = pikepdf.ContentStreamInstruction(
                        [a, b, c, d * 4, e, f * 4], pikepdf.Operator("cm")
                    )
            page.obj.Contents = document.make_stream(pikepdf.unparse_content_stream(instructions))

    spoiled = _spoil(book.print, tmp_path / "stretched.pdf", stretch)
    with pytest.raises(AssertionError, match=r"torre\.png"):
        assert_images_fit(spoiled)


def test_pdfs_pass_qpdf_and_the_screen_pdf_tags_each_image_with_its_alt(book: Book) -> None:
    for pdf in (book.screen, book.print):
        check = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    with pikepdf.open(book.screen) as document:
        assert b"pdfuaid:part" in document.Root.Metadata.read_bytes()
        alts = set()
        pending = [document.Root.StructTreeRoot]
        while pending:
            node = pending.pop()
            if isinstance(node, pikepdf.Array):
                pending.extend(node)
            elif isinstance(node, pikepdf.Dictionary):
                if node.get("/S") == "/Figure":
                    alts.add(str(node.get("/Alt")))
                if "/K" in node:
                    pending.append(node.K)
    assert {spec[0] for spec in IMAGES.values()} <= alts


# -- URLs --------------------------------------------------------------------------------------


def _joined(pdf: Path, words: str) -> str:
    """The text of the page holding `words`, lines joined with nothing between them."""
    return "".join(page_text(pdf, _find_page(pdf, words)).splitlines())


@pytest.mark.parametrize("profile", ["screen", "print"])
def test_urls_break_without_hyphens_and_read_back_whole(book: Book, profile: str) -> None:
    pdf = book.screen if profile == "screen" else book.print
    text = _joined(pdf, "La copia restaurada")
    for url in (LINK, BARE):
        assert url in text, f"{book.name} {profile}: {url} not recoverable from\n{text}"
    assert IDENTIFIER in text
    raw = page_text(pdf, _find_page(pdf, "La copia restaurada"))
    # A line that ends inside a URL never ends with a hyphen (ours or the URL's own).
    for line in raw.splitlines():
        if re.search(r"(filmoteca|hemeroteca|mariposas|libertad|COPIA)", line):
            assert not line.rstrip().endswith(("-", "\u2010", "\u00ad")), line
    assert "\u200b" not in raw  # no zero-width space in the text layer


def _words(pdf: Path, page: int) -> list[tuple[float, float, float, str]]:
    """(xMin, yMin, xMax, word) of every word on a page (y from the top)."""
    xml = page_text(pdf, page, "-bbox")
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>([^<]*)</word>'
    return [
        (float(a), float(b), float(c), html.unescape(w)) for a, b, c, w in re.findall(pattern, xml)
    ]


@pytest.mark.parametrize("profile", ["screen", "print"])
def test_justified_lines_around_urls_keep_modest_word_spaces(book: Book, profile: str) -> None:
    pdf = book.screen if profile == "screen" else book.print
    page = _find_page(pdf, "La copia restaurada")
    words = _words(pdf, page)
    top = min(y for _, y, _, w in words if w == "copia")  # the body starts here (no film card)
    lines: dict[int, list[tuple[float, float]]] = {}
    for x0, y, x1, _ in words:
        if y >= top - 1:
            lines.setdefault(round(y), []).append((x0, x1))
    gaps = [
        (nxt[0] - cur[1], y)
        for y, line in lines.items()
        for cur, nxt in zip(sorted(line), sorted(line)[1:], strict=False)
    ]
    worst = max(gaps)
    assert worst[0] < 9.0, f"{book.name} {profile}: a word space of {worst[0]:.1f} pt"  # ~0.85 em


# -- tables ------------------------------------------------------------------------------------


def test_a_table_too_wide_for_the_page_stays_inside_the_text_block(book: Book) -> None:
    page = _find_page(book.screen, "uno por columna")
    x0 = trim_box(book.screen, page)[0]
    right = text_block(book.screen, page)[2] - x0  # pdftotext measures from the left edge
    words = _words(book.screen, page)
    top = min(y for _, y, _, w in words if w == "Película")
    cells = [(x_max, w) for _, y, x_max, w in words if y >= top]
    assert "Academia," in {w for _, _, _, w in words}
    assert cells and max(cells)[0] <= right + 0.5, f"{book.name}: {max(cells)} past {right:.1f}"


def _table_words(pdf: Path) -> list[tuple[float, float, str]]:
    """(xMin, yMin, word) of every word on the table's page."""
    return [(x, y, w) for x, y, _, w in _words(pdf, _find_page(pdf, "Estas cuatro películas"))]


def _first_column_lines(words: list[tuple[float, float, str]]) -> list[str]:
    """Lines of the table's first column (left of the year column), top to bottom."""
    year_x = min(x for x, _, w in words if w == "Año")
    header_y = min(y for x, y, w in words if w == "Película")
    lines: dict[int, list[tuple[float, str]]] = {}
    for x, y, word in words:
        if x < year_x - 1 and y >= header_y - 1:
            lines.setdefault(round(y), []).append((x, word))
    return [" ".join(w for _, w in sorted(lines[y])) for y in sorted(lines)]


@pytest.mark.parametrize("profile", ["screen", "print"])
def test_table_first_column_is_not_one_word_per_line(book: Book, profile: str) -> None:
    pdf = book.screen if profile == "screen" else book.print
    lines = _first_column_lines(_table_words(pdf))
    for title in ("El espíritu de la colmena", "La lengua de las mariposas"):
        spans = [
            end - start
            for start in range(len(lines))
            for end in range(start + 1, len(lines) + 1)
            if " ".join(lines[start:end]) == title
        ]
        assert spans, f"{book.name} {profile}: {title!r} not in the first column: {lines}"
        assert min(spans) <= 2, f"{book.name} {profile}: {title!r} set on {min(spans)} lines"


@pytest.mark.parametrize("profile", ["screen", "print"])
def test_table_headers_are_never_hyphenated(book: Book, profile: str) -> None:
    pdf = book.screen if profile == "screen" else book.print
    placed = _table_words(pdf)
    top = min(y for _, y, w in placed if w == "Película")
    bottom = min(y for _, y, w in placed if w == "premios")  # the paragraph after the table
    words = [w for _, y, w in placed if top - 1 <= y < bottom]
    for label in ("Película", "estreno", "Dirección", "Productora", "aproximada", "Observaciones"):
        assert label in words, f"{book.name} {profile}: header word {label!r} split: {words}"
    # WeasyPrint's inserted hyphen is U+2010; a name's own hyphen (Martínez-Lázaro) is U+002D.
    assert not [w for w in words if w.endswith(("\u2010", "\u00ad"))]


# -- the EPUB keeps the same marks and stays valid ---------------------------------------------


def test_epub_with_break_marks_passes_epubcheck_and_ace(tmp_path: Path) -> None:
    anthology = make_book(tmp_path, "clasico", "148x210mm")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        result = build(
            BuildRequest(anthology, frozenset({Format.EPUB}), tmp_path / "dist", cache=False)
        )
    [epub] = [o.path for o in result.outputs]
    with zipfile.ZipFile(epub) as archive:
        [name] = [n for n in archive.namelist() if n.endswith("direcciones.xhtml")]
        root = etree.fromstring(archive.read(name))
    namespaces = {"x": "http://www.w3.org/1999/xhtml"}
    assert root.xpath("//x:a//x:wbr", namespaces=namespaces)
    text = "".join(root.itertext())
    assert LINK in text and BARE in text and IDENTIFIER in text and "\u200b" not in text
    checked = run_epubcheck(epub)
    counts = checked.counts
    assert (counts.get("fatal"), counts.get("error"), counts.get("warning")) == (0, 0, 0), [
        d.message for d in checked.diagnostics
    ]
    ace = run_ace(epub, tmp_path / "ace")
    assert ace.details.get("outcome") == "pass" and ace.counts.get("violations") == 0, [
        d.message for d in ace.diagnostics
    ]

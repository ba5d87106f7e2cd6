"""The book's cover in every edition: the anthology's `cover_image`, else the generated
typographic cover, is the EPUB cover, page 1 of the screen PDF, the head of the web edition and
the front of the cover wrap, never in the print interior; `cover_image` is checked at its line
like any image (issue 16)."""

from __future__ import annotations

import io
import subprocess
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import pikepdf
import pytest
from lxml import etree, html
from PIL import Image, ImageChops, ImageFilter, ImageStat

from publisher.base.diagnostics import BuildFailed, Diagnostic
from publisher.export.cover import cover_png
from publisher.export.wrap import BLEED
from publisher.pipeline import BuildRequest, Format, build, load, read_spec
from publisher.validation import ValidatorResult, run_ace, run_epubcheck
from publisher.validation.edition_words import read_edition
from publisher.validation.fidelity import check_fidelity
from publisher.validation.files import validate_files

from .conftest import ONE_PART_TOML, review

EPOCH = "1800000000"
TITLE = "Antología de prueba"
# The cover's text alternative, everywhere: title, editors, publisher (ONE_PART_TOML's).
ALT = "Cubierta: Antología de prueba. Edición de Ana Editora. Prensa de Pruebas."
COVER_SIZE = (1600, 2560)
RED, CREAM = (120, 30, 30), (230, 220, 200)
COVER_LINE = 'cover_image = "cover.jpg"\n'
OPF = {"opf": "http://www.idpf.org/2007/opf"}
XHTML = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
BODY = (
    "*La caza* encierra a tres veteranos de la guerra en un coto de conejos, y el calor de la"
    " meseta hace el resto."
)
MM = 72 / 25.4  # points per millimetre


class Built(NamedTuple):
    kind: str  # "image" (`cover_image`) or "generated"
    anthology: Path
    cover: bytes  # the cover image's bytes, as the EPUB must hold them
    href: str  # its path in the EPUB
    media_type: str
    html: Path
    screen: Path
    print: Path
    epub: Path
    wrap: Path
    epubcheck: ValidatorResult
    ace: ValidatorResult


def _cover(path: Path, size: tuple[int, int] = COVER_SIZE, mode: str = "RGB") -> bytes:
    """A cover drawn here: two bands, so that a cropped or squeezed copy would differ."""
    image = Image.new(mode, size, RED if mode == "RGB" else 0)
    if mode == "RGB":
        image.paste(CREAM, (0, size[1] // 2, size[0], size[1]))
    image.save(path, quality=90)
    return path.read_bytes()


def _project(root: Path, toml: str = COVER_LINE + ONE_PART_TOML) -> Path:
    manuscripts = root / "manuscripts"
    (manuscripts / "reviews").mkdir(parents=True)
    (manuscripts / "front").mkdir()
    (manuscripts / "reviews" / "la-caza.md").write_text(
        review("Un coto de caza", "La caza", 1966, body=BODY), encoding="utf-8"
    )
    anthology = manuscripts / "anthology.toml"
    anthology.write_text(toml, encoding="utf-8")
    return anthology


@pytest.fixture(scope="module", params=["image", "generated"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Every edition and the wrap of a one-review book, with the `cover_image` or without."""
    kind = request.param
    root = tmp_path_factory.mktemp(f"cover-{kind}")
    anthology = _project(root, COVER_LINE + ONE_PART_TOML if kind == "image" else ONE_PART_TOML)
    if kind == "image":
        cover, href, media_type = _cover(root / "manuscripts" / "cover.jpg"), "jpg", "image/jpeg"
    else:
        cover, href, media_type = cover_png(read_spec(anthology)), "png", "image/png"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        request = BuildRequest(anthology, frozenset(Format), root / "dist", cache=False, cover=True)
        outputs = {output.path.name: output.path for output in build(request).outputs}
    epub = outputs["antologia-de-prueba.epub"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        epubcheck = pool.submit(run_epubcheck, epub)
        ace = pool.submit(run_ace, epub, tmp_path_factory.mktemp("cover-ace"))
        return Built(
            kind,
            anthology,
            cover,
            f"images/cover.{href}",
            media_type,
            outputs["antologia-de-prueba.html"],
            outputs["antologia-de-prueba.pdf"],
            outputs["antologia-de-prueba-print.pdf"],
            epub,
            outputs["antologia-de-prueba-cover.pdf"],
            epubcheck.result(),
            ace.result(),
        )


def _shown(result: ValidatorResult) -> str:
    return "\n".join(d.format() for d in result.diagnostics)


def _images(pdf: Path, page: int) -> list[tuple[int, int]]:
    """(width, height) in pixels of each image XObject page `page` (0-based) draws."""
    with pikepdf.open(pdf) as document:
        resources = document.pages[page].obj.get("/Resources", pikepdf.Dictionary())
        xobjects = resources.get("/XObject", pikepdf.Dictionary())
        return [
            (int(xobject.Width), int(xobject.Height))
            for _, xobject in xobjects.items()
            if xobject.get("/Subtype") == pikepdf.Name.Image
        ]


def _poppler(pdf: Path, out: Path, dpi: int = 72) -> Image.Image:
    """Page 1 rendered by Poppler (an independent reader), as RGB."""
    subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", str(dpi), "-png", str(pdf), str(out)])
    [png] = out.parent.glob(f"{out.name}*.png")
    with Image.open(png) as page:
        return page.convert("RGB")


def _filled(cover: bytes, size: tuple[int, int]) -> Image.Image:
    """The cover scaled to fill `size` and cropped about its centre (CSS `object-fit: cover`)."""
    with Image.open(io.BytesIO(cover)) as image:
        scale = max(size[0] / image.width, size[1] / image.height)
        scaled = image.convert("RGB").resize(
            (round(image.width * scale), round(image.height * scale)), Image.Resampling.BOX
        )
    left, top = (scaled.width - size[0]) // 2, (scaled.height - size[1]) // 2
    return scaled.crop((left, top, left + size[0], top + size[1]))


def _correlation(a: Image.Image, b: Image.Image) -> float:
    """Pearson's correlation of two same-sized images' grey levels: 1 for the same picture
    (whatever the colour management's shifts), about 0 for unrelated ones or a flat one."""
    # Blurred first: a thin rule a pixel off (rounding of the panel's edge) still matches.
    blurred = (i.convert("L").filter(ImageFilter.GaussianBlur(3)) for i in (a, b))
    xs, ys = (list(image.get_flattened_data()) for image in blurred)
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx, syy = sum((x - mx) ** 2 for x in xs), sum((y - my) ** 2 for y in ys)
    return sxy / (sxx * syy) ** 0.5 if sxx and syy else 0.0


def _difference(a: Image.Image, b: Image.Image) -> float:
    """The mean difference of two same-sized RGB images, 0-255 per channel."""
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


# -- EPUB --------------------------------------------------------------------------------------


def test_the_epub_cover_is_the_image_with_its_property_page_and_landmark(built: Built) -> None:
    with zipfile.ZipFile(built.epub) as archive:
        opf = etree.fromstring(archive.read("EPUB/content.opf"))
        [item] = opf.xpath("//opf:item[@properties='cover-image']", namespaces=OPF)
        assert (item.get("href"), item.get("media-type")) == (built.href, built.media_type)
        assert archive.read(f"EPUB/{built.href}") == built.cover
        page = etree.fromstring(archive.read("EPUB/cover.xhtml"))
        [img] = page.xpath("//x:section[@epub:type='cover']/x:img", namespaces=XHTML)
        assert (img.get("src"), img.get("alt")) == (built.href, ALT)
        nav = etree.fromstring(archive.read("EPUB/nav.xhtml"))
        landmark = "//x:nav[@epub:type='landmarks']//x:a[@epub:type='cover']/@href"
        assert nav.xpath(landmark, namespaces=XHTML) == ["cover.xhtml"]
    with Image.open(io.BytesIO(built.cover)) as cover:
        assert cover.size == COVER_SIZE  # what the stores ask for, 1:1.6


def test_epubcheck_and_ace_pass_the_epub_with_its_cover(built: Built) -> None:
    counts = built.epubcheck.counts
    assert (counts.get("fatal"), counts.get("error"), counts.get("warning")) == (0, 0, 0), _shown(
        built.epubcheck
    )
    assert built.ace.details.get("outcome") == "pass", _shown(built.ace)
    assert built.ace.counts.get("violations") == 0, _shown(built.ace)


# -- PDFs --------------------------------------------------------------------------------------


def test_page_one_of_the_screen_pdf_is_the_cover_edge_to_edge(built: Built, tmp_path: Path) -> None:
    assert _images(built.screen, 0) == [COVER_SIZE]
    # Rendered by Poppler at 1 px a point, page 1 is the cover filling the page (scaled and
    # cropped about its centre), with no pixel of the page's white (the outermost row and
    # column are left out: the page's 0.5 pt fraction is blended there).
    page = _poppler(built.screen, tmp_path / "page")
    inner = page.crop((0, 0, page.width - 1, page.height - 1))
    assert _difference(inner, _filled(built.cover, page.size).crop(inner.getbbox())) < 4
    colours = {colour for _, colour in inner.getcolors(inner.width * inner.height) or []}
    assert (255, 255, 255) not in colours


def test_the_screen_pdf_tags_the_cover_as_a_figure_with_its_alt(built: Built) -> None:
    """PDF/UA: the cover is a `Figure` structure element of page 1 with the text alternative."""
    with pikepdf.open(built.screen) as document:
        first = document.pages[0].obj.objgen
        figures: list[str] = []

        def walk(element: object) -> None:
            if isinstance(element, pikepdf.Array):
                for child in element:
                    walk(child)
            elif isinstance(element, pikepdf.Dictionary):
                page = element.get("/Pg")
                if element.get("/S") == "/Figure" and page is not None and page.objgen == first:
                    figures.append(str(element.get("/Alt")))
                walk(element.get("/K"))

        walk(document.Root.StructTreeRoot.get("/K"))
    assert figures == [ALT]


def test_the_print_interior_has_no_cover(built: Built) -> None:
    with pikepdf.open(built.print) as document:
        pages = len(document.pages)
    assert all(COVER_SIZE not in _images(built.print, n) for n in range(pages))
    with pikepdf.open(built.screen) as document:
        # The screen PDF is the interior plus the cover and the blank verso behind it.
        assert len(document.pages) == pages + 2


def test_the_wrap_front_is_the_cover_filling_panel_and_bleed(built: Built, tmp_path: Path) -> None:
    """The front panel (trim width + bleed, trim height + 2 × bleed, at the right of the media
    box) shows the cover scaled to fill it; the back panel does not."""
    page = _poppler(built.wrap, tmp_path / "wrap", dpi=50)
    spec = read_spec(built.anthology)
    front_width = round((spec.trim.width_mm + BLEED) * MM * 50 / 72)
    front = page.crop((page.width - front_width + 1, 0, page.width, page.height))
    assert _difference(front, _filled(built.cover, front.size)) < 6
    assert _correlation(front, _filled(built.cover, front.size)) > 0.9
    back = page.crop((0, 0, front.width, page.height))
    assert _correlation(back, _filled(built.cover, back.size)) < 0.5


# -- HTML --------------------------------------------------------------------------------------


def test_the_web_edition_opens_on_the_cover_with_its_alt(built: Built) -> None:
    root = html.fromstring(built.html.read_bytes())
    first = root.xpath("//body//img")[0]
    assert first.get("alt") == ALT
    assert first.get("src").startswith(f"data:{built.media_type};base64,")
    sections = [s.get("class") for s in root.xpath("//body/section")]
    assert sections.index("cover-page") < sections.index("title-page")


# -- what publisher validate checks ------------------------------------------------------------


def test_every_edition_keeps_every_word(built: Built) -> None:
    book, _ = load(built.anthology)
    paths = [built.html, built.screen, built.print, built.epub]
    for result in check_fidelity(book, paths):
        assert result.ok, [d.format() for d in result.diagnostics]


def test_validate_passes_the_screen_pdf_and_web_edition_with_their_cover(built: Built) -> None:
    """qpdf, the fonts, the glyph check and the text fidelity check: the cover's words are
    pixels, which none of them reads."""
    book, _ = load(built.anthology)
    results = validate_files([built.screen, built.html], book)
    names = sorted({result.validator for result in results})
    assert names == ["fidelity", "glyphs", "pdf"]
    for result in results:
        assert result.ok, _shown(result)


def test_the_covers_words_are_not_read_as_the_books_text(built: Built) -> None:
    """The cover's words are pixels and its `alt` describes it: the text `validate` reads from
    each edition holds neither (`Cubierta`, the alt's first word, this book prints nowhere)."""
    for path in (built.html, built.screen, built.epub):
        assert "cubierta" not in read_edition(path).positions, path.name


def test_the_covers_alt_text_does_not_stand_in_for_the_text(built: Built, tmp_path: Path) -> None:
    """The fidelity check reads what an edition prints: a review's words moved from the page
    into the cover's `alt` are missing."""
    root = html.fromstring(built.html.read_bytes())
    [paragraph] = root.xpath("//p[contains(., 'coto de conejos')]")
    paragraph.getparent().remove(paragraph)
    root.xpath("//img[@class='cover-image']")[0].set("alt", paragraph.text_content())
    edited = tmp_path / built.html.name
    edited.write_bytes(html.tostring(root, doctype="<!DOCTYPE html>", encoding="utf-8"))
    book, _ = load(built.anthology)
    [result] = check_fidelity(book, [edited])
    assert not result.ok
    assert {d.code for d in result.diagnostics} == {"text-missing"}


# -- checks at the line ------------------------------------------------------------------------


def _problems(tmp_path: Path, toml: str) -> list[Diagnostic]:
    try:
        return list(load(_project(tmp_path, toml))[1])
    except BuildFailed as failed:
        return list(failed.diagnostics)


def test_a_small_cover_is_told_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "manuscripts").mkdir()
    _cover(tmp_path / "manuscripts" / "cover.jpg", (1000, 1500))
    toml = ONE_PART_TOML.replace("front = []\n", "front = []\n" + COVER_LINE)
    [found] = [d.format() for d in _problems(tmp_path, toml) if d.code == "cover-small"]
    assert found == (
        "manuscripts/anthology.toml:10:1: warning: cover-small: cover image `cover.jpg` is"
        " 1000×1500 px (1:1.50): stores ask for at least 1600×2560 px (1:1.6) and the print"
        " wrap's front 1784×2552 px (300 ppi): 1784×2855 px meets both"
    )


def test_a_missing_cover_is_an_error_at_its_line(tmp_path: Path) -> None:
    [found] = [d.format() for d in _problems(tmp_path, COVER_LINE + ONE_PART_TOML)]
    assert found == (
        "manuscripts/anthology.toml:1:1: error: image-missing: cover image `cover.jpg` not"
        " found (relative to the anthology file's folder)"
    )


def test_a_cmyk_or_gif_cover_is_refused(tmp_path: Path) -> None:
    (tmp_path / "manuscripts").mkdir()
    _cover(tmp_path / "manuscripts" / "cover.jpg", COVER_SIZE, "CMYK")
    Image.new("RGB", COVER_SIZE).save(tmp_path / "manuscripts" / "cover.gif")
    toml = COVER_LINE + ONE_PART_TOML
    [cmyk] = [d.format() for d in _problems(tmp_path, toml)]
    assert cmyk.endswith("image-invalid: cover image `cover.jpg` is in CMYK colour: save it as RGB")
    (tmp_path / "manuscripts" / "anthology.toml").write_text(toml.replace(".jpg", ".gif"))
    try:
        found = load(tmp_path / "manuscripts" / "anthology.toml")[1]
    except BuildFailed as failed:
        found = failed.diagnostics
    assert [d.message for d in found] == ["cover image `cover.gif` is a GIF image: use JPEG or PNG"]


def test_a_cover_that_is_not_text_is_one_error(tmp_path: Path) -> None:
    toml = "cover_image = 3\n" + ONE_PART_TOML
    found = [d.format() for d in _problems(tmp_path, toml)]
    assert found == [
        "manuscripts/anthology.toml:1:1: error: anthology-type: `cover_image` must be non-empty text"
    ]

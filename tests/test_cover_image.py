"""`cover_image` in the anthology file: the EPUB cover, page 1 of the screen PDF, the head of the
web edition, never the print interior; checked at its line like any image (issue 16)."""

from __future__ import annotations

import subprocess
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import pikepdf
import pytest
from lxml import etree, html
from PIL import Image

from publisher.base.diagnostics import BuildFailed, Diagnostic
from publisher.pipeline import BuildRequest, Format, build, load
from publisher.validation import ValidatorResult, run_ace, run_epubcheck
from publisher.validation.fidelity import check_fidelity

from .conftest import ONE_PART_TOML, review

EPOCH = "1800000000"
TITLE = "Antología de prueba"
COVER_SIZE = (1600, 2560)
RED, CREAM = (120, 30, 30), (230, 220, 200)
COVER_LINE = 'cover_image = "cover.jpg"\n'
OPF = {"opf": "http://www.idpf.org/2007/opf"}
XHTML = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
BODY = (
    "*La caza* encierra a tres veteranos de la guerra en un coto de conejos, y el calor de la"
    " meseta hace el resto."
)


class Built(NamedTuple):
    anthology: Path
    cover: bytes
    html: Path
    screen: Path
    print: Path
    epub: Path
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


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("cover-book")
    anthology = _project(root)
    cover = _cover(root / "manuscripts" / "cover.jpg")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        request = BuildRequest(anthology, frozenset(Format), root / "dist", cache=False)
        outputs = {output.path.name: output.path for output in build(request).outputs}
    epub = outputs["antologia-de-prueba.epub"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        epubcheck = pool.submit(run_epubcheck, epub)
        ace = pool.submit(run_ace, epub, tmp_path_factory.mktemp("cover-ace"))
        return Built(
            anthology,
            cover,
            outputs["antologia-de-prueba.html"],
            outputs["antologia-de-prueba.pdf"],
            outputs["antologia-de-prueba-print.pdf"],
            epub,
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


# -- EPUB --------------------------------------------------------------------------------------


def test_the_epub_cover_is_the_image_with_its_property_page_and_landmark(built: Built) -> None:
    with zipfile.ZipFile(built.epub) as archive:
        opf = etree.fromstring(archive.read("EPUB/content.opf"))
        [item] = opf.xpath("//opf:item[@properties='cover-image']", namespaces=OPF)
        assert (item.get("href"), item.get("media-type")) == ("images/cover.jpg", "image/jpeg")
        assert archive.read("EPUB/images/cover.jpg") == built.cover
        page = etree.fromstring(archive.read("EPUB/cover.xhtml"))
        [src] = page.xpath("//x:section[@epub:type='cover']/x:img/@src", namespaces=XHTML)
        assert src == "images/cover.jpg"
        nav = etree.fromstring(archive.read("EPUB/nav.xhtml"))
        landmark = "//x:nav[@epub:type='landmarks']//x:a[@epub:type='cover']/@href"
        assert nav.xpath(landmark, namespaces=XHTML) == ["cover.xhtml"]


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
    # Rendered by Poppler (an independent reader) at 1 px a point: no margin, so the corners are
    # the cover's two bands, red above and cream below, and no pixel is the white of the page
    # (the outermost row and column are left out: the page's 0.5 pt fraction is blended there).
    run = ["pdftoppm", "-f", "1", "-l", "1", "-r", "72", "-png", str(built.screen)]
    subprocess.run([*run, str(tmp_path / "page")], check=True)
    [png] = tmp_path.glob("page*.png")
    with Image.open(png) as page:
        rgb = page.convert("RGB")
        width, height = rgb.size
        right, bottom = width - 2, height - 2
        corners = [rgb.getpixel(xy) for xy in ((0, 0), (right, 0), (0, bottom), (right, bottom))]
        colours = {rgb.getpixel((x, y)) for x in range(right + 1) for y in range(bottom + 1)}
    assert [_near(c, RED) for c in corners] == [True, True, False, False]
    assert [_near(c, CREAM) for c in corners] == [False, False, True, True]
    assert (255, 255, 255) not in colours


def _near(colour: object, expected: tuple[int, int, int]) -> bool:
    assert isinstance(colour, tuple)
    return all(abs(a - b) <= 6 for a, b in zip(colour, expected, strict=True))


def test_the_print_interior_has_no_cover(built: Built) -> None:
    with pikepdf.open(built.print) as document:
        pages = len(document.pages)
    assert all(COVER_SIZE not in _images(built.print, n) for n in range(pages))
    with pikepdf.open(built.screen) as document:
        # The screen PDF is the interior plus the cover and the blank verso behind it.
        assert len(document.pages) == pages + 2


# -- HTML --------------------------------------------------------------------------------------


def test_the_web_edition_opens_on_the_cover_with_the_title_as_alt(built: Built) -> None:
    root = html.fromstring(built.html.read_bytes())
    first = root.xpath("//body//img")[0]
    assert first.get("alt") == TITLE
    assert first.get("src").startswith("data:image/jpeg;base64,")
    sections = [s.get("class") for s in root.xpath("//body/section")]
    assert sections.index("cover-page") < sections.index("title-page")


def test_every_edition_keeps_every_word(built: Built) -> None:
    book, _ = load(built.anthology)
    paths = [built.html, built.screen, built.print, built.epub]
    for result in check_fidelity(book, paths):
        assert result.ok, [d.format() for d in result.diagnostics]


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
        " 1000×1500 px (1:1.50): stores ask for at least 1600×2560 px (1:1.6)"
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

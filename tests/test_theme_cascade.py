"""The theme cascade: `extra_css` after the theme in every edition, project themes that inherit
`base` (or extend another theme), and an unknown theme named as an error."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path
from typing import NamedTuple

import pytest
from lxml import etree
from PIL import Image

from publisher.base.diagnostics import BuildFailed
from publisher.base.rendered import RENDERED, Target
from publisher.export.cover import cover_png
from publisher.pipeline import BuildRequest, Format, build, load, render
from publisher.serve.state import BuildState
from publisher.serve.watch import Builder
from publisher.validation import ValidatorResult, run_epubcheck

from .conftest import MINI_TOML, ProjectMaker, review

# The same selector in the project theme and in extra_css: the later one must win.
THEME_RULE = '.review-title::after { content: " TEMAFIN"; }\n'
HOUSE_RULE = '.review-title::after { content: " CASAFIN"; }\n'
EXTRA_LINE = 11  # the line of `extra_css` in toml() below: MINI_TOML's `front` is line 9
ALL = frozenset(Format)


def toml(theme: str = "clasico", extra_css: str = '["estilo/casa.css"]') -> str:
    return MINI_TOML.replace(
        "front = []", f'front = []\ntheme = "{theme}"\nextra_css = {extra_css}'
    )


def house(anthology: Path, text: str = HOUSE_RULE, name: str = "estilo/casa.css") -> Path:
    sheet = anthology.parent / name
    sheet.parent.mkdir(parents=True, exist_ok=True)
    sheet.write_text(text, encoding="utf-8")
    return sheet


def project_theme(anthology: Path, name: str, files: dict[str, str]) -> Path:
    """A theme folder `styles/<name>/` at the project root holding only `files`."""
    folder = anthology.parent.parent / "styles" / name
    for relative, text in files.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(text, encoding="utf-8")
    return folder


def problems(anthology: Path) -> list[str]:
    with pytest.raises(BuildFailed) as failed:
        load(anthology)
    return [diagnostic.format() for diagnostic in failed.value.diagnostics]


# -- one book with a project theme that has only css/theme.css, and extra_css --------------------
class Built(NamedTuple):
    outputs: dict[str, Path]
    epubcheck: ValidatorResult


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("cascade")
    anthology = root / "manuscripts" / "anthology.toml"
    (anthology.parent / "reviews").mkdir(parents=True)
    anthology.write_text(toml(theme="casa"), encoding="utf-8")
    (anthology.parent / "reviews" / "a.md").write_text(review(), encoding="utf-8")
    project_theme(anthology, "casa", {"css/theme.css": THEME_RULE})
    house(anthology)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1767225600")
        result = build(BuildRequest(anthology, ALL, root / "dist", cache=False))
    outputs = {output.target: output.path for output in result.outputs}
    return Built(outputs, run_epubcheck(outputs["epub"]))


def _pdf_text(path: Path) -> str:
    run = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return run.stdout


def test_a_project_theme_with_only_theme_css_builds_every_edition(built: Built) -> None:
    assert sorted(built.outputs) == ["epub", "print", "screen", "web"]
    page = built.outputs["web"].read_text(encoding="utf-8")
    assert 'class="review"' in page  # the templates come from the built-in base
    assert ".film-card" in page  # and so does base.css
    assert "TEMAFIN" in page  # with the theme's own theme.css
    counts = built.epubcheck.counts
    assert (counts.get("fatal"), counts.get("error"), counts.get("warning")) == (0, 0, 0), [
        d.format() for d in built.epubcheck.diagnostics
    ]


@pytest.mark.parametrize("target", ["screen", "print"])
def test_extra_css_wins_over_the_theme_in_the_pdfs(built: Built, target: str) -> None:
    """The PDF's computed look: the later rule for the same selector is the one typeset."""
    text = _pdf_text(built.outputs[target])
    assert "Una reseña CASAFIN" in text
    assert "TEMAFIN" not in text


def test_extra_css_comes_last_in_the_html_edition(built: Built) -> None:
    page = built.outputs["web"].read_text(encoding="utf-8")
    [style] = re.findall(r"<style>(.*?)</style>", page, re.S)
    assert style.rstrip().endswith(HOUSE_RULE.rstrip())
    assert style.index("TEMAFIN") < style.index("CASAFIN")


def test_extra_css_is_in_the_epub_stylesheet_that_every_document_links(built: Built) -> None:
    with zipfile.ZipFile(built.outputs["epub"]) as epub:
        opf_name = next(name for name in epub.namelist() if name.endswith(".opf"))
        opf = etree.fromstring(epub.read(opf_name))
        ns = {"opf": "http://www.idpf.org/2007/opf"}
        [css] = opf.xpath("//opf:item[@media-type='text/css']/@href", namespaces=ns)
        base = opf_name.rsplit("/", 1)[0]
        sheet = epub.read(f"{base}/{css}").decode("utf-8")
        assert sheet.rstrip().endswith(HOUSE_RULE.rstrip())
        assert sheet.index("TEMAFIN") < sheet.index("CASAFIN")
        spine = opf.xpath("//opf:itemref/@idref", namespaces=ns)
        items = {i.get("id"): i.get("href") for i in opf.xpath("//opf:item", namespaces=ns)}
        for idref in spine:
            document = epub.read(f"{base}/{items[idref]}").decode("utf-8")
            linked = re.findall(r'<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"', document)
            assert [href.rsplit("/", 1)[-1] for href in linked] == [css.rsplit("/", 1)[-1]], idref


def test_extra_css_follows_the_page_geometry_of_the_print_pdf(make_project: ProjectMaker) -> None:
    anthology = make_project({"a.md": review()}, toml=toml())
    house(anthology, "@page { margin-top: 30mm; }\n")
    book, _ = load(anthology)
    stylesheet = render(book, Target.PRINT_PDF).stylesheet
    assert stylesheet.index("bleed: 3mm") < stylesheet.index("margin-top: 30mm")
    assert stylesheet.rstrip().endswith("@page { margin-top: 30mm; }")


def test_extra_css_files_stack_in_the_order_listed(make_project: ProjectMaker) -> None:
    listed = '["estilo/uno.css", "estilo/dos.css"]'
    anthology = make_project({"a.md": review()}, toml=toml(extra_css=listed))
    house(anthology, "/* uno */\n", "estilo/uno.css")
    house(anthology, "/* dos */\n", "estilo/dos.css")
    book, _ = load(anthology)
    for target in RENDERED:
        sheet = render(book, target).stylesheet
        assert sheet.rstrip().endswith("/* uno */\n\n/* dos */"), target


# -- problems with extra_css ----------------------------------------------------------------------
def test_missing_extra_css_is_an_error_at_its_line(make_project: ProjectMaker) -> None:
    anthology = make_project({"a.md": review()}, toml=toml(extra_css='["estilo/falta.css"]'))
    assert problems(anthology) == [
        f"manuscripts/anthology.toml:{EXTRA_LINE}: error: stylesheet-missing: `extra_css`:"
        " `estilo/falta.css` not found (relative to the anthology file's folder)"
    ]


def test_extra_css_outside_the_project_is_refused(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-fuera.css"
    outside.write_text("body { color: red; }\n", encoding="utf-8")
    anthology = make_project({"a.md": review()}, toml=toml(extra_css=f'["../../{outside.name}"]'))
    link = anthology.parent / "enlace.css"
    link.symlink_to(outside)
    expected = [
        f"manuscripts/anthology.toml:{EXTRA_LINE}: error: path-outside-project: `extra_css`:"
        f" `../../{outside.name}` is outside the project: not read"
    ]
    assert problems(anthology) == expected
    anthology.write_text(toml(extra_css='["enlace.css"]'), encoding="utf-8")
    assert problems(anthology) == [
        f"manuscripts/anthology.toml:{EXTRA_LINE}: error: path-outside-project: `extra_css`:"
        " `enlace.css` is outside the project: not read"
    ]


def test_extra_css_that_is_not_css_is_an_error(make_project: ProjectMaker) -> None:
    listed = '["notas.md", "estilo/mala.css", "estilo/cierre.css"]'
    anthology = make_project({"a.md": review()}, toml=toml(extra_css=listed))
    house(anthology, "", "notas.md")
    house(anthology, "# Notas\n\nEsto es *Markdown*.\n", "estilo/mala.css")
    house(anthology, 'p::after { content: "</style><script>x()</script>"; }\n', "estilo/cierre.css")
    assert problems(anthology) == [
        f"manuscripts/anthology.toml:{EXTRA_LINE}: error: stylesheet-invalid: `extra_css`:"
        " `notas.md` is not a stylesheet: name a `.css` file",
        "manuscripts/estilo/mala.css:3:20: error: stylesheet-invalid: not valid CSS: a selector"
        " with no `{ … }` block after it: is this CSS?",
        "manuscripts/estilo/cierre.css:1:22: error: stylesheet-invalid: `</style` would end"
        " the HTML edition's `<style>` element: write `<\\/style`",
    ]


def test_extra_css_must_be_a_list_of_text(make_project: ProjectMaker) -> None:
    anthology = make_project({"a.md": review()}, toml=toml(extra_css='"estilo/casa.css"'))
    assert problems(anthology) == [
        f"manuscripts/anthology.toml:{EXTRA_LINE}:1: error: anthology-type:"
        " `extra_css` must be a list of text"
    ]


# -- project themes ---------------------------------------------------------------------------
def test_a_project_theme_with_one_template_inherits_the_rest(make_project: ProjectMaker) -> None:
    anthology = make_project({"a.md": review()}, toml=toml(theme="casa", extra_css="[]"))
    project_theme(
        anthology,
        "casa",
        {"templates/colophon.html.j2": '<section id="{{ doc_id }}">Hecho en casa.</section>\n'},
    )
    book, _ = load(anthology)
    for target in RENDERED:
        rendered = render(book, target)
        bodies = "".join(document.body for document in rendered.documents)
        assert "Hecho en casa." in bodies, target
        assert 'class="review"' in bodies, target
        assert ".film-card" in rendered.stylesheet, target  # base.css


def test_a_project_theme_extends_the_theme_its_theme_toml_names(
    make_project: ProjectMaker,
) -> None:
    anthology = make_project({"a.md": review()}, toml=toml(theme="casa", extra_css="[]"))
    contemporaneo = Path(__file__).parent.parent / "publisher/styles/contemporaneo/css/theme.css"
    project_theme(
        anthology,
        "casa",
        {"theme.toml": 'extends = "contemporaneo"\n', "css/theme.css": "/* casa */\n"},
    )
    book, _ = load(anthology)
    sheet = render(book, Target.WEB).stylesheet
    theirs = contemporaneo.read_text(encoding="utf-8")
    assert theirs in sheet
    assert sheet.index(theirs) < sheet.index("/* casa */")


def test_a_project_theme_named_like_a_built_in_one_may_extend_it(
    make_project: ProjectMaker,
) -> None:
    anthology = make_project({"a.md": review()}, toml=toml(theme="clasico", extra_css="[]"))
    clasico = Path(__file__).parent.parent / "publisher/styles/clasico/css/theme.css"
    folder = project_theme(anthology, "clasico", {"css/theme.css": "/* mío */\n"})
    book, _ = load(anthology)
    assert clasico.read_text(encoding="utf-8") not in render(book, Target.WEB).stylesheet
    (folder / "theme.toml").write_text('extends = "clasico"\n', encoding="utf-8")
    sheet = render(book, Target.WEB).stylesheet
    assert sheet.index(clasico.read_text(encoding="utf-8")) < sheet.index("/* mío */")


def test_theme_toml_problems_are_errors_at_their_line(make_project: ProjectMaker) -> None:
    anthology = make_project({"a.md": review()}, toml=toml(theme="casa", extra_css="[]"))
    folder = project_theme(anthology, "casa", {"theme.toml": '\nextends = "clasica"\n'})
    assert problems(anthology) == [
        "styles/casa/theme.toml:2: error: unknown-theme: `extends`: unknown theme `clasica`"
        " (did you mean `clasico`?): the themes are `base`, `clasico`, `contemporaneo`"
        " (built in) and `casa` (in this project's `styles/`)"
    ]
    project_theme(anthology, "otro", {"theme.toml": 'extends = "casa"\n'})
    (folder / "theme.toml").write_text('extends = "otro"\n', encoding="utf-8")
    assert problems(anthology) == [
        "styles/otro/theme.toml:1: error: theme-invalid: `extends` makes a loop: casa → otro → casa"
    ]
    (folder / "theme.toml").write_text('extends = "../manuscripts"\n', encoding="utf-8")
    assert problems(anthology) == [
        "styles/casa/theme.toml:1: error: unknown-theme: `extends`: unknown theme"
        " `../manuscripts`: the themes are `base`, `clasico`, `contemporaneo` (built in) and"
        " `casa` and `otro` (in this project's `styles/`)"
    ]
    (folder / "theme.toml").write_text('extend = "clasico"\n', encoding="utf-8")
    assert problems(anthology) == [
        "styles/casa/theme.toml:1: error: theme-invalid: unknown key `extend`"
        " (did you mean `extends`?)"
    ]


# -- an unknown theme ---------------------------------------------------------------------------
def test_an_unknown_theme_is_an_error_naming_the_themes(make_project: ProjectMaker) -> None:
    anthology = make_project({"a.md": review()}, toml=toml(theme="modern", extra_css="[]"))
    assert problems(anthology) == [
        "manuscripts/anthology.toml:10:1: error: unknown-theme: unknown theme `modern`: the themes"
        " are `base`, `clasico`, `contemporaneo` (built in); a project's own theme is a folder"
        " in `styles/`"
    ]
    project_theme(anthology, "moderno", {"css/theme.css": "/* moderno */\n"})
    project_theme(anthology, "sobrio", {"css/theme.css": "/* sobrio */\n"})
    assert problems(anthology) == [
        "manuscripts/anthology.toml:10:1: error: unknown-theme: unknown theme `modern`"
        " (did you mean `moderno`?): the themes are `base`, `clasico`, `contemporaneo`"
        " (built in) and `moderno` and `sobrio` (in this project's `styles/`)"
    ]


# -- the preview and the cache ------------------------------------------------------------------
def test_serve_watches_extra_css_and_rebuilds_with_it(make_project: ProjectMaker) -> None:
    anthology = make_project({"a.md": review()}, toml=toml(extra_css='["../estilo/casa.css"]'))
    sheet = house(anthology, HOUSE_RULE, "../estilo/casa.css")
    builder = Builder(anthology, BuildState())
    assert "CASAFIN" in (builder.build().page or "")
    assert sheet.parent.resolve() in builder.watched()
    sheet.write_text('.review-title::after { content: " OTRAFIN"; }\n', encoding="utf-8")
    page = builder.build({sheet}).page or ""
    assert "OTRAFIN" in page and "CASAFIN" not in page


def test_an_edited_extra_css_is_not_up_to_date(make_project: ProjectMaker, tmp_path: Path) -> None:
    anthology = make_project({"a.md": review()}, toml=toml())
    sheet = house(anthology)
    request = BuildRequest(anthology, frozenset({Format.HTML}), tmp_path / "dist")
    assert not build(request).up_to_date
    assert build(request).up_to_date
    sheet.write_text('.review-title::after { content: " OTRAFIN"; }\n', encoding="utf-8")
    result = build(request)
    assert not result.up_to_date
    assert "OTRAFIN" in result.outputs[0].path.read_text(encoding="utf-8")


def test_a_project_theme_takes_the_cover_palette_of_what_it_extends(
    make_project: ProjectMaker,
) -> None:
    anthology = make_project({"a.md": review()}, toml=toml(theme="casa", extra_css="[]"))
    project_theme(anthology, "casa", {"theme.toml": 'extends = "contemporaneo"\n'})
    book, _ = load(anthology)
    with Image.open(io.BytesIO(cover_png(book.spec))) as cover:
        assert cover.convert("RGB").getpixel((0, 0)) == (0x0E, 0x6B, 0x6B)  # contemporaneo's

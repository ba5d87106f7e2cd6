"""Every word the book prints, in every shipped language, in all four editions.

One small book (two reviews, three editors, both ISBNs) is built once per language to HTML,
both PDFs and EPUB (about 2 s each); each catalogue word is looked for, in a context that
only its own use gives (`Titre La vaquilla`, not `Titre` anywhere), in every edition that
prints it. Dates and list joining are spelled out here for each language, not computed.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import tomllib
import unicodedata
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import pytest
from lxml import etree

from publisher.base import locale as locale_module
from publisher.base.diagnostics import BuildFailed
from publisher.base.faces import faces_used
from publisher.base.fonts import installed_families
from publisher.base.locale import CATALOGUES, Locale, label_keys
from publisher.base.rendered import Target
from publisher.export.epub_package import accessibility, page_source
from publisher.pipeline import BuildRequest, Format, build, load, render

EDITORS = ["Ana Sanz", "Luc Bodin", "Eva Lind"]
ISBN_PRINT, ISBN_EPUB = "9783161484100", "9780306406157"
ANTHOLOGY = f"""\
title = "Frentes"
editors = {EDITORS!r}
publisher = "Prensa de Pruebas"
lang = "{{lang}}"
date = 2026-11-20
rights = "© 2026 Prensa de Pruebas"
description = "Two reviews of Spanish war films."
subjects = ["Cine"]
front = []
{{labels}}
[identifiers]
isbn_print = "978-3-16-148410-0"
isbn_epub = "{ISBN_EPUB}"

[[parts]]
id = "guerra"
title = "La guerra"
select = {{{{ tags = ["guerra"] }}}}
"""
REVIEWS = {
    "la-vaquilla": """\
---
title: "Una vaquilla entre trincheras"
film:
  title: "La vaquilla"
  original_title: "The Heifer"
  year: 1985
  directors: ["Luis García Berlanga"]
  country: "España"
  runtime_min: 122
  cast: ["Alfredo Landa", "José Sacristán"]
author: "Carmen Crítica"
date: 2026-01-02
tags: [guerra]
rating: 4.5
---

Berlanga sends a heifer into no man's land, and both armies forget the war for an afternoon.
""",
    "ay-carmela": """\
---
title: "Cómicos en Belchite"
film:
  title: "¡Ay, Carmela!"
  year: 1990
  directors: ["Carlos Saura"]
date: 2026-01-03
tags: [guerra]
---

Carmen Maura sings for the soldiers of both sides, and the stage shakes under her.
""",
}


class Spelling(NamedTuple):
    date: str  # 2026-11-20, CLDR's long format
    editors: str  # the three editors as running text
    contents: str  # the catalogue's heading, spelled out as a check on the catalogue itself
    decimal: str  # the rating 4.5


LANGS = {
    "es": Spelling("20 de noviembre de 2026", "Ana Sanz, Luc Bodin y Eva Lind", "Índice", "4,5"),
    "en": Spelling("November 20, 2026", "Ana Sanz, Luc Bodin, and Eva Lind", "Contents", "4.5"),
    "en-GB": Spelling("20 November 2026", "Ana Sanz, Luc Bodin and Eva Lind", "Contents", "4.5"),
    "fr": Spelling(
        "20 novembre 2026", "Ana Sanz, Luc Bodin et Eva Lind", "Table des matières", "4,5"
    ),
    "de": Spelling("20. November 2026", "Ana Sanz, Luc Bodin und Eva Lind", "Inhalt", "4,5"),
    "it": Spelling("20 novembre 2026", "Ana Sanz, Luc Bodin e Eva Lind", "Indice", "4,5"),
    "pt": Spelling("20 de novembro de 2026", "Ana Sanz, Luc Bodin e Eva Lind", "Sumário", "4,5"),
    "pt-PT": Spelling("20 de novembro de 2026", "Ana Sanz, Luc Bodin e Eva Lind", "Índice", "4,5"),
    "ca": Spelling("20 de novembre del 2026", "Ana Sanz, Luc Bodin i Eva Lind", "Sumari", "4,5"),
    "gl": Spelling("20 de novembro de 2026", "Ana Sanz, Luc Bodin e Eva Lind", "Índice", "4,5"),
}
EDITIONS = ("web", "screen", "print", "epub")
EVERYWHERE = frozenset(EDITIONS)
# Where a word is printed when it is not printed everywhere.
ONLY = {
    "copyright": {"web", "epub"},  # the copyright page's accessible name; the EPUB's nav
    "body_matter": {"epub"},  # landmarks
    "cover": {"epub"},
    "landmarks": {"epub"},
    "pages": {"epub"},  # the page-list's heading
    "a11y_summary": {"epub"},  # the package document's accessibility summary
    "a11y_pages": {"epub"},
    "print_page_numbers": {"web"},  # the toggle of the print page numbers
}
# Words this book has no use for: a print edition named by its ISBN, no images, the colon
# is checked within the edition line.
UNUSED = {"print_edition", "a11y_images", "colon", "semicolon"}  # the last two: below
# Each word with what follows or precedes it where the book prints it.
CONTEXT = {
    "contents": "{contents} {part} I",
    "part": "{part} I La guerra",
    "review": "{review} 2 Cómicos en Belchite",
    "by": "{by} Carmen Crítica",
    "film_title": "{film_title} La vaquilla",
    "original_title": "{original_title} The Heifer",
    "year": "{year} 1985",
    "directors": "{directors} Luis García Berlanga",
    "cast": "{cast} Alfredo Landa",
    "country": "{country} España",
    "runtime": "{runtime} 122",
    "minutes": "122 {minutes}",
    "rating": "{rating} ★★★★½",
    "edited_by": "{edited_by} {editors}",
    "first_edition": "{first_edition} {date}",
    "print_isbn": f"{{print_isbn}} {ISBN_PRINT}",
    "epub_isbn": f"{{epub_isbn}} {ISBN_EPUB}",
    "filmography": "{filmography}",
    "film_index": "{film_index}",
    "director_index": "{director_index}",
    "page_abbr": "Cómicos en Belchite {page_abbr} 1",
    "contributors": "{contributors}",
    "copyright": "{copyright}",
    "colophon": "{colophon}",
    "colophon_text": "{colophon_text}",
    "body_matter": "{body_matter}",
    "cover": "{cover}",
    "landmarks": "{landmarks}",
    "pages": "{pages}",
    "print_page_numbers": "{print_page_numbers}",
    "a11y_summary": "{a11y_summary}",
    "a11y_pages": "{a11y_pages}",
}


def catalogue(name: str) -> dict[str, str]:
    with (CATALOGUES / f"{name}.toml").open("rb") as handle:
        return tomllib.load(handle)


def words_for(tag: str) -> dict[str, str]:
    """The words the book should print: the catalogue files read here, regional first."""
    words = catalogue("pt") | catalogue("pt-PT") if tag == "pt-PT" else catalogue(tag[:2])
    return words


def norm(text: str) -> str:
    """Letters and digits only, case folded: letter-spaced capitals, line breaks, a hyphen at a
    line end and the markup between a label and its value do not count."""
    text = unicodedata.normalize("NFC", text).casefold().replace("\u2010\n", "").replace("-\n", "")
    return "".join(ch for ch in text if ch.isalnum())


def squash(text: str) -> str:
    return re.sub(r"[ \t\n\u00a0]+", " ", text)


def xml_text(data: bytes) -> str:
    """Text (not the stylesheet's) and the attributes a reader hears (aria-label, alt,
    title), space separated."""
    root = etree.fromstring(data, etree.XMLParser(recover=True, huge_tree=True))
    heard = [
        value
        for element in root.iter()
        if isinstance(element.tag, str)
        for name, value in element.attrib.items()
        if name in ("aria-label", "alt", "title")
    ]
    texts = root.xpath("//text()[not(ancestor::*[local-name()='style'])]")
    return " ".join([*texts, *heard])


def edition_texts(out: Path) -> dict[str, str]:
    [html] = out.glob("*.html")
    [epub] = out.glob("*.epub")
    [print_pdf] = out.glob("*-print.pdf")
    [screen_pdf] = [p for p in out.glob("*.pdf") if p != print_pdf]
    with zipfile.ZipFile(epub) as archive:
        names = [n for n in archive.namelist() if n.endswith((".xhtml", ".opf", ".ncx"))]
        epub_text = " ".join(xml_text(archive.read(n)) for n in names)
    return {
        "web": xml_text(html.read_bytes()),
        "screen": pdftotext(screen_pdf),
        "print": pdftotext(print_pdf),
        "epub": epub_text,
    }


def pdftotext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


class Built(NamedTuple):
    texts: dict[str, str]
    diagnostics: tuple[str, ...]


def build_book(root: Path, lang: str, labels: str = "") -> Built:
    manuscripts = root / "manuscripts"
    (manuscripts / "reviews").mkdir(parents=True)
    (manuscripts / "front").mkdir()
    toml = ANTHOLOGY.format(lang=lang, labels=labels)
    (manuscripts / "anthology.toml").write_text(toml, encoding="utf-8")
    for slug, text in REVIEWS.items():
        (manuscripts / "reviews" / f"{slug}.md").write_text(text, encoding="utf-8")
    out = root / "dist"
    result = build(
        BuildRequest(manuscripts / "anthology.toml", frozenset(Format), out, cache=False)
    )
    assert len(result.outputs) == 4, result.diagnostics
    return Built(edition_texts(out), tuple(d.code for d in result.diagnostics))


@pytest.fixture(scope="module", params=list(LANGS))
def book(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Built]:
    lang = request.param
    return lang, build_book(tmp_path_factory.mktemp(f"book-{lang}"), lang)


def expected(tag: str, words: dict[str, str]) -> dict[str, str]:
    """Each printed word in its context, filled from `words` and the language's spelling."""
    spelling = LANGS[tag]
    values = dict(words)
    values["colophon_text"] = words["colophon_text"].format(
        title="Frentes", faces="EB Garamond", tool="publisher"
    )
    values["a11y_pages"] = words["a11y_pages"].format(source=f"ISBN {ISBN_PRINT}")
    values.update(date=spelling.date, editors=spelling.editors)
    return {key: context.format(**values) for key, context in CONTEXT.items()}


def test_every_word_has_a_check() -> None:
    assert set(CONTEXT) | UNUSED == set(label_keys())


@pytest.mark.parametrize("name", sorted(p.stem for p in CATALOGUES.glob("*.toml")))
def test_each_catalogue_has_every_word_and_no_other(name: str) -> None:
    words = catalogue(name)
    if name == "pt-PT":  # a regional catalogue: only what Portugal says otherwise
        assert set(words) < set(label_keys())
    else:
        assert set(words) == set(label_keys())
    assert all(value.strip() for value in words.values())


def test_every_label_in_every_edition(book: tuple[str, Built]) -> None:
    tag, built = book
    assert "labels-fallback" not in built.diagnostics
    words = words_for(tag)
    assert words["contents"] == LANGS[tag].contents
    missing = [
        f"{edition}: {key}: {context!r}"
        for key, context in expected(tag, words).items()
        for edition in ONLY.get(key, EVERYWHERE)
        if norm(context) not in norm(built.texts[edition])
    ]
    assert not missing, "\n".join(missing)


def test_date_list_and_number_in_every_edition(book: tuple[str, Built]) -> None:
    tag, built = book
    spelling, words = LANGS[tag], words_for(tag)
    for edition in EDITIONS:
        text = squash(built.texts[edition])
        assert spelling.editors in text, edition  # the title page's and the byline's list
        assert f"{spelling.date}." in text, edition  # the colophon's date
    for edition in ("web", "epub"):  # the PDFs print the edition line in capitals
        text = squash(built.texts[edition])
        assert f"{words['first_edition']}{words['colon']}{spelling.date}" in text
        assert f"{spelling.decimal} / 5" in text  # the rating, for screen readers


def test_no_spanish_word_in_another_language(book: tuple[str, Built]) -> None:
    """The words the Spanish catalogue alone has (the default language's) never leak."""
    tag, built = book
    if tag == "es":
        return
    own = set(words_for(tag).values())
    spanish = {w for w in catalogue("es").values() if w not in own and len(w) > 5}
    spanish -= set(catalogue("gl").values()) | set(catalogue("pt").values())  # shared words
    for edition in EDITIONS:
        text = squash(built.texts[edition])
        leaked = sorted(w for w in spanish if "{" not in w and w in text)
        assert not leaked, (edition, leaked)


OVERRIDES = {
    "contents": "Sumario",
    "part": "Sección",
    "by": "Firma de",
    "first_edition": "Edición príncipe",
    "film_index": "Películas citadas",
    "page_abbr": "pág.",
    "landmarks": "Hitos del libro",
    "colophon_text": "Compuesto en {faces} para {title} con {tool}.",
    "a11y_pages": "Lleva los números de página del libro impreso ({source}).",
}


def test_labels_override_appears_everywhere(tmp_path: Path) -> None:
    table = "\n[labels]\n" + "".join(f'{key} = "{value}"\n' for key, value in OVERRIDES.items())
    built = build_book(tmp_path, "es", table)
    words = catalogue("es") | OVERRIDES
    contexts = expected("es", words)
    missing = [
        f"{edition}: {key}: {contexts[key]!r}"
        for key in OVERRIDES
        for edition in ONLY.get(key, EVERYWHERE)
        if norm(contexts[key]) not in norm(built.texts[edition])
    ]
    assert not missing, "\n".join(missing)
    for edition in EDITIONS:  # the catalogue's own words are gone
        text = squash(built.texts[edition])
        assert "Puntos de referencia" not in text and "Primera edición" not in text, edition


def write_book(tmp_path: Path, lang: str, labels: str = "") -> Path:
    manuscripts = tmp_path / "manuscripts"
    (manuscripts / "reviews").mkdir(parents=True)
    (manuscripts / "front").mkdir()
    anthology = manuscripts / "anthology.toml"
    anthology.write_text(ANTHOLOGY.format(lang=lang, labels=labels), encoding="utf-8")
    for slug, text in REVIEWS.items():
        (manuscripts / "reviews" / f"{slug}.md").write_text(text, encoding="utf-8")
    return anthology


def test_uncatalogued_language_falls_back_to_english_with_a_warning(tmp_path: Path) -> None:
    anthology = write_book(tmp_path, "nl")
    book, diagnostics = load(anthology)
    [fallback] = [d for d in diagnostics if d.code == "labels-fallback"]
    keys = ", ".join(f"`{key}`" for key in label_keys())
    assert (fallback.line, fallback.col) == (4, 1)
    assert fallback.message == (
        f"no catalogue of book words for `nl`: {len(label_keys())} words print in English"
        f" ({keys}); give them in the anthology's [labels] table"
    )
    assert book.spec.edition == "First edition"


def test_labels_fill_what_a_language_lacks(tmp_path: Path) -> None:
    """Every word given in `[labels]`: no fallback, no warning."""
    table = "\n[labels]\n" + "".join(f'{k} = "{v}"\n' for k, v in catalogue("en").items())
    _, diagnostics = load(write_book(tmp_path, "nl", table))
    assert "labels-fallback" not in {d.code for d in diagnostics}


def test_partial_catalogue_names_its_missing_words(monkeypatch: pytest.MonkeyPatch) -> None:
    real = locale_module._catalogue

    def partial(name: str) -> Mapping[str, str] | None:
        return {"contents": "Aurkibidea"} if name == "eu" else real(name)

    monkeypatch.setattr(locale_module, "_catalogue", partial)
    locale_module._locale.cache_clear()
    try:
        locale = Locale.for_tag("eu")
        assert locale.word("contents") == "Aurkibidea"
        assert locale.word("part") == "Part"  # English, and said so
        rest = [key for key in label_keys() if key != "contents"]
        assert locale.missing == tuple(rest)
        assert locale.fallback_message() == (
            f"the `eu` catalogue lacks {len(rest)} words, printed in English"
            f" ({', '.join(f'`{k}`' for k in rest)}); give them in the anthology's [labels] table"
        )
    finally:
        locale_module._locale.cache_clear()


@pytest.mark.parametrize(
    ("tag", "catalogues", "date"),
    [
        ("es-ES", ("es",), "20 de noviembre de 2026"),
        ("es-MX", ("es",), "20 de noviembre de 2026"),
        ("en-GB", ("en",), "20 November 2026"),
        ("en-US", ("en",), "November 20, 2026"),
        ("pt-BR", ("pt",), "20 de novembro de 2026"),
        ("pt-PT", ("pt-PT", "pt"), "20 de novembro de 2026"),
        ("ca-ES-valencia", ("ca",), "20 de novembre del 2026"),
        ("nl", (), "20 november 2026"),  # CLDR knows Dutch dates even without our words
    ],
)
def test_resolution(tag: str, catalogues: tuple[str, ...], date: str) -> None:
    locale = Locale.for_tag(tag)
    assert locale.catalogues == catalogues
    assert locale.date(dt.date(2026, 11, 20)) == date
    assert locale.missing == (() if catalogues else tuple(label_keys()))


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ('content = "Sumario"', "unknown key `labels.content` (did you mean `contents`?)"),
        ("contents = 3", "`labels.contents` must be text"),
        ('contents = " "', "`labels.contents` must not be empty"),
        (
            'colophon_text = "Compuesto en {faces}."',
            "`labels.colophon_text` must hold {faces}, {title}, {tool}, each once or more,"
            " and no other {field}",
        ),
    ],
)
def test_bad_labels_are_errors_at_their_line(tmp_path: Path, labels: str, message: str) -> None:
    anthology = write_book(tmp_path, "es", f"\n[labels]\n{labels}\n")
    with pytest.raises(BuildFailed) as failed:
        load(anthology)
    [problem] = failed.value.diagnostics
    assert (problem.line, problem.col, problem.message) == (12, 1, message)


def test_faces_used_are_the_first_installed_of_each_stack() -> None:
    css = """
    body { font-family: "Fancy Face", "EB Garamond 12", "EB Garamond", serif; }
    h1 { font: bold 12pt "Noto Sans", "DejaVu Sans", sans-serif; }
    code { font-family: monospace; }
    """
    installed = ["EB Garamond", "EB Garamond 12", "DejaVu Sans"]
    assert faces_used(css, installed=installed) == ("EB Garamond", "DejaVu Sans")
    assert faces_used(css, installed=["Fancy Face", "Noto Sans"]) == ("Fancy Face", "Noto Sans")


def test_a_fallback_face_is_named_when_it_draws_the_books_characters() -> None:
    css = 'body { font-family: "EB Garamond", "Noto Serif CJK JP", "Noto Sans Symbols2", serif; }'
    installed = ["EB Garamond", "Noto Serif CJK JP", "Noto Sans Symbols2"]
    latin, cjk = ((0x20,), (0x24F,)), ((0x3000,), (0x9FFF,))
    charsets = {"eb garamond": latin, "noto serif cjk jp": cjk, "noto sans symbols2": cjk}
    assert faces_used(css, "La tumba de las luciérnagas", installed, charsets) == ("EB Garamond",)
    assert faces_used(css, "★★★★½ 〜", installed, charsets) == ("EB Garamond",)  # no letters
    assert faces_used(css, "火垂るの墓 (1988)", installed, charsets) == (
        "EB Garamond",
        "Noto Serif CJK JP",  # and not the symbols face: the CJK face drew them first
    )


def test_colophon_names_the_theme_faces(tmp_path: Path) -> None:
    """The contemporaneo theme sets headings in Noto Sans: the colophon says so."""
    anthology = write_book(tmp_path, "en", 'theme = "contemporaneo"\n')
    book, _ = load(anthology)
    rendered = render(book, Target.WEB)
    [colophon] = [doc.body for doc in rendered.documents if doc.id == "colophon"]
    assert "Frentes was set in EB Garamond and Noto Sans with <em>publisher</em> from" in colophon


def test_words_this_book_does_not_print_are_still_the_languages(tmp_path: Path) -> None:
    """`print_edition` (a print edition without ISBN) and `a11y_images` (a book with images),
    in the EPUB's package document, from a French catalogue."""
    anthology = write_book(tmp_path, "fr")
    text = anthology.read_text(encoding="utf-8").replace('isbn_print = "978-3-16-148410-0"\n', "")
    anthology.write_text(text, encoding="utf-8")
    book, _ = load(anthology)
    assert page_source(book.spec) == "Frentes (édition imprimée)"
    summary = dict(accessibility(render(book, Target.EPUB), True, True))
    assert summary["schema:accessibilitySummary"] == (
        "Texte recomposable avec table des matières navigable, ordre de lecture logique, titres"
        " structurés et notes liées. Les images ont une description textuelle. Comprend la"
        " pagination de l’édition imprimée (Frentes)."
    )


def test_no_word_is_named_like_a_mapping_method() -> None:
    """Templates read `labels.contents`: a key named `items` or `get` would be the method."""
    assert not set(label_keys()) & set(dir(Mapping))


def test_colophon_names_a_fallback_face_that_sets_letters(tmp_path: Path) -> None:
    """A Japanese original title is set in the stack's CJK face: the colophon names it."""
    anthology = write_book(tmp_path, "en")
    review = anthology.parent / "reviews" / "la-vaquilla.md"
    text = review.read_text(encoding="utf-8").replace('"The Heifer"', '"火垂るの墓"')
    review.write_text(text, encoding="utf-8")
    book, _ = load(anthology)
    [colophon] = [d.body for d in render(book, Target.WEB).documents if d.id == "colophon"]
    has_cjk = "noto serif cjk jp" in (installed_families() or frozenset())
    faces = "EB Garamond and Noto Serif CJK JP" if has_cjk else "EB Garamond"
    assert f"Frentes was set in {faces} with" in colophon


@pytest.mark.parametrize(
    ("lang", "colon", "semicolon"), [("fr", "\u202f: ", "\u202f; "), ("en", ": ", "; ")]
)
def test_the_contributors_punctuate_as_their_language(
    tmp_path: Path, lang: str, colon: str, semicolon: str
) -> None:
    """A critic's line: name, colon, titles joined by semicolons, each as the language spaces
    it (French: a narrow no-break space before both; Imprimerie nationale, Lexique)."""
    root = tmp_path / "manuscripts"
    (root / "reviews").mkdir(parents=True)
    (root / "front").mkdir()
    (root / "anthology.toml").write_text(ANTHOLOGY.format(lang=lang, labels=""), "utf-8")
    for slug, text in REVIEWS.items():  # both reviews by one critic
        written = (
            text if "author:" in text else text.replace("date:", 'author: "Carmen Crítica"\ndate:')
        )
        (root / "reviews" / f"{slug}.md").write_text(written, encoding="utf-8")
    anthology, _ = load(root / "anthology.toml")
    page = render(anthology, Target.WEB).page
    line = page[page.index('class="contributor-name"') :].split("</li>")[0]
    assert f"Crítica, Carmen</span>{colon}<a" in line
    assert f"</a>{semicolon}<a" in line


def test_names_get_the_books_apostrophes_wherever_they_are_printed(tmp_path: Path) -> None:
    """`O'Donnell` as an editor (title page, copyright, bylines) and as a critic (byline,
    contributors) prints with the typographic apostrophe, as the text does."""
    root = tmp_path / "manuscripts"
    (root / "reviews").mkdir(parents=True)
    (root / "front").mkdir()
    toml = ANTHOLOGY.format(lang="en", labels="").replace("'Ana Sanz'", '"Ana O\'Donnell"')
    (root / "anthology.toml").write_text(toml, encoding="utf-8")
    for slug, text in REVIEWS.items():
        written = text.replace('author: "Carmen Crítica"', 'author: "Carmen D\'Arcy"')
        (root / "reviews" / f"{slug}.md").write_text(written, encoding="utf-8")
    anthology, _ = load(root / "anthology.toml")
    page = render(anthology, Target.WEB).page
    assert "O'Donnell" not in page and "D'Arcy" not in page
    assert page.count("O’Donnell") >= 3  # title page, copyright, the editors' byline
    assert "D’Arcy</span>" in page  # byline
    assert "D’Arcy, Carmen</span>" in page  # contributors, filed

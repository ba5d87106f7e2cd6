"""Index order as a librarian of the book's language files it (issue 15): ICU collation per
language, titles without their article in their own language, people under their filed form,
`sort_as` and `file_as` overrides, and the filmography listing each film once."""

from __future__ import annotations

import io
import zipfile

import pytest
from lxml import etree

from publisher.base.collation import Collator, index_heading, without_article
from publisher.base.diagnostics import BuildFailed
from publisher.base.names import file_name
from publisher.base.rendered import Target
from publisher.export.epub import build_epub
from publisher.pipeline import load, render

from .conftest import ProjectMaker, review

# (name as written, as the index files and prints it)
NAMES = [
    ("Luis García Berlanga", "García Berlanga, Luis"),  # compound surname, under the first
    ("María Luisa Bemberg", "Bemberg, María Luisa"),  # compound given name
    ("José Mari Goenaga", "Goenaga, José Mari"),
    ("Miguel Ángel Vivas", "Vivas, Miguel Ángel"),
    ("José Luis Sáenz de Heredia", "Sáenz de Heredia, José Luis"),  # particle inside the surname
    ("Álex de la Iglesia", "Iglesia, Álex de la"),  # lowercase particles after the given name
    ("José Ortega y Gasset", "Ortega y Gasset, José"),
    ("Pere Portabella i Ràfols", "Portabella i Ràfols, Pere"),
    ("Fernando Fernán Gómez", "Fernán Gómez, Fernando"),
    ("Francis Ford Coppola", "Coppola, Francis Ford"),  # not a Hispanic name: the last word
    ("Lars von Trier", "Trier, Lars von"),
    ("Manoel de Oliveira", "Oliveira, Manoel de"),
    ("Vittorio De Sica", "De Sica, Vittorio"),  # a capital particle belongs to the surname
    ("Jean de La Fontaine", "La Fontaine, Jean de"),
    ("J. A. Bayona", "Bayona, J. A."),  # initials are given names
    ("Cecil B. DeMille", "DeMille, Cecil B."),
    ("Wong Kar-wai", "Wong Kar-wai"),  # family name first: not inverted
    ("Bong Joon-ho", "Bong Joon-ho"),
    ("黒澤明", "黒澤明"),  # Han script: as written
    ("Cantinflas", "Cantinflas"),  # a single name stays
    ("Bemberg, María Luisa", "Bemberg, María Luisa"),  # written inverted: taken as filed
]


@pytest.mark.parametrize(("written", "filed"), NAMES)
def test_names_file_as_their_tradition_does(written: str, filed: str) -> None:
    assert file_name(written).heading == filed


def test_file_as_overrides_the_default() -> None:
    assert file_name("Zhang Yimou").heading == "Yimou, Zhang"  # the default guesses wrong…
    assert file_name("Zhang Yimou", "Zhang Yimou").heading == "Zhang Yimou"  # …file_as fixes it
    assert file_name("Wong Kar-wai", "Wong, Kar-wai").heading == "Wong, Kar-wai"
    assert file_name("Luis García Berlanga", "Berlanga, Luis G.").surname == "Berlanga"


# (language tag, titles in the order a librarian of that language files them)
TITLE_ORDERS = [
    ("es", ["Ana y los lobos", "¡Ay, Carmela!", "El laberinto del fauno", "Niño", "La ñapa",
            "Los olvidados", "Un oso", "La vaquilla", "Иди и смотри"]),
    ("en", ["The Battle of Algiers", "A Bridge Too Far", "An Officer and a Gentleman",
            "Paths of Glory", "The Thin Red Line"]),
    ("fr", ["L'Armée des ombres", "L’Atalante", "La Grande Illusion", "Les Quatre Cents Coups",
            "Le Silence de la mer"]),
    ("de", ["Die Ärzte", "Das Boot", "Die Brücke", "Der Hauptmann", "Zeit"]),
    ("it", ["Il generale Della Rovere", "La grande guerra", "Gli indifferenti", "L'oro",
            "Lo sceicco"]),
    ("sv", ["Zorn", "Åsa", "Ödet"]),
]  # fmt: skip


@pytest.mark.parametrize(("tag", "titles"), TITLE_ORDERS)
def test_titles_file_without_their_article_in_their_language(tag: str, titles: list[str]) -> None:
    collator = Collator.for_tag(tag)
    assert sorted(reversed(titles), key=lambda t: collator.title_key(t, tag)) == titles


def test_german_umlaut_files_with_its_vowel_and_swedish_after_z() -> None:
    german, swedish = Collator.for_tag("de"), Collator.for_tag("sv")
    assert sorted(["Arzt", "Ärzte", "Azur"], key=german.key) == ["Arzt", "Ärzte", "Azur"]
    assert sorted(["Arzt", "Ärzte", "Azur"], key=swedish.key) == ["Arzt", "Azur", "Ärzte"]


def test_article_is_the_titles_languages_only() -> None:
    assert without_article("A sangre fría", "es") == "A sangre fría"  # `a` is no Spanish article
    assert without_article("A Bridge Too Far", "en-GB") == "Bridge Too Far"
    assert without_article("The", "en") == "The"  # a title that is only an article keeps it
    assert index_heading("The Thin Red Line", "en") == "Thin Red Line, The"  # Chicago: inverted
    assert index_heading("La vaquilla", "es") == "La vaquilla"  # as written


def _with(name: str, film: str, film_extra: str = "", lang: str = "") -> str:
    """A review of `film` by the director `name`; `film_extra`: more `film.` lines."""
    text = review(film=film, extra=f"lang: {lang}\n" if lang else "")
    text = text.replace("  runtime_min: 95\n", f"  runtime_min: 95\n{film_extra}")
    return text.replace('["Directora Uno"]', f'["{name}"]')


def test_book_indexes_collate_in_spanish_with_overrides(make_project: ProjectMaker) -> None:
    anthology = make_project(
        {
            "a.md": _with("María Luisa Bemberg", "Camila"),
            "b.md": _with("Wong Kar-wai", "Ñandú", lang="en"),
            "c.md": _with("Zhang Yimou", "Nube"),
            "d.md": _with("Alejandro Amenábar", "The Others", lang="en"),
            "e.md": _with("Elem Klimov", "Иди и смотри"),
            "f.md": _with("Gregory Nava", "El Norte", '  sort_as: "Zzz"\n'),
        }
    )
    toml = anthology.read_text(encoding="utf-8") + '\n[file_as]\n"Zhang Yimou" = "Zhang Yimou"\n'
    anthology.write_text(toml, encoding="utf-8")
    book, diagnostics = load(anthology)
    assert diagnostics == ()
    assert [e.heading for e in book.back.film_index] == [
        "Camila",
        "Nube",
        "Ñandú",
        "Others, The",  # an English review: English article, Chicago's inversion
        "El Norte",  # sort_as "Zzz"
        "Иди и смотри",
    ]
    assert [e.heading for e in book.back.director_index] == [
        "Amenábar, Alejandro",
        "Bemberg, María Luisa",
        "Klimov, Elem",
        "Nava, Gregory",
        "Wong Kar-wai",
        "Zhang Yimou",  # [file_as] in the anthology file
    ]


def test_front_matter_file_as_wins(make_project: ProjectMaker) -> None:
    extra = '  file_as: {"Luis García Berlanga": "Berlanga, Luis García"}\n'
    anthology = make_project({"a.md": _with("Luis García Berlanga", "La vaquilla", extra)})
    book, diagnostics = load(anthology)
    assert diagnostics == ()
    assert [e.heading for e in book.back.director_index] == ["Berlanga, Luis García"]


def test_file_as_that_is_no_mapping_is_an_error(make_project: ProjectMaker) -> None:
    anthology = make_project({"a.md": _with("Ana", "Film", '  file_as: "Ana"\n')})
    with pytest.raises(BuildFailed) as failed:
        load(anthology)
    assert [(d.code, d.line, d.message) for d in failed.value.diagnostics] == [
        (
            "front-matter-type",
            9,
            '`film.file_as` must map names to how they are filed, e.g. {"María Luisa Bemberg":'
            ' "Bemberg, María Luisa"}',
        )
    ]


def test_anthology_file_as_must_be_text(make_project: ProjectMaker) -> None:
    anthology = make_project({"a.md": review()})
    toml = anthology.read_text(encoding="utf-8") + '\n[file_as]\n"Ana Editora" = 3\n'
    anthology.write_text(toml, encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        load(anthology)
    assert [(d.code, d.message) for d in failed.value.diagnostics] == [
        (
            "anthology-type",
            "`file_as.Ana Editora` must be text: the name as the index files it, e.g."
            ' "Bemberg, María Luisa"',
        )
    ]


def test_filmography_lists_a_twice_reviewed_film_once(make_project: ProjectMaker) -> None:
    anthology = make_project(
        {
            "a.md": review(title="Primera", film="La vaquilla", year=1985),
            "b.md": review(title="Segunda", film="La vaquilla", year=1985),
            "c.md": review(title="Otra", film="Ay, Carmela", year=1990),
        }
    )
    book, diagnostics = load(anthology)
    assert diagnostics == ()
    assert [
        (e.film.title, [r.manuscript.title for r in e.reviews]) for e in book.back.filmography
    ] == [("La vaquilla", ["Primera", "Segunda"]), ("Ay, Carmela", ["Otra"])]


def test_filmography_page_links_every_review_of_a_film(make_project: ProjectMaker) -> None:
    anthology = make_project(
        {
            "a.md": review(title="Primera", film="La vaquilla", year=1985),
            "b.md": review(title="Segunda", film="La vaquilla", year=1985),
        }
    )
    book = render(load(anthology)[0], Target.WEB)
    [page] = [doc.body for doc in book.documents if doc.id == "filmography"]
    wrapped = f'<div xmlns:epub="http://www.idpf.org/2007/ops">{page}</div>'
    rows = etree.fromstring(wrapped).xpath("//*[local-name()='tbody']/*[local-name()='tr']")
    assert len(rows) == 1
    cell = rows[0][0]
    assert [(a.get("href"), "".join(a.itertext())) for a in cell.iter("{*}a")] == [
        ("#a", "Primera"),
        ("#b", "Segunda"),
    ]


def test_epub_names_each_person_as_filed(make_project: ProjectMaker) -> None:
    anthology = make_project({"a.md": review(extra='author: "María Luisa Bemberg"\n')})
    book = render(load(anthology)[0], Target.EPUB)
    with zipfile.ZipFile(io.BytesIO(build_epub(book))) as archive:
        [opf_name] = [name for name in archive.namelist() if name.endswith(".opf")]
        opf = etree.fromstring(archive.read(opf_name))
    ns = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
    filed = {
        person.text: opf.xpath(
            f"//opf:meta[@refines='#{person.get('id')}'][@property='file-as']/text()",
            namespaces=ns,
        )
        for person in opf.xpath("//dc:creator | //dc:contributor", namespaces=ns)
    }
    assert filed == {
        "Ana Editora": ["Editora, Ana"],
        "María Luisa Bemberg": ["Bemberg, María Luisa"],
    }


def test_file_as_naming_nobody_in_the_film_warns(make_project: ProjectMaker) -> None:
    extra = '  file_as:\n    "Luis Garcia Berlanga": "Berlanga, Luis García"\n'
    anthology = make_project({"a.md": _with("Luis García Berlanga", "La vaquilla", extra)})
    book, diagnostics = load(anthology)
    assert [(d.code, d.severity.value, d.line, d.col, d.message) for d in diagnostics] == [
        (
            "file-as-unused",
            "warning",
            10,
            5,
            "`film.file_as` names `Luis Garcia Berlanga`, who is not among the film's directors"
            " or cast (did you mean `Luis García Berlanga`?)",
        )
    ]
    assert [e.heading for e in book.back.director_index] == ["García Berlanga, Luis"]

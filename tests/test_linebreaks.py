"""Break opportunities in URLs and identifiers, and dense tables, on the Markdown element tree."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from publisher.render.linebreaks import break_points
from publisher.render.markup import render_markdown
from publisher.render.tables import min_content_chars

URL = "https://www.cinetecadelamemoria.example.es/fichas/el-espiritu-de-la-colmena_1973.html?copia=2&idioma=es#reparto"


def _split(token: str, lang: str = "es") -> list[str]:
    points = break_points(token, lang)
    return [token[a:b] for a, b in zip([0, *points], [*points, len(token)], strict=True)]


def _tree(markdown: str) -> ET.Element:
    html = render_markdown(markdown, "es", "x", 1).html
    return ET.fromstring(f"<div>{html}</div>")


def test_breaks_follow_the_chicago_manual_of_style() -> None:
    pieces = _split("https://www.example.es/el-sur_1983.html?copia=2&idioma=es#final~v")
    assert pieces == [
        "https://", "www", ".example", ".es", "/el", "-sur", "_1983", ".html", "?copia", "=", "2",
        "&", "idioma", "=", "es", "#final", "~v",
    ]  # fmt: skip
    # After a colon that does not open `//`; never between the two slashes.
    assert _split("mailto:erice@example.es")[:2] == ["mailto:", "erice@example"]
    assert _split("https://a.es//b") == ["https://", "a", ".es//", "b"]  # after any `//`


def test_a_long_run_of_letters_breaks_between_syllables_and_a_serial_number_in_chunks() -> None:
    pieces = _split("https://www.archivodelcinedelaguerracivil.example.es")
    assert "".join(pieces) == "https://www.archivodelcinedelaguerracivil.example.es"
    assert max(len(piece) for piece in pieces) <= 12
    assert ".ar" in pieces[2] and pieces[2] != ".archivodelcinedelaguerracivil"
    serial = _split("https://a.es/0123456789012345678901234567890123")
    assert max(len(piece) for piece in serial) <= 12


def test_link_text_gets_wbr_elements_and_keeps_its_characters() -> None:
    root = _tree(f"Vista en el archivo: [{URL}]({URL}).")
    link = root.find(".//a")
    assert link is not None
    assert "".join(link.itertext()) == URL  # copying the text gives the URL back
    assert "\u200b" not in ET.tostring(root, encoding="unicode")
    assert len(link.findall(".//wbr")) >= 10
    # Pieces that hold a hyphen, slash or question mark before their end stay whole.
    kept = ["".join(span.itertext()) for span in link.iter("span")]
    assert "-espiritu" in kept and "https://" in kept and "?copia" in kept
    assert all(span.get("class") == "nobreak" for span in link.iter("span"))


def test_bare_urls_and_identifiers_in_text_are_wrapped_and_marked() -> None:
    root = _tree(
        "La crítica de *El sur* está en https://hemeroteca.example.es/criticas/1983/el-sur.pdf, "
        "con la signatura COPIA_1983_ERICE_EL_SUR del archivo."
    )
    spans = {span.get("class"): "".join(span.itertext()) for span in root.iter("span")}
    assert spans["url"] == "https://hemeroteca.example.es/criticas/1983/el-sur.pdf"  # no comma
    assert spans["identifier"] == "COPIA_1983_ERICE_EL_SUR"
    text = "".join(root.itertext())
    assert "el-sur.pdf, con la signatura COPIA_1983_ERICE_EL_SUR del archivo." in text


def test_code_gets_breaks_but_code_blocks_short_urls_and_prose_links_do_not() -> None:
    root = _tree(
        "La función `cargar_fotogramas_de_la_colmena()` y el sitio https://rtve.es/a.\n\n"
        "[La película de Erice](https://www.example.es/una/direccion/larga/de/verdad.html)\n\n"
        "    copia = https://www.example.es/una/direccion/larga/de/verdad_en_un_bloque.html\n"
    )
    code = root.find(".//p/code")
    assert code is not None and len(code.findall("wbr")) >= 4
    assert "".join(code.itertext()) == "cargar_fotogramas_de_la_colmena()"
    assert not root.findall(".//pre//wbr")  # a code block keeps its lines as written
    assert not root.findall(".//a//wbr")  # prose link text is not a URL
    assert not [s for s in root.iter("span") if "rtve" in "".join(s.itertext())]  # short


def test_links_inside_tables_and_headings_are_handled_too() -> None:
    root = _tree(
        f"## Dónde verla: {URL}\n\n| Copia | Dirección |\n|---|---|\n| Restaurada | {URL} |\n"
    )
    assert root.findall(".//h3//wbr") and root.findall(".//td//wbr")


@pytest.mark.parametrize(
    ("row", "dense"),
    [
        ("| El espíritu de la colmena | 1973 | Víctor Erice |", False),
        ("| " + " | ".join(["Extraordinariamente"] * 6) + " |", True),
    ],
)
def test_tables_too_wide_for_a_line_are_marked_dense(row: str, dense: bool) -> None:
    columns = row.count("|") - 1
    header = "| " + " | ".join(f"C{i}" for i in range(columns)) + " |"
    rule = "|" + "---|" * columns
    root = _tree(f"{header}\n{rule}\n{row}\n")
    table = root.find(".//table")
    assert table is not None
    assert ("dense" in table.get("class", "").split()) is dense
    assert min_content_chars(table) > 0


def test_a_bare_url_keeps_its_own_parenthesis_but_not_the_sentences() -> None:
    root = _tree(
        "Véase https://es.wikipedia.org/wiki/Belchite_(1937) y también "
        "(https://es.wikipedia.org/wiki/El_esp%C3%ADritu_de_la_colmena)."
    )
    urls = ["".join(span.itertext()) for span in root.iter("span") if span.get("class") == "url"]
    assert urls == [
        "https://es.wikipedia.org/wiki/Belchite_(1937)",
        "https://es.wikipedia.org/wiki/El_esp%C3%ADritu_de_la_colmena",
    ]

"""Footnotes in every position Markdown allows, as markup (publisher/notes.py via markup.py).

The editions themselves (both PDFs, the EPUB with its validators) are in test_notes_editions.py.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from lxml import etree

from publisher.export.pdf import linebox_layout_keeping_notes
from publisher.render.markup import render_markdown

OPS = "{http://www.idpf.org/2007/ops}type"

# Calls in a paragraph (three, one label twice), a heading, list items, a nested list, a block
# quote, a table cell and a definition list; definitions in another order than the calls, one
# note of two paragraphs, one never cited.
SOURCE = """\
Víctor Erice rodó *El espíritu de la colmena* en 1973[^rodaje] con muy poco dinero, y la
película ganó la Concha de Oro[^concha] en San Sebastián aquel mismo otoño. Ana Torrent
tenía siete años[^torrent] cuando se puso delante de la cámara.

## Un pueblo de Segovia[^hoyuelos]

- El padre estudia sus abejas[^abejas] en una colmena de cristal.
- La madre escribe cartas:
    - las manda a alguien ausente[^cartas] que nunca contesta.

> Todo ocurre «en algún lugar de la meseta castellana»[^rotulo] hacia 1940.

| Personaje | Intérprete |
|---|---|
| Ana[^ana] niña | Ana Torrent |

Frankenstein
:   La película de James Whale proyectada en el pueblo[^whale] lo desencadena todo.

Erice volvió sobre su presupuesto[^rodaje] en muchas entrevistas.

[^whale]: *Frankenstein*, de 1931.

    Un segundo párrafo: el público de la proyección eran vecinos del pueblo.
[^concha]: El premio principal del festival.
[^rodaje]: La productora era la de Elías Querejeta.
[^torrent]: Nació en 1966.
[^hoyuelos]: Hoyuelos, en la provincia de Segovia.
[^abejas]: Fernando Fernán Gómez interpreta al padre.
[^cartas]: Teresa Gimpera interpreta a la madre.
[^rotulo]: El rótulo inicial de la película.
[^ana]: El personaje lleva el nombre de la actriz.
[^suelta]: Una nota que nadie cita.
"""

# Each call's label, in reading order, and the words the manuscript puts right after it.
CALLS = [
    ("rodaje", "con muy poco dinero"), ("concha", "en San Sebastián"),
    ("torrent", "cuando se puso"), ("hoyuelos", ""), ("abejas", "en una colmena"),
    ("cartas", "que nunca contesta"), ("rotulo", "hacia 1940"), ("ana", "niña"),
    ("whale", "lo desencadena todo"), ("rodaje", "en muchas entrevistas"),
]  # fmt: skip
NUMBERS = {"rodaje": 1, "concha": 2, "torrent": 3, "hoyuelos": 4, "abejas": 5, "cartas": 6,
           "rotulo": 7, "ana": 8, "whale": 9, "suelta": 10}  # fmt: skip
FIRST_WORDS = {"rodaje": "La productora", "whale": "Frankenstein", "suelta": "Una nota que"}


def parse(html: str) -> etree._Element:
    return etree.fromstring(f'<div xmlns:epub="http://www.idpf.org/2007/ops">{html}</div>')


def text_without_notes(root: etree._Element) -> str:
    """The body's text as a reader meets it, notes (print: inside the call) left out."""
    for note in root.xpath("//*[@class='footnote' or @class='footnotes']"):
        note.clear(keep_tail=True)
    return re.sub(r"\s+", " ", "".join(root.itertext()))


@pytest.mark.parametrize("print_notes", [False, True], ids=["screen", "print"])
def test_words_after_every_call_are_kept(print_notes: bool) -> None:
    root = parse(render_markdown(SOURCE, "es", "colmena", 1, inline_notes=print_notes).html)
    text = text_without_notes(root)
    for label, after in CALLS:
        assert after in text, f"words after [^{label}] lost"
    assert "Erice rodó" in text and "Intérprete" in text


def test_screen_notes_numbered_by_first_call_with_unique_ids_and_back_links() -> None:
    fragment = render_markdown(SOURCE, "es", "colmena", 1)
    root = parse(fragment.html)
    ids = Counter(root.xpath("//@id"))
    assert [i for i, n in ids.items() if n > 1] == []
    refs = root.xpath("//a[@role='doc-noteref']")
    assert [ref.text for ref in refs] == [str(NUMBERS[label]) for label, _ in CALLS]
    for ref in refs:  # every call points at its note, and the note back at it
        note = root.xpath(f"//aside[@id='{ref.get('href')[1:]}']")[0]
        call_id = ref.getparent().get("id")
        assert note.xpath(f".//a[@role='doc-backlink'][@href='#{call_id}']"), call_id
    notes = root.xpath("//section[@role='doc-endnotes']/aside[@role='doc-footnote']")
    assert [n.get(OPS) for n in notes] == ["footnote"] * 10
    assert [n.get("id") for n in notes] == [f"colmena-note-{i}" for i in range(1, 11)]
    for label, words in FIRST_WORDS.items():
        assert (
            "".join(notes[NUMBERS[label] - 1].itertext())
            .strip()
            .startswith(f"{NUMBERS[label]}. {words}")
        )
    # The note cited twice lists both calls: "↩ a b".
    backlinks = notes[0].xpath(".//span[@class='note-backlinks']")[0]
    assert "".join(backlinks.itertext()) == " \u21a9\ufe0e a b"
    assert notes[8].xpath("count(p)") == 2  # a note of two paragraphs keeps both
    assert fragment.footnotes == 9  # cited notes


def test_print_notes_ride_at_their_first_call_once_each() -> None:
    root = parse(render_markdown(SOURCE, "es", "colmena", 1, inline_notes=True).html)
    floated = root.xpath("//span[@class='footnote']")
    assert [n.get("id") for n in floated] == [f"colmena-note-{i}" for i in range(1, 10)]
    heading_note = root.xpath("//h3/span[@class='footnote']")
    assert heading_note and heading_note[0].get("id") == "colmena-note-4"
    assert root.xpath("//td/span[@class='footnote']") and root.xpath("//dd/span[@class='footnote']")
    assert root.xpath("//li/ul/li/span[@class='footnote']")  # nested list
    assert root.xpath("//blockquote//span[@class='footnote']")
    # Only phrasing content inside a paragraph: an HTML parser would otherwise close the <p>.
    assert not root.xpath("//span[@class='footnote']//*[self::p or self::div or self::ul]")
    # The second call of `rodaje` is a plain number linking to the note printed at the first.
    [repeat] = root.xpath("//sup[contains(@class, 'noteref-repeat')]")
    assert repeat.get("id") == "colmena-noteref-1-2" and repeat.findtext("a") == "1"
    assert repeat.find("a").get("href") == "#colmena-note-1"
    # The uncited note is printed after the body, numbered after the cited ones.
    [uncited] = root.xpath("//p[@class='note-after-body']")
    assert "".join(uncited.itertext()).startswith("10. Una nota que")


def test_text_of_a_multi_paragraph_print_note_keeps_both_paragraphs() -> None:
    root = parse(render_markdown(SOURCE, "es", "colmena", 1, inline_notes=True).html)
    note = root.xpath("//span[@id='colmena-note-9']")[0]
    paragraphs = note.xpath("span[@class='footnote-para']")
    assert len(paragraphs) == 2 and "vecinos del pueblo" in "".join(paragraphs[1].itertext())
    assert not (note.text or "").strip()  # no blank line before the marker (WeasyPrint)


def test_weasyprint_orphan_footnote_report_is_switched_off() -> None:
    """Fails when a WeasyPrint upgrade changes `_linebox_layout`: re-check
    Kozea/WeasyPrint#2432 and the comment in export/pdf/patches.py before dropping the workaround."""
    assert linebox_layout_keeping_notes() is not None


NOTE_IN_NOTE = """\
Carlos Saura estrenó *¡Ay, Carmela!* en 1990[^goya] con Carmen Maura en el papel principal.

[^goya]: Ganó trece premios Goya[^trece] en la edición de 1991.
[^trece]: Entre ellos, el de mejor película.
"""


@pytest.mark.parametrize("print_notes", [False, True], ids=["screen", "print"])
def test_a_call_inside_a_note_links_to_a_numbered_note(print_notes: bool) -> None:
    html = render_markdown(NOTE_IN_NOTE, "es", "carmela", 1, inline_notes=print_notes).html
    root = parse(html)
    assert "fn:" not in html and "footnote-ref" not in html  # no Markdown ids or classes left
    ids = set(root.xpath("//@id"))
    for href in root.xpath("//a/@href"):
        assert href[1:] in ids, href
    inner = root.xpath("//sup[a[@href='#carmela-note-2']]")
    assert len(inner) == 1 and inner[0].findtext("a") == "2"
    text = "".join(root.itertext())
    assert "en la edición de 1991" in text and "con Carmen Maura" in text
    if print_notes:  # WeasyPrint floats no note inside a note: the second goes after the body
        [after] = root.xpath("//p[@class='note-after-body']")
        assert "".join(after.itertext()).startswith("2. Entre ellos")

"""Text fidelity (`publisher/validation/fidelity.py`): every manuscript word reaches every edition.

The check must pass on correct editions (no false alarms: hyphenation, letter-spacing, notes at
the page foot, ligatures, case) and fail, at the right `path:line` with the right words, on an
edition that lost text: a word deleted from a PDF's text layer, from the EPUB, from the HTML,
and the rest of a paragraph after a note call (the loss issue 11 found in our PDFs).
"""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from pathlib import Path

import pikepdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from publisher.base.diagnostics import Diagnostic
from publisher.cli import main
from publisher.pipeline import BuildRequest, Format, build, load
from publisher.validation.edition_words import Edition, html_words
from publisher.validation.fidelity import check_fidelity
from publisher.validation.manuscript_words import Anchor, Stream, markdown_streams
from publisher.validation.matching import match_stream
from publisher.validation.words import BROKEN_LINE_END, Word, keys, words

from .conftest import DEFAULT_ANTHOLOGY, MINI_TOML, REPO, ProjectMaker, review
from .stressbook import make_stress_book

ALL = frozenset(Format)

# -- words: one normalisation for both sides ---------------------------------------------------


def test_keys_fold_what_printing_changes() -> None:
    assert keys("«Franco-alemán», ¿SÍ?") == ["francoalemán", "sí"]
    assert keys("ﬁnal ﬂor") == ["final", "flor"]  # ligatures from a PDF's text layer
    assert keys("trinchera¹") == ["trinchera", "1"]  # a note call extracted with its word
    assert keys("pala\u00adbra cero\u200banchura") == ["palabra", "ceroanchura"]
    assert keys("Cafe\u0301") == keys("Café")  # decomposed and composed
    assert keys("ΜΝΗΜΗ Память") == ["μνημη", "память"]  # Greek accents dropped by capitals
    assert keys("fran\u2010") == ["fran"]


@given(st.text(max_size=80))
@settings(max_examples=300, deadline=None)
def test_manuscript_and_edition_words_are_cut_alike(text: str) -> None:
    """The two sides tokenise the same: `Marca™` is `marcatm` in both (NFKC spells ™)."""
    assert [word.key for word in words(text, 1)] == keys(text)


def test_words_carry_their_lines() -> None:
    found = list(words("Una frase\nque sigue,\n\nB52 ahí.", 7))
    assert [(w.key, w.line) for w in found] == [
        ("una", 7), ("frase", 7), ("que", 8), ("sigue", 8), ("b", 10), ("52", 10), ("ahí", 10),
    ]  # fmt: skip
    assert found[4].shown == "B52"


def test_markdown_that_prints_no_words() -> None:
    source = (
        'Un [enlace](https://ejemplo.org/ruta-larga "título") y [otro][ref] con ![alt](a.png).\n'
        "\n"
        '![Texto alternativo](b.png "Pie de la foto")\n'
        "\n"
        "Texto <script>secreto()</script> visible <b>fuerte</b>.\n"
        "\n"
        "<div><style>p{}</style>Bloque <!-- oculto --> crudo</div>\n"
        "\n"
        "Cita destacada\n{: .pullquote}\n"
        "\n"
        "[ref]: https://ejemplo.org/definicion\n"
    )
    [body] = markdown_streams(source, 20, "r.md")
    assert [w.key for w in body.words] == [
        "un", "enlace", "y", "otro", "con",
        "pie", "de", "la", "foto",
        "texto", "visible", "fuerte",
        "bloque", "crudo",
        "cita", "destacada",
    ]  # fmt: skip
    assert body.words[5].line == 22  # the caption, at its image's line


def test_footnotes_are_streams_of_their_own() -> None:
    source = "Antes[^n] después.\n\n[^n]: La nota,\n    en dos líneas.\n"
    body, note = markdown_streams(source, 10, "r.md")
    assert [w.key for w in body.words] == ["antes", "después"]
    assert (note.anchor, note.what) == (Anchor.NOTE, "note [^n]")
    assert [(w.key, w.line) for w in note.words] == [
        ("la", 12), ("nota", 12), ("en", 13), ("dos", 13), ("líneas", 13),
    ]  # fmt: skip


# -- matching ----------------------------------------------------------------------------------


def _stream(text: str, line: int = 1) -> Stream:
    return Stream("r.md", "body", Anchor.BODY, tuple(words(text, line)))


def _edition(*lines: str) -> Edition:
    edition = Edition()
    for line in lines:
        edition.add_text(line, broken=BROKEN_LINE_END.search(line) is not None)
    return edition


def test_a_page_end_with_notes_and_running_head_loses_nothing() -> None:
    stream = _stream("la censura franquista dejaba claro que de la guerra no se hablaba")
    edition = _edition(
        "la censura fran\u2010",
        "1. Una nota larga al pie de la página que habla de otra guerra y de otra censura.",
        "13",
        "G U E R R A  Y  M E M O R I A",
        "quista dejaba claro que de la guerra no se hablaba",
    )
    assert match_stream(stream, edition, 0).gaps == ()


def test_letter_spaced_capitals_far_from_the_last_match_are_read() -> None:
    stream = _stream("Nota editorial")
    filler = " ".join(["palabra"] * 50)
    edition = _edition(filler, "N O T A E D I T O R I A L", filler)
    assert match_stream(stream, edition, 0).gaps == ()


def test_words_run_together_by_the_extractor_are_read() -> None:
    stream = _stream("cuando acaba la contienda española Reyes un capitán de aviación")
    edition = _edition("cuando acaba la contiendaespañola Reyes, un capitán de aviación")
    assert match_stream(stream, edition, 0).gaps == ()


# Words bound by a no-break, narrow no-break or thin space, as entities and as characters: the
# second sentence repeats the bound words within a few words, which must not be taken instead.
BOUND = (
    "Ana&nbsp;Torrent mira el tren y calla, y Fernando&#8239;Fernán Gómez lee.\n\n"
    "Luego Ana Torrent mira&#x2009;el monstruo, y Fernando&thinsp;Fernán Gómez cuida las "
    "abejas; Fernando\u00a0Fernán\u202fGómez calla.\n"
)


def test_words_bound_by_a_no_break_or_thin_space_are_read() -> None:
    """pdftotext prints `AnaTorrent` for `Ana&nbsp;Torrent`: read as the two words there, not
    as the `Ana` of the next sentence (which lost «Torrent mira el tren» before the fix)."""
    [stream] = markdown_streams(BOUND, 1, "r.md")
    assert [w.key for w in stream.words[:3]] == ["ana", "torrent", "mira"]
    edition = _edition(
        "AnaTorrent mira el tren y calla, y FernandoFernán Gómez lee.",
        "Luego Ana Torrent mirael monstruo, y FernandoFernán Gómez cuida las",
        "abejas; FernandoFernánGómez calla.",
    )
    assert match_stream(stream, edition, 0).gaps == ()
    lost = _edition(  # a really lost word is still reported, alone
        "AnaTorrent mira el tren y calla, y FernandoFernán Gómez lee.",
        "Luego Ana Torrent mirael monstruo, y FernandoFernán Gómez las",
        "abejas; FernandoFernánGómez calla.",
    )
    [gap] = match_stream(stream, lost, 0).gaps
    assert [w.shown for w in stream.words[gap.start : gap.end]] == ["cuida"]


def test_a_number_with_a_note_call_glued_to_it_is_read() -> None:
    stream = _stream("Erice rodó la película en 1973 con muy poco dinero y en Hoyuelos")
    edition = _edition("Erice rodó la película en 19731 con muy poco dinero y en Hoyuelos")
    assert match_stream(stream, edition, 0).gaps == ()
    lost = _edition("Erice rodó la película en 1971 con muy poco dinero y en Hoyuelos")
    [gap] = match_stream(stream, lost, 0).gaps  # a wrong year is not a year with a call
    assert [w.shown for w in stream.words[gap.start : gap.end]] == ["1973"]


def test_a_section_that_repeats_the_one_before_is_placed_after_it() -> None:
    """Two reviews with the same words (a series' entries): the second is not the first."""
    from publisher.validation.fidelity import match_book
    from publisher.validation.manuscript_words import Section

    body = "Una casa de Chamberí donde nadie habla de la guerra"
    first, second = _stream(body), _stream(body)
    sections = [Section("a", (first,)), Section("b", (second,))]
    assert match_book(sections, _edition(body, "Fin")) != []  # printed once: one is lost
    assert match_book(sections, _edition(body, body)) == []


def test_one_lost_run_is_one_gap_and_matching_goes_on() -> None:
    stream = _stream("conocía ambos lados de la trinchera.\nCuando por fin llegó a las pantallas "
                     "la democracia tenía diez años. La premisa es sencilla y la risa amarga.")  # fmt: skip
    edition = _edition("conocía ambos lados de la trinchera1",
                       "La premisa es sencilla y la risa amarga.")  # fmt: skip
    [gap] = match_stream(stream, edition, 0).gaps
    lost = stream.words[gap.start : gap.end]
    assert [w.shown for w in lost][:4] == ["Cuando", "por", "fin", "llegó"]
    assert [w.shown for w in lost][-2:] == ["diez", "años"]
    assert lost[0].line == 2


def test_a_single_missing_word_is_found() -> None:
    stream = _stream("uno dos tres cuatro cinco seis siete ocho nueve diez")
    edition = _edition("uno dos tres cuatro seis siete ocho nueve diez")
    [gap] = match_stream(stream, edition, 0).gaps
    assert [w.shown for w in stream.words[gap.start : gap.end]] == ["cinco"]


def test_a_deleted_word_among_repeated_ones_is_reported_alone() -> None:
    """«medio en broma y medio en serio» without the first «medio» lost «medio», not the four
    words before the second «medio» (which the matcher jumped to). Every word but the first
    (which places the stream) is deleted in turn."""
    text = ("Rodada medio en broma y medio en serio por Berlanga, La vaquilla cuenta la guerra "
            "en broma y en serio a la vez.")  # fmt: skip
    stream, written = _stream(text), text.split()
    for index in range(1, len(written)):
        edition = _edition(" ".join(written[:index] + written[index + 1 :]))
        [gap] = match_stream(stream, edition, 0).gaps
        assert [w.shown for w in stream.words[gap.start : gap.end]] == [
            written[index].strip(",.")
        ], index


def test_order_matters() -> None:
    stream = _stream("primero segundo tercero cuarto quinto sexto")
    edition = _edition("cuarto quinto sexto primero segundo tercero")
    assert match_stream(stream, edition, 0).gaps


# -- a small book, built once to all four editions ----------------------------------------------

VERDUGO = """\
José Luis, empleado de una funeraria, se casa con la hija del verdugo de la Audiencia y hereda
el oficio para conservar el piso. Berlanga cuenta una ejecución con el tono de una comedia de
costumbres, y la risa se congela en el último plano.

Zarzuela fingida, un viaje a Mallorca y un patio de cárcel: la película avanza por escenarios
amables hacia un final que nadie en la sala quiere ver. Nino Manfredi y Emma Penella sostienen
esa mezcla sin un gesto de más.[^1]

- El piso como chantaje.
- La boda como trámite.

[^1]: La censura recortó varios planos; la copia restaurada los devuelve.
"""
INOCENTES = """\
Mario Camus adapta a Miguel Delibes con una sobriedad que deja hablar a los rostros. Paco, la
Régula y Azarías viven al servicio de un cortijo extremeño, y la película mira su humillación
sin subrayarla.

Alfredo Landa y Francisco Rabal compartieron premio en Cannes; la milana bonita es una de las
imágenes más tristes de nuestro cine.
"""


def _mini_reviews() -> dict[str, str]:
    return {
        "el-verdugo.md": review("La ley y el piso", "El verdugo", 1963, body=VERDUGO),
        "los-santos-inocentes.md": review(
            "Los que sirven", "Los santos inocentes", 1984, body=INOCENTES
        ),
    }


@pytest.fixture(scope="module")
def mini_book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    root = tmp_path_factory.mktemp("fidelity-mini")
    anthology = _write_project(root, _mini_reviews())
    result = build(BuildRequest(anthology, ALL, root / "dist", cache=False))
    return anthology, {output.target: output.path for output in result.outputs}


def _write_project(root: Path, reviews: dict[str, str], toml: str = MINI_TOML) -> Path:
    folder = root / "manuscripts" / "reviews"
    folder.mkdir(parents=True)
    (root / "manuscripts" / "front").mkdir()
    for name, text in reviews.items():
        (folder / name).write_text(text, encoding="utf-8")
    anthology = root / "manuscripts" / "anthology.toml"
    anthology.write_text(toml, encoding="utf-8")
    return anthology


def _missing(anthology: Path, paths: list[Path]) -> list[Diagnostic]:
    book, _ = load(anthology)
    return [d for r in check_fidelity(book, paths) for d in r.diagnostics]


def test_the_small_book_loses_nothing(mini_book: tuple[Path, dict[str, Path]]) -> None:
    anthology, editions = mini_book
    book, _ = load(anthology)
    results = check_fidelity(book, list(editions.values()))
    assert len(results) == 4
    for result in results:
        assert result.ok, [d.format() for d in result.diagnostics]
        assert result.counts["words"] > 150 and result.counts["missing"] == 0


def _line_of(anthology: Path, name: str, text: str) -> int:
    source = (anthology.parent / "reviews" / name).read_text(encoding="utf-8")
    return source[: source.index(text)].count("\n") + 1


def _to_unicode(font: pikepdf.Object) -> dict[bytes, str]:
    """A font's ToUnicode CMap (bfchar and bfrange entries): glyph code → text."""
    cmap = bytes(font.ToUnicode.read_bytes()).decode("latin-1")
    table: dict[bytes, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            table[bytes.fromhex(code)] = bytes.fromhex(text).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, start in re.findall(r"<(\w+)>\s*<(\w+)>\s*<(\w+)>", block):
            first = int(start, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                table[code.to_bytes(len(low) // 2, "big")] = chr(first + offset)
    return table


def delete_word_from_pdf(path: Path, word: str) -> None:
    """Remove `word`'s glyphs from the first text-showing operator (TJ) that draws it."""
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        for page in pdf.pages:
            fonts = {str(name): _to_unicode(font) for name, font in page.Resources.Font.items()}
            operations = pikepdf.parse_content_stream(page)
            font: dict[bytes, str] = {}
            for index, (operands, operator) in enumerate(operations):
                if str(operator) == "Tf":
                    font = fonts.get(str(operands[0]), {})
                if str(operator) != "TJ":
                    continue
                glyphs = [(k, bytes(item)[j : j + 2]) for k, item in enumerate(operands[0])
                          if isinstance(item, pikepdf.String)
                          for j in range(0, len(bytes(item)), 2)]  # fmt: skip
                text = "".join(font.get(code, "\0") for _, code in glyphs)
                at = text.find(word)
                if at < 0:
                    continue
                doomed = {id(glyph) for glyph in glyphs[at : at + len(word)]}
                kept: dict[int, bytes] = {}
                for glyph in glyphs:
                    if id(glyph) not in doomed:
                        kept[glyph[0]] = kept.get(glyph[0], b"") + glyph[1]
                items = [
                    pikepdf.String(kept.get(k, b"")) if isinstance(item, pikepdf.String) else item
                    for k, item in enumerate(operands[0])
                ]
                operations[index] = pikepdf.ContentStreamInstruction(
                    [pikepdf.Array(items)], pikepdf.Operator("TJ")
                )
                page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(operations))
                pdf.save(path)
                return
    raise AssertionError(f"{word!r} is drawn by no single TJ operator in {path}")


@pytest.mark.parametrize("target", ["screen", "print"])
def test_a_word_deleted_from_a_pdf_text_layer_is_reported(
    target: str, mini_book: tuple[Path, dict[str, Path]], tmp_path: Path
) -> None:
    anthology, editions = mini_book
    damaged = tmp_path / editions[target].name
    shutil.copy(editions[target], damaged)
    delete_word_from_pdf(damaged, "Zarzuela")
    [problem] = _missing(anthology, [damaged])
    assert problem.code == "text-missing" and problem.source == "fidelity"
    assert problem.path == "manuscripts/reviews/el-verdugo.md"
    assert problem.line == _line_of(anthology, "el-verdugo.md", "Zarzuela")
    assert "«Zarzuela»" in problem.message and damaged.name in problem.message


def _rewrite_epub(source: Path, target: Path, edit: tuple[str, str]) -> None:
    """Copy an EPUB, replacing text `edit[0]` by `edit[1]` in its XHTML documents."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename.endswith(".xhtml"):
                data = data.replace(edit[0].encode(), edit[1].encode())
            new.writestr(info, data)


def test_a_word_deleted_from_the_epub_and_html_is_reported(
    mini_book: tuple[Path, dict[str, Path]], tmp_path: Path
) -> None:
    anthology, editions = mini_book
    epub = tmp_path / editions["epub"].name
    _rewrite_epub(editions["epub"], epub, ("Régula y Azarías", "Régula y"))
    html = tmp_path / editions["web"].name
    text = editions["web"].read_text(encoding="utf-8")
    html.write_text(text.replace("Régula y Azarías", "Régula y"), encoding="utf-8")
    found = _missing(anthology, [epub, html])
    assert [(d.path, d.line) for d in found] == [
        ("manuscripts/reviews/los-santos-inocentes.md",
         _line_of(anthology, "los-santos-inocentes.md", "Régula y Azarías")),
    ] * 2  # fmt: skip
    assert all("«Azarías»" in d.message for d in found)
    assert [epub.name in found[0].message, html.name in found[1].message] == [True, True]


def test_a_lost_footnote_and_a_lost_field_are_reported(
    mini_book: tuple[Path, dict[str, Path]], tmp_path: Path
) -> None:
    anthology, editions = mini_book
    html = tmp_path / editions["web"].name
    text = editions["web"].read_text(encoding="utf-8")
    text = text.replace("la copia restaurada los devuelve", "")
    html.write_text(text.replace("<cite>Los santos inocentes</cite>", "<cite></cite>"), "utf-8")
    found = {(d.line, d.message.split(" missing")[0]) for d in _missing(anthology, [html])}
    assert found == {
        (_line_of(anthology, "el-verdugo.md", "[^1]: La censura"), "5 words of the note [^1]"),
        (4, "3 words of the film.title"),  # not taken from the index at the back
    }


# -- the loss issue 11 found: the rest of a paragraph after a note call -------------------------

MID_CALL = """\
El exilio de los niños de la guerra[^1] empezó en los barcos de 1937 y acabó, para muchos, en
una fábrica de Moscú. La película los sigue sin nostalgia.

Un segundo párrafo que nadie toca.

[^1]: Unos tres mil menores llegaron a la Unión Soviética.
"""


def _cut_after_note_calls(html: str) -> str:
    """What our PDFs did (issue 11): nothing after a note call reaches the page."""
    root = etree.fromstring(html.encode("utf-8"), etree.HTMLParser())
    for call in root.iter("sup"):
        if "noteref" in call.get("class", ""):
            call.tail = None
            parent = call.getparent()
            assert parent is not None
            for sibling in list(call.itersiblings()):
                parent.remove(sibling)
    return etree.tostring(root, encoding="unicode", method="html")


def test_text_cut_after_a_note_call_is_reported(make_project: ProjectMaker) -> None:
    anthology = make_project({"ninos.md": review("Los niños", "Ispansi", 2010, body=MID_CALL)})
    dist = anthology.parent.parent / "dist"
    [output] = build(BuildRequest(anthology, frozenset({Format.HTML}), dist, cache=False)).outputs
    assert _missing(anthology, [output.path]) == []  # the HTML edition is whole
    output.path.write_text(_cut_after_note_calls(output.path.read_text("utf-8")), "utf-8")
    [problem] = _missing(anthology, [output.path])
    line = _line_of(anthology, "ninos.md", "El exilio")
    assert (problem.path, problem.line) == ("manuscripts/reviews/ninos.md", line)
    assert "21 words of the body" in problem.message
    assert "«empezó en los barcos de 1937 y acabó …»" in problem.message


# -- the command line and the build ------------------------------------------------------------


def test_validate_runs_the_check_on_the_anthology_editions(
    mini_book: tuple[Path, dict[str, Path]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    anthology, editions = mini_book
    html = tmp_path / editions["web"].name
    html.write_text(editions["web"].read_text("utf-8").replace("milana bonita", "milana"), "utf-8")
    report = tmp_path / "report.json"
    code = main(["validate", str(html), "--anthology", str(anthology), "--json", str(report)])
    assert code == 1
    err = capsys.readouterr().err
    line = _line_of(anthology, "los-santos-inocentes.md", "la milana")
    assert f"los-santos-inocentes.md:{line}: error: text-missing: 1 word of the body" in err
    import json

    [result] = json.loads(report.read_text("utf-8"))["validators"]
    assert (result["validator"], result["ok"], result["counts"]["missing"]) == (
        "fidelity",
        False,
        1,
    )


def test_validate_checks_a_named_file_whatever_its_name(
    mini_book: tuple[Path, dict[str, Path]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A renamed edition named with `--anthology` is compared (it was skipped in silence);
    without `--anthology`, one not named after the default anthology is skipped, and said so."""
    anthology, editions = mini_book
    renamed = tmp_path / "mi-copia.html"
    renamed.write_text(editions["web"].read_text("utf-8").replace("milana bonita", "milana"))
    monkeypatch.chdir(tmp_path)  # messages name files from the working directory
    assert main(["validate", "--anthology", str(anthology), str(renamed)]) == 1
    out, err = capsys.readouterr()
    assert "text-missing: 1 word of the body missing from mi-copia.html" in err
    assert "fidelity: mi-copia.html: FAILED" in out

    monkeypatch.chdir(anthology.parent.parent)  # the default `manuscripts/anthology.toml`
    notes = tmp_path / "notas.txt"
    notes.write_text("nada que validar", "utf-8")
    assert main(["validate", str(renamed), str(notes)]) == 0
    err = capsys.readouterr().err
    # Named relative to the working directory, as every message names files.
    assert f"{os.path.relpath(renamed)}: info: fidelity-skipped: not checked for text" in err
    assert f"{os.path.relpath(notes)}: info: validate-skipped: no check for `.txt` files" in err
    assert "text-missing" not in err

    assert main(["validate", "--anthology", str(tmp_path / "no.toml"), str(renamed)]) == 1
    assert "validate-missing-file: no such anthology file" in capsys.readouterr().err


def test_build_validate_runs_the_check(make_project: ProjectMaker) -> None:
    anthology = make_project({"verdugo.md": review("La ley", "El verdugo", 1963, body=VERDUGO)})
    dist = anthology.parent.parent / "dist"
    request = BuildRequest(anthology, frozenset({Format.HTML}), dist, cache=False, validate=True)
    [result] = build(request).validators
    assert result.validator == "fidelity" and result.ok and result.counts["words"] > 100


# -- whole books: the default book, the fixtures, the hostile corpus, the stress book -----------


def _report(diagnostics: list[Diagnostic]) -> str:
    return "\n".join(d.format() for d in diagnostics)


def _built(anthology: Path, out: Path, formats: frozenset[Format] = ALL) -> list[Path]:
    return [o.path for o in build(BuildRequest(anthology, formats, out, cache=False)).outputs]


@pytest.fixture(scope="module")
def default_book(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return _built(DEFAULT_ANTHOLOGY, tmp_path_factory.mktemp("default"))


def test_default_book_epub_and_html_print_every_word(default_book: list[Path]) -> None:
    book, _ = load(DEFAULT_ANTHOLOGY)
    results = check_fidelity(book, [p for p in default_book if p.suffix != ".pdf"])
    assert [r.counts["missing"] for r in results] == [0, 0], _report(
        [d for r in results for d in r.diagnostics]
    )
    assert all(r.counts["words"] > 9000 for r in results)


def test_default_book_pdfs_print_every_word(default_book: list[Path]) -> None:
    """Fails while the PDFs drop the text after each note call (issue 11)."""
    found = _missing(DEFAULT_ANTHOLOGY, [p for p in default_book if p.suffix == ".pdf"])
    assert found == [], _report(found)


def _wrong_glyphs(paths: list[Path]) -> list[Diagnostic]:
    """The glyph fidelity check (`glyph-wrong`) on every PDF of `paths`."""
    from publisher.validation.glyphs import check_glyphs

    return [d for p in paths if p.suffix == ".pdf" for d in check_glyphs(p).errors]


def test_rich_fixture_prints_every_word(tmp_path: Path) -> None:
    shutil.copytree(REPO / "tests" / "fixtures" / "rich" / "manuscripts", tmp_path / "manuscripts")
    anthology = tmp_path / "manuscripts" / "anthology.toml"
    built = _built(anthology, tmp_path / "dist")
    found = _missing(anthology, built) + _wrong_glyphs(built)
    assert found == [], _report(found)


def test_hostile_corpus_prints_every_word(tmp_path: Path) -> None:
    from .test_hostile import CASES, EXPECTED, project

    names = [name for name, spec in EXPECTED.items() if spec["exit"] == 0]
    anthology = project(tmp_path, {f"{n}.md": (CASES / f"{n}.md").read_bytes() for n in names})
    built = _built(anthology, tmp_path / "dist")
    found = _missing(anthology, built) + _wrong_glyphs(built)
    assert found == [], _report(found)


def test_stress_book_prints_every_word(tmp_path: Path) -> None:
    """Every construct in every position, in all four editions."""
    anthology = make_stress_book(tmp_path)
    book, _ = load(anthology)
    built = _built(anthology, tmp_path / "dist")
    results = check_fidelity(book, built)
    assert len(results) == 4 and all(r.counts["words"] > 1000 for r in results)
    found = [d for r in results for d in r.diagnostics] + _wrong_glyphs(built)
    assert found == [], _report(found)


def test_words_bound_by_no_break_and_thin_spaces_reach_the_pdfs(tmp_path: Path) -> None:
    """The real PDFs: pdftotext prints no space for `&nbsp;`, U+202F or a thin space."""
    body = BOUND + "\nOtra vez un&nbsp;espacio duro, &amp; un ampersand al final del rodaje.\n"
    reviews = {"colmena.md": review("Las abejas", "El espíritu de la colmena", 1973, body=body)}
    anthology = _write_project(tmp_path, reviews)
    pdfs = _built(anthology, tmp_path / "dist", frozenset({Format.PDF}))
    assert len(pdfs) == 2
    found = _missing(anthology, pdfs)
    assert found == [], _report(found)


def test_html_words_skip_what_is_not_printed() -> None:
    edition = html_words(
        b"<html><head><title>Nada</title><style>p{}</style></head>"
        b"<body><p>pala<em>bra</em></p><p>otra</p><script>x()</script></body></html>"
    )
    assert edition.keys == ["palabra", "otra"]
    assert isinstance(Word("a", "a", 1), Word)


def test_without_pdftotext_the_check_says_so(
    mini_book: tuple[Path, dict[str, Path]], monkeypatch: pytest.MonkeyPatch
) -> None:
    anthology, editions = mini_book
    monkeypatch.setattr("publisher.validation.fidelity.shutil.which", lambda name: None)
    [problem] = _missing(anthology, [editions["print"]])
    assert problem.code == "validator-missing" and "pdftotext" in problem.message

"""Typography per language as data: (language, typed line, printed line).

Every row states one rule of publisher/render/typography.py or one row of quotes.py; the
Markdown rows check that `lang` on an element or a raw `<span lang>` switches the rules inside
a review in another language.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from publisher.pipeline import BuildRequest, Format, build, load
from publisher.render.markup import render_markdown
from publisher.render.quotes import STYLES, style_for
from publisher.render.typography import smarten
from publisher.validation.fidelity import check_fidelity
from publisher.validation.words import keys

from .conftest import ONE_PART_TOML, ProjectMaker, review

N = "\u202f"  # narrow no-break space
S = "\u00a0"  # no-break space

THREE_LEVELS = '"one \'two "three" two\' one"'
LINES: list[tuple[str, str, str]] = [
    # Quotation marks at three levels, and a fourth that cycles.
    ("es", THREE_LEVELS, "«one “two ‘three’ two” one»"),
    ("es", "\"a 'b \"c 'd' c\" b' a\"", "«a “b ‘c “d” c’ b” a»"),
    ("es-ES", THREE_LEVELS, "«one “two ‘three’ two” one»"),
    ("ca", THREE_LEVELS, "«one “two ‘three’ two” one»"),
    ("gl", THREE_LEVELS, "«one “two ‘three’ two” one»"),
    ("fr", THREE_LEVELS, f"«{N}one “two ‘three’ two” one{N}»"),
    ("de", THREE_LEVELS, "„one ‚two „three“ two‘ one“"),
    ("it", THREE_LEVELS, "«one “two ‘three’ two” one»"),
    ("pt", THREE_LEVELS, "“one ‘two “three” two’ one”"),  # Brazilian, as the pt catalogue
    ("pt-PT", THREE_LEVELS, "«one “two ‘three’ two” one»"),
    ("pt-BR", THREE_LEVELS, "“one ‘two “three” two’ one”"),
    ("en", THREE_LEVELS, "“one ‘two “three” two’ one”"),
    ("en-US", THREE_LEVELS, "“one ‘two “three” two’ one”"),
    ("en-GB", THREE_LEVELS, "‘one “two ‘three’ two” one’"),
    ("en_gb", THREE_LEVELS, "‘one “two ‘three’ two” one’"),
    ("xx", THREE_LEVELS, "“one ‘two “three” two’ one”"),  # unknown: American English
    # The typed character counts: a single pair outside any quote stays single.
    ("es", "'ternera' significa", "‘ternera’ significa"),
    ("en-US", "'scare' quotes", "‘scare’ quotes"),
    ("en-GB", "'single' and \"double\" both first", "‘single’ and ‘double’ both first"),
    ("en-GB", "'He said \"no\"'", "‘He said “no”’"),
    ("de", "'halb' und \"ganz\"", "‚halb‘ und „ganz“"),
    # Apostrophes and elisions are never quotes.
    ("en", "By the '70s", "By the ’70s"),
    ("en", "the class of '36, then '98.", "the class of ’36, then ’98."),
    ("en", "'tis true, 'Twas so", "’tis true, ’Twas so"),
    ("en", "rock 'n' roll", "rock ’n’ roll"),
    ("en", "rock 'n roll", "rock ’n roll"),
    ("en", "O'Donnell", "O’Donnell"),
    ("en", "the soldiers' letters", "the soldiers’ letters"),
    ("en", '"the soldiers\' letters"', "“the soldiers’ letters”"),
    ("en", "'the soldiers' letters'", "‘the soldiers’ letters’"),
    ("en", "'no' and 'yes'", "‘no’ and ‘yes’"),
    ("en", "'round' is a word", "‘round’ is a word"),
    ("en", "the number '36'", "the number ‘36’"),
    ("en", "'Frisco at night", "’Frisco at night"),
    ("en", "\"It's 'fine'\"", "“It’s ‘fine’”"),
    ("en-GB", "\"By the '70s it's 'over'\"", "‘By the ’70s it’s “over”’"),
    # ... even with a later `'` that could close them.
    ("en", "the '70s and the soldiers' letters", "the ’70s and the soldiers’ letters"),
    ("en", "'tis the soldiers' way", "’tis the soldiers’ way"),
    # ... even where a stray opener would take the next quote's level.
    ("es", "\"En los '70, 'no'\"", "«En los ’70, “no”»"),
    ("en", "\"'Tis 'so'\"", "“’Tis ‘so’”"),
    ("en", "\"rock 'n' roll\" and 'more'", "“rock ’n’ roll” and ‘more’"),
    ("en-GB", "\"'the soldiers' letters' now\"", "‘“the soldiers’ letters” now’"),
    ("fr", "l'amour, aujourd'hui", "l’amour, aujourd’hui"),
    ("it", "dell'arte di d'Annunzio", "dell’arte di d’Annunzio"),
    ("es", "L'Hospitalet", "L’Hospitalet"),
    ("ca", "l'exèrcit d'Ebre", "l’exèrcit d’Ebre"),
    ("de", '"Geht\'s?"', "„Geht’s?“"),
    # A closing single after a letter no possessive follows closes; `Hans'` is the apostrophe.
    ("de", "Sie sang 'Lili Marleen' in Hans' Kneipe.", "Sie sang ‚Lili Marleen‘ in Hans’ Kneipe."),
    ("de", "Rock 'n' Roll", "Rock ’n’ Roll"),  # the loan's elision in every language
    ("es", "\"Es el rock 'n' roll de los '60\"", "«Es el rock ’n’ roll de los ’60»"),
    # French spacing: narrow before ; ! ?, full no-break before :, not inside URLs or times.
    ("fr", "Quoi? Non! Enfin; voici: rien", f"Quoi{N}? Non{N}! Enfin{N}; voici{S}: rien"),
    ("fr", "Quoi ? Voici : rien", f"Quoi{N}? Voici{S}: rien"),
    ("fr", '"Quoi?" dit-il', f"«{N}Quoi{N}?{N}» dit-il"),
    ("fr", "Vraiment?!", f"Vraiment{N}?!"),
    ("fr", "à 10:30 sur http://exemple.fr", "à 10:30 sur http://exemple.fr"),
    ("fr", "« déjà » et «tapé»", f"«{N}déjà{N}» et «{N}tapé{N}»"),
    ("es", "¿Qué? ¡No! Así: nada", "¿Qué? ¡No! Así: nada"),
    ("en", "What? No! So: nothing", "What? No! So: nothing"),
    # Dashes and ellipses: the house rule, the same in every language.
    ("es", "el maestro ---dijo--- calla", "el maestro —dijo— calla"),
    ("en-US", "the war---and after", "the war—and after"),
    ("en", "1936--1939...", "1936–1939…"),
    ("fr", "1936--1939...", "1936–1939…"),
    ("de", "1936--1939...", "1936–1939…"),
]


@pytest.mark.parametrize(("lang", "typed", "printed"), LINES)
def test_line(lang: str, typed: str, printed: str) -> None:
    assert smarten(typed, lang) == printed


LANGS = {lang for lang, _, _ in LINES}


def test_every_style_is_covered_and_cites_a_source() -> None:
    covered = {style_for(lang) for lang, _, _ in LINES}
    assert covered == set(STYLES)
    assert all(len(style.source) > 40 for style in STYLES)


REVIEWS: list[tuple[str, str, str]] = [
    # (book language, Markdown, rendered XHTML body)
    (
        "es",
        'Dijo <span lang="en">"Hello \'world\'"</span> y "bien".',
        '<p>Dijo <span lang="en" xml:lang="en">“Hello ‘world’”</span> y «bien».</p>',
    ),
    (
        "es",
        'Dijo "<span lang="en">*"Hi"* and "by the \'70s"</span>" ya.',
        '<p>Dijo «<span lang="en" xml:lang="en"><em class="italic-end">“Hi”</em> and “by the ’70s”</span>» ya.</p>',
    ),
    (
        "es",
        'Vimos *"Le Silence"*{: lang=fr } y "Esto?"',
        f'<p>Vimos <em class="italic-end" lang="fr">«{N}Le Silence{N}»</em> y «Esto?»</p>',
    ),
    (
        "es",
        '"La frase"\n{: lang=en-GB }',
        '<p lang="en-GB">‘La frase’</p>',
    ),
    (
        "fr",
        'Il dit "oui" <span lang="de">"ja"</span>: <span lang="en">"No"?</span> Fin!',
        f'<p>Il dit «{N}oui{N}» <span lang="de" xml:lang="de">„ja“</span>{S}: '
        f'<span lang="en" xml:lang="en">“No”?</span> Fin{N}!</p>',
    ),
    (  # a raw HTML block gets the typography of its language, code aside
        "es",
        '<p lang="fr">"oui" dit-il: <em lang="en">"yes"</em> <code>"x"</code></p>',
        f'<p lang="fr" xml:lang="fr">«{N}oui{N}» dit-il{S}: '
        '<em lang="en" xml:lang="en">“yes”</em> <code>"x"</code></p>',
    ),
    (
        "es",
        '<div>Un "bloque" <p>y "otro"</p> fin...</div>',
        "<div>Un «bloque» <p>y «otro»</p> fin…</div>",
    ),
    (  # code keeps its text and is its neighbours' context, Markdown or raw
        "fr",
        'La commande `ls`? Puis <code>"y" --</code> et <kbd>a...</kbd> "z"',
        f'<p>La commande <code>ls</code>{N}? Puis <code>"y" --</code> et <kbd>a...</kbd> '
        f"«{N}z{N}»</p>",
    ),
    (  # an entity is the character it stands for to its neighbours, and printed as typed
        "fr",
        "Quoi&#8239;? «&nbsp;oui&nbsp;» &quot;a&quot;",
        f"<p>Quoi&#8239;? «{S}oui{S}» &quot;a&quot;</p>",
    ),
    (
        "en",
        '<span lang="fr">*"Oui"*</span> *<span lang="de">"Ja"</span>*',
        f'<p><span lang="fr" xml:lang="fr"><em class="italic-end">«{N}Oui{N}»</em></span> '
        '<em><span lang="de" xml:lang="de">„Ja“</span></em></p>',
    ),
]


@pytest.mark.parametrize(("lang", "source", "expected"), REVIEWS)
def test_inline_lang_spans(lang: str, source: str, expected: str) -> None:
    assert render_markdown(source, lang, "x", 1).html.strip() == expected


FRENCH_BODY = (
    "Renoir tourne *La Grande Illusion* en 1937 : deux officiers français, prisonniers, "
    "s'évadent d'un camp allemand. Pourquoi ? Parce que \"l'honneur\" ne suffit plus ; "
    "le capitaine de Boëldieu le sait !\n\n"
    "Rauffenstein dit \"je n'ai pas choisi 'cette guerre'\" et l'on y croit. Le film "
    'circule dans les années \'40 ; on le cite en anglais, <span lang="en">"the '
    'soldiers\' war"</span>, et en espagnol, <span lang="es">"la guerra"</span>.\n'
)


def test_a_french_book_prints_every_word(make_project: ProjectMaker) -> None:
    """Narrow no-break spaces inside « » and before ; : ! ? split no word in any edition."""
    toml = ONE_PART_TOML.replace('lang = "es"', 'lang = "fr"')
    anthology = make_project(
        {"illusion.md": review("Évasions", "La Grande Illusion", 1937, body=FRENCH_BODY)}, toml
    )
    out = anthology.parent.parent / "dist"
    built = build(BuildRequest(anthology, frozenset(Format), out, cache=False))
    paths = [output.path for output in built.outputs]
    html = next(path for path in paths if path.suffix == ".html").read_text(encoding="utf-8")
    assert f"Pourquoi{N}? Parce que «{N}l’honneur{N}» ne suffit plus{N};" in html
    assert f"1937{S}: deux" in html and "“the soldiers’ war”" in html and "«la guerra»" in html
    book, _ = load(anthology)
    results = check_fidelity(book, paths)
    assert len(results) == 4
    assert [d.format() for r in results for d in r.diagnostics] == []
    assert all(r.counts["words"] > 60 for r in results)


@given(st.text(alphabet="aéZ9 '\"-.:;!?«»()\n", max_size=60), st.sampled_from(sorted(LANGS)))
@settings(max_examples=400, deadline=None)
def test_typography_changes_no_word(text: str, lang: str) -> None:
    """The fidelity check's words are the same before and after: marks and spaces only."""
    assert keys(smarten(text, lang)) == keys(text)

"""Deterministic synthetic corpus: `python -m benchmarks.generate N OUTDIR [--seed S]`.

Writes `OUTDIR/manuscripts/anthology.toml`, `OUTDIR/manuscripts/front/prologo.md` and
`OUTDIR/manuscripts/reviews/review-0001.md` … Same N and seed give identical bytes. Each review
has its own generator seeded from (seed, number), so review 7 is the same in a corpus of 100 and
in one of 400: the smaller corpus is a prefix of the larger.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from pathlib import Path

from . import lexicon as lx

SLUG = "banco-de-pruebas"
MIN_WORDS, MAX_WORDS = 60, 120  # per body paragraph


def generate(n: int, out: Path, seed: int = 0) -> Path:
    """Write a corpus of `n` reviews under `out`; return the anthology file."""
    if n < 1:
        raise ValueError("n must be at least 1")
    manuscripts = out / "manuscripts"
    reviews = manuscripts / "reviews"
    front = manuscripts / "front"
    reviews.mkdir(parents=True, exist_ok=True)
    front.mkdir(parents=True, exist_ok=True)
    wanted = {f"review-{i:04d}.md" for i in range(1, n + 1)}
    for stale in reviews.glob("review-*.md"):
        if stale.name not in wanted:  # a previous, larger run in the same folder
            stale.unlink()
    for i in range(1, n + 1):
        _write(reviews / f"review-{i:04d}.md", review_text(i, seed))
    _write(front / "prologo.md", prologue_text(seed))
    anthology = manuscripts / "anthology.toml"
    _write(anthology, anthology_text(n))
    return anthology


def _write(path: Path, text: str) -> None:
    # Explicit newline so the bytes do not depend on the platform.
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def anthology_text(n: int) -> str:
    lines = [
        "# Synthetic benchmark corpus (benchmarks/generate.py). Do not edit by hand.",
        f'slug = "{SLUG}"',
        'title = "Banco de pruebas"',
        'subtitle = "Una antología sintética para medir el tiempo de compilación"',
        'editors = ["Lucía Garrido", "Andrés Robles"]',
        'publisher = "Ediciones del Fotograma"',
        'lang = "es"',
        "date = 2026-11-20",
        'edition = "Primera edición"',
        'rights = "© 2026 de los textos, sus autores."',
        f'description = "{n} críticas generadas al azar, con semilla fija, para medir el libro."',
        'subjects = ["Cine español", "Crítica cinematográfica"]',
        'theme = "clasico"',
        'front = ["prologo"]',
        "include_all = true",
        "",
        "[print]",
        'trim = "148x210mm"',
    ]
    for part_id, title, intro in lx.PARTS:
        lines += [
            "",
            "[[parts]]",
            f'id = "{part_id}"',
            f'title = "{title}"',
            f'intro = "{intro}"',
            f'select = {{ tags = ["{part_id}"] }}',
            'order = "year"',
        ]
    return "\n".join(lines) + "\n"


def review_text(number: int, seed: int = 0) -> str:
    rng = random.Random(f"publisher-bench:{seed}:{number}")
    film_title = _film_title(rng)
    year = rng.randint(1939, 2025)
    directors = [_person(rng) for _ in range(1 if rng.random() < 0.85 else 2)]
    cast = [_person(rng) for _ in range(rng.randint(2, 6))]
    part = lx.PARTS[rng.randrange(len(lx.PARTS))][0]
    tags = [part, *rng.sample(lx.EXTRA_TAGS, rng.randint(0, 2))]
    date = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(365))
    front = [
        "---",
        f"title: {_q(_headline(rng, film_title))}",
        "film:",
        f"  title: {_q(film_title)}",
        f"  year: {year}",
        f"  directors: {_q(directors)}",
        f"  country: {_q(rng.choice(lx.COUNTRIES))}",
        f"  runtime_min: {rng.randint(72, 165)}",
        f"  cast: {_q(cast)}",
        f"author: {_q(rng.choice(lx.CRITICS))}",
        f"date: {date.isoformat()}",
        "lang: es",
        f"tags: [{', '.join(tags)}]",
        f"summary: {_q(_sentence(rng, rng.randint(14, 24)))}",
        f"rating: {rng.randint(4, 10) / 2}",
        "---",
        "",
    ]
    return "\n".join(front) + "\n" + _body(rng, film_title)


def prologue_text(seed: int = 0) -> str:
    rng = random.Random(f"publisher-bench:{seed}:prologo")
    paragraphs = [_paragraph(rng, rng.randint(70, 110)) for _ in range(4)]
    head = '---\ntitle: "Prólogo"\nauthor: "Andrés Robles"\n---\n\n'
    return head + "\n\n".join(paragraphs) + "\n"


def _q(value: str | list[str]) -> str:
    # JSON strings and arrays are valid YAML flow scalars/sequences.
    return json.dumps(value, ensure_ascii=False)


def _person(rng: random.Random) -> str:
    return f"{rng.choice(lx.FIRST_NAMES)} {rng.choice(lx.SURNAMES)}"


def _agree(adjective: str, article: str) -> str:
    """Inflect a masculine-singular adjective for `el/la/los/las`-like articles."""
    feminine = article.lower() in ("la", "las", "una", "aquella", "esta", "esa")
    plural = article.lower() in ("los", "las")
    word = adjective[:-1] + "a" if feminine and adjective.endswith("o") else adjective
    if plural:
        word += "es" if word[-1] in "lnrz" else "s"
    return word.replace("zes", "ces")


def _contract(text: str) -> str:
    return text.replace(" de el ", " del ")


def _film_title(rng: random.Random) -> str:
    word, article = rng.choice(lx.TITLE_WORDS)
    if rng.random() < 0.5:
        return f"{article} {word} {_agree(rng.choice(lx.TITLE_ADJECTIVES), article)}"
    other, other_article = rng.choice(lx.TITLE_WORDS)
    return _contract(f"{article} {word} de {other_article.lower()} {other}")


def _headline(rng: random.Random, film_title: str) -> str:
    return f"{film_title}: {_phrase(rng, rng.randint(4, 8))}"


def _noun_phrase(rng: random.Random, adjective: float = 0.5) -> list[str]:
    noun, gender = rng.choice(lx.NOUNS)
    article = rng.choice(lx.ARTICLES[gender])
    words = [article, noun]
    if rng.random() < adjective:
        words.append(_agree(rng.choice(lx.ADJECTIVES), "una" if gender == "f" else "un"))
    return words


def _clause(rng: random.Random) -> list[str]:
    words = _noun_phrase(rng, 0.6)
    if rng.random() < 0.3:
        words.append(rng.choice(lx.ADVERBS))
    words += [rng.choice(lx.VERBS), *_noun_phrase(rng, 0.3)]
    if rng.random() < 0.5:
        words += [rng.choice(lx.PREPOSITIONS), *_noun_phrase(rng, 0.2)]
    return words


def _phrase(rng: random.Random, count: int) -> str:
    words: list[str] = []
    while len(words) < count:
        words += _clause(rng)
    return " ".join(words[:count])


def _sentence(rng: random.Random, count: int) -> str:
    """About `count` words: clauses joined by connectors, commas between some."""
    words = _clause(rng)
    while len(words) < count:
        joint = rng.choice(lx.CONNECTORS)
        words[-1] += ","
        words += [joint, *_clause(rng)]
    text = _contract(" ".join(words))
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random, target: int, cap: int = MAX_WORDS) -> str:
    """Sentences until about `target` words; some carry straight quotes, rayas or an ellipsis
    so the typography pass (quotes → « », `---` → —, `...` → …) has work to do."""
    sentences: list[str] = []
    words = 0
    while words < target:
        size = min(rng.randint(8, 22), max(8, target - words))
        sentence = _sentence(rng, size)
        roll = rng.random()
        if roll < 0.12:
            sentence = f'{sentence[:-1]}, como dice alguien: "{rng.choice(lx.QUOTED)}".'
        elif roll < 0.22:
            # A raya aside after the subject: `La película ---con su guion--- muestra…`
            tokens = sentence.split(" ")
            aside = " ".join([rng.choice(lx.PREPOSITIONS), *_noun_phrase(rng)])
            sentence = " ".join([*tokens[:2], f"---{aside}---", *tokens[2:]])
        elif roll < 0.26:
            sentence = sentence[:-1] + "..."
        if words + len(sentence.split()) > cap:
            # One clause is at most 12 words and `target` ≤ cap − 12: it fits.
            text = " ".join(_clause(rng))
            sentence = text[0].upper() + text[1:] + "."
        sentences.append(sentence)
        words += len(sentence.split())
    return " ".join(sentences)


def _body(rng: random.Random, film_title: str) -> str:
    count = rng.randint(5, 9)
    # Upper bound 104 leaves room for the last sentence's overshoot: paragraphs stay ≤ 120.
    paragraphs = [_paragraph(rng, rng.randint(MIN_WORDS, 104)) for _ in range(count)]
    # The film's title opens the review; its words come out of the first paragraph's budget.
    title_words = len(film_title.split()) + 1
    first = _paragraph(rng, rng.randint(MIN_WORDS, 104 - title_words), MAX_WORDS - title_words)
    paragraphs[0] = f"En *{film_title}*, {first[0].lower()}{first[1:]}"
    noted = rng.randrange(count)
    first_stop = paragraphs[noted].find(". ")
    cut = first_stop if first_stop > 0 else len(paragraphs[noted]) - 1
    paragraphs[noted] = paragraphs[noted][:cut] + "[^1]" + paragraphs[noted][cut:]
    # Never before the first paragraph: a leading block quote would be an epigraph.
    quote = "> " + _sentence(rng, rng.randint(18, 30))
    paragraphs.insert(rng.randint(1, count), quote)
    note = "[^1]: " + _sentence(rng, rng.randint(15, 35))
    return "\n\n".join([*paragraphs, note]) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__)
    parser.add_argument("n", type=int, help="number of reviews")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    anthology = generate(args.n, args.outdir, args.seed)
    print(anthology)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

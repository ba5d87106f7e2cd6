from __future__ import annotations

import pytest

from publisher.render.typography import smarten, smarten_segments


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('Dijo "basta".', "Dijo «basta»."),
        ('"Uno "dos "tres" dos" uno"', "«Uno “dos ‘tres’ dos” uno»"),
        ("la guerra (1936--1939)", "la guerra (1936–1939)"),
        ("el maestro ---dijo--- calla", "el maestro —dijo— calla"),
        ("y entonces...", "y entonces…"),
        ('("entre paréntesis")', "(«entre paréntesis»)"),
        ("L'Hospitalet", "L’Hospitalet"),
    ],
)
def test_spanish_follows_the_rae(source: str, expected: str) -> None:
    assert smarten(source, "es") == expected


def test_english_quotes() -> None:
    assert smarten("He said \"it's 'fine'\".", "en") == "He said “it’s ‘fine’”."


def test_quotes_are_decided_across_inline_elements() -> None:
    # `"*La vaquilla*"`: the quotes sit in text runs on either side of an <em>.
    assert smarten_segments(['Vimos "', "La vaquilla", '" ayer'], "es") == [
        "Vimos «",
        "La vaquilla",
        "» ayer",
    ]


def test_segments_keep_their_boundaries_when_dashes_shrink_text() -> None:
    assert smarten_segments(["1936--", "1939 y... ", '"fin"'], "es") == [
        "1936–",
        "1939 y… ",
        "«fin»",
    ]


def test_french_marks_longer_than_the_quote_keep_runs_apart() -> None:
    assert smarten_segments(['Il dit "', "oui", '" enfin'], "fr") == [
        "Il dit «\u202f",
        "oui",
        "\u202f» enfin",
    ]

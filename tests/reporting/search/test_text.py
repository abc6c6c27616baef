from pathlib import Path

import pytest
from django.db import connection

from reporting.search.text import fold, root, stem, stems_line, words

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Sprachkurs", "sprachkur"),
        ("Sprachkurse", "sprachkurs"),
        ("Sprachkursen", "sprachkurs"),
        ("Kindertagesstätten", "kindertagesstatt"),
        ("Jugendliche", "jugend"),
        ("Maßnahmen", "massnahm"),
        ("Verbänden", "verband"),
        ("Bedürfnissen", "bedurfnis"),
        ("Kitas", "kitas"),
        ("BES", "bes"),
    ],
)
def test_stems_follow_the_german_snowball_algorithm(word, expected):
    assert stem(word) == expected


def test_a_query_word_is_stemmed_twice_so_all_its_forms_share_the_root():
    assert {root(word) for word in ("Sprachkurs", "Sprachkurse", "Sprachkursen")} == {"sprachkur"}
    assert all(stem(w).startswith(root("Sprachkurse")) for w in ("Sprachkurs", "Sprachkurses"))


def test_fold_drops_case_and_accents():
    assert fold("ÜBERGANG") == "ubergang"
    assert fold("Maßnahme") == "massnahme"
    assert fold("Café") == "cafe"


def test_words_are_letters_and_digits():
    assert [m.group() for m in words("Kita-Einstieg (AuB1), 20.714 Ausländer*innen")] == [
        "Kita",
        "Einstieg",
        "AuB1",
        "20",
        "714",
        "Ausländer",
        "innen",
    ]


def test_the_stems_line_has_a_space_before_and_after_each_stem():
    assert stems_line("Sprachkurse für", "Kita-Einstieg") == " sprachkurs fur kita einstieg "


@pytest.mark.skipif(connection.vendor != "postgresql", reason="compares with PostgreSQL")
@pytest.mark.django_db
def test_stems_are_postgresqls_for_every_word_of_the_demo_concept():
    text = (FIXTURES / "lk_vechta.json").read_text(encoding="utf-8")
    vocabulary = sorted({match.group() for match in words(text) if not match.group().isdigit()})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT w, ts_lexize('german_stem', lower(w)) FROM unnest(%s::text[]) AS w",
            [vocabulary],
        )
        theirs = {word: lexemes[0] for word, lexemes in cursor.fetchall() if lexemes}
    assert len(theirs) > 500
    assert {word: stem(word) for word in theirs} == theirs

"""Reading the sections: goals, Teilziele, measures with their lines, statements (no DB)."""

import pytest

from reporting.outline.issues import FLAG, WARNING
from reporting.outline.validate import read_outline
from tests.reporting.outline.helpers import (
    MINIMAL,
    SEED,
    messages,
    outline,
)

# --- the seed ------------------------------------------------------------------------------


def test_measures_keep_outline_numbers_and_normalised_codes():
    parsed = read_outline(SEED)
    by_number = {m.number: m for m in parsed.measures}
    assert (by_number["4.7.1"].code, by_number["4.7.1"].title) == (
        "aG1",
        "Durchführung einer interkulturellen Woche",
    )
    assert (by_number["4.1.6"].code, by_number["4.1.6"].title) == (
        "S6",
        "Alphabetisierungskurse anbieten",
    )
    uncoded = by_number["4.1.9"]
    assert (uncoded.code, uncoded.goal_number) == ("", 1)
    assert uncoded.title.startswith("Fortschreibung des kreiseigenen Sprachförderkonzeptes")
    assert [m.label for m in parsed.coordination_measures] == ["N1", "N2", "N3", "N4", "N5"]
    assert next(m.number for m in parsed.coordination_measures) == "3.2.1"
    assert [m.position for m in parsed.measures] == list(range(1, 38))
    assert by_number["4.1.5"].target_group == "alle Zuwanderungsgruppen"


def test_statements_and_the_collapsed_network_list():
    parsed = read_outline(SEED)
    assert [(s.section, s.number) for s in parsed.statements] == [
        ("situation", "1.1"),
        ("situation", "1.1.1"),
        ("situation", "1.1.1.1"),
        ("situation", "1.1.2"),
        ("situation", "1.1.3"),
        ("coordination", "3.1"),
        ("coordination", "3.2"),
        ("evaluation", "5.1"),
        ("evaluation", "5.2"),
        ("evaluation", "5.3"),
        ("evaluation", "5.4"),
    ]
    assert [s.number for s in parsed.statements if s.needs_split] == ["3.1"]
    assert messages(parsed, FLAG) == [
        "Zeile 93: 3.1 enthält offenbar eine Liste in einer Zeile – als eine Aussage übernommen "
        "und zum Trennen markiert."
    ]


# --- lines in the wrong place --------------------------------------------------------------


def test_misplaced_measures_and_teilziele():
    parsed = read_outline(
        outline(
            [
                *MINIMAL,
                "1.1.2. Maßnahme S1: In der Zielsetzung",
                "2. Koordination und Netzwerke",
                "2.1. Teilziel 1: In der Koordination",
                "3. Fortschreibung / Evaluation",
                "3.1. Maßnahme E1: Jahresbericht",
            ]
        )
    )
    assert messages(parsed) == [
        "Zeile 9: Maßnahme im Abschnitt „Zielsetzung“ – Maßnahmen gehören in den Abschnitt "
        "„Maßnahmen zur Zielerreichung“.",
        "Zeile 13: „Teilziel 1“ steht außerhalb eines strategischen Ziels – Teilziele gehören "
        "unter „Strategisches Ziel N“ im Abschnitt „Zielsetzung“.",
    ]
    # A measure in the Fortschreibung is kept as a statement, with a warning.
    assert [s.text for s in parsed.statements] == ["Maßnahme E1: Jahresbericht"]
    assert messages(parsed, WARNING)[0].startswith("Zeile 17: Maßnahme im Abschnitt")


def test_label_number_differing_from_position_is_a_warning():
    parsed = read_outline(
        outline(["1. Zielsetzung", "1.1. Strategisches Ziel 2: Arbeit – Alle arbeiten."])
    )
    assert parsed.errors == []
    assert parsed.goals[0].number == 2
    assert messages(parsed, WARNING) == [
        "Zeile 5: „Strategisches Ziel 2“ steht an Gliederungsposition 1.1; übernommen wird die "
        "Nummer aus dem Text (2)."
    ]


# --- measures ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "title", "warned"),
    [
        ("Maßnahme aG 1: Interkulturelle Woche", "aG1", "Interkulturelle Woche", False),
        ("Maßnahme S6:Alphabetisierungskurse", "S6", "Alphabetisierungskurse", False),
        ("Maßnahme I1 – Kursträgerkonferenz", "I1", "Kursträgerkonferenz", False),
        ("Massnahme B 2: Förderunterricht", "B2", "Förderunterricht", False),
        ("Maßnahme: Ohne Kürzel", "", "Ohne Kürzel", False),
        ("Maßnahmenpaket 1: Sprachcafés", "", "Maßnahmenpaket 1: Sprachcafés", False),
        ("Maßnahme S1 Feststellung", "", "Maßnahme S1 Feststellung", True),
        ("Maßnahmen S7: Plural", "", "Maßnahmen S7: Plural", True),
        ("Maßnahmen zur Sprachförderung", "", "Maßnahmen zur Sprachförderung", False),
    ],
)
def test_measure_labels(text, code, title, warned):
    parsed = read_outline(
        outline(
            [
                *MINIMAL,
                "2. Maßnahmen zur Zielerreichung",
                "2.1. Strategisches Ziel 1: Sprache",
                f"2.1.1. {text}",
            ]
        )
    )
    assert parsed.errors == []
    (measure,) = parsed.measures
    assert (measure.code, measure.title, measure.number) == (code, title, "2.1.1")
    assert bool(parsed.warnings) == warned


def test_plural_measure_label_is_named_in_the_warning():
    parsed = read_outline(
        outline(
            [
                *MINIMAL,
                "2. Koordination und Netzwerke",
                "2.1. Maßnahmen K1: Runder Tisch",
                "3. Maßnahmen zur Zielerreichung",
                "3.1. Strategisches Ziel 1: Sprache",
                "3.1.1. Maßnahmen S7: Plural",
            ]
        )
    )
    assert messages(parsed, WARNING) == [
        "Zeile 11: „Maßnahmen K1“ ist kein Maßnahmenkürzel (erwartet „Maßnahme K1: Titel“) – "
        "als Aussage übernommen, nicht als Maßnahme.",
        "Zeile 17: „Maßnahmen S7“ ist kein Maßnahmenkürzel (erwartet „Maßnahme S7: Titel“) – "
        "als Maßnahme ohne Kürzel mit dem ganzen Text als Titel übernommen.",
    ]
    assert [s.text for s in parsed.statements] == ["Maßnahmen K1: Runder Tisch"]


def test_lines_below_a_measure_target_group_and_escaped_description():
    parsed = read_outline(
        outline(
            [
                *MINIMAL,
                "2. Maßnahmen zur Zielerreichung",
                "2.1. Strategisches Ziel 1: Sprache",
                "2.1.1. Maßnahme S1: Kurse. Zielgruppe: alle",
                "2.1.1.1. Zielgruppe: Frauen mit Kindern",
                "2.1.1.2. Beschreibung: Teilziel 1: wird damit erreicht",
                "2.1.1.3. Zweite Zeile",
                "2.1.1.3.1. Zielgruppe: tiefer bleibt es Beschreibung",
                "2.1.2. Maßnahme S2: Treffs",
            ]
        )
    )
    assert parsed.errors == [] and parsed.warnings == []
    first, second = parsed.measures
    assert first.target_group == "Frauen mit Kindern"
    assert first.description == (
        "Teilziel 1: wird damit erreicht\nZweite Zeile\nZielgruppe: tiefer bleibt es Beschreibung"
    )
    assert (second.target_group, second.description) == ("", "")

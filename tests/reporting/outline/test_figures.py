"""The Kennzahlen of the Ausgangslage: totals, rankings and their reference dates (no DB)."""

import datetime as dt
from decimal import Decimal

from reporting.outline.issues import WARNING
from reporting.outline.validate import read_outline
from tests.reporting.outline.helpers import (
    MINIMAL,
    SEED,
    messages,
    outline,
)


def test_seed_figures():
    total, ranking = read_outline(SEED).figures
    assert total.name == "Ausländer*innen"
    assert total.statement_number == "1.1"
    assert total.reference_date == dt.date(2019, 12, 31)
    assert [(v.breakdown, v.value, v.position) for v in total.values] == [
        ("", Decimal(20714), 0),
        ("männlich", Decimal(11207), 1),
        ("weiblich", Decimal(9450), 2),
    ]
    assert ranking.name == "Ausländer*innen nach Staatsangehörigkeit (Top 10)"
    assert ranking.statement_number == "1.1.1.1"
    assert ranking.reference_date == dt.date(2019, 12, 31)
    assert ranking.values[0].breakdown == "Polen" and ranking.values[0].value == 3902
    assert ranking.values[8].breakdown == "Russische Föderation"
    assert [v.position for v in ranking.values] == list(range(1, 11))


def test_figures_without_any_date_are_skipped_with_a_warning():
    parsed = read_outline(
        outline(["1. Ausgangslage", "1.1. Im Kreis: 5.000 Ausländer*innen", *_renumbered(MINIMAL)])
    )
    assert parsed.figures == []
    assert messages(parsed, WARNING) == [
        "Zeile 5: Zahlen ohne Stichtag (weder „Stand …“ noch „Im Jahr …“ in der Ausgangslage) – "
        "nicht als Kennzahl übernommen, nur als Aussage."
    ]
    assert [s.text for s in parsed.statements] == ["Im Kreis: 5.000 Ausländer*innen"]


def test_invalid_reference_date_is_an_error():
    parsed = read_outline(
        outline(
            ["1. Ausgangslage", "1.1. 5.000 Personen (Stand 31.02.2020)", *_renumbered(MINIMAL)]
        )
    )
    assert messages(parsed) == ["Zeile 5: Ungültiges Datum „Stand 31.02.2020“."]


def test_ranking_longer_than_stated_gets_its_real_length():
    parsed = read_outline(
        outline(
            [
                "1. Ausgangslage",
                "1.1. Top 3 (Stand 2021): Polen (30 Personen) Syrien (20 Personen)",
                *_renumbered(MINIMAL),
            ]
        )
    )
    (figure,) = parsed.figures
    assert figure.name == "Ausländer*innen nach Staatsangehörigkeit (Top 2)"
    assert figure.reference_date == dt.date(2021, 12, 31)
    assert messages(parsed, WARNING) == [
        "Zeile 5: Als Stichtag ist nur das Jahr 2021 angegeben; angenommen wurde der 31.12.2021. "
        "Bitte nach dem Import prüfen.",
        "Zeile 5: Laut Text „Top 3“, aufgeführt sind 2 Einträge – die Kennzahl heißt nach den "
        "aufgeführten Einträgen „Top 2“.",
    ]


def _renumbered(lines, by=1):
    """Shift the top-level number of outline lines (to put a section before them)."""
    result = []
    for line in lines:
        number, text = line.split(". ", 1)
        parts = number.split(".")
        parts[0] = str(int(parts[0]) + by)
        result.append(".".join(parts) + ". " + text)
    return result


def test_figure_named_before_the_colon_when_the_label_is_a_unit():
    parsed = read_outline(
        outline(
            [
                "1. Ausgangslage",
                "1.1. Geflüchtete: 1.234 Personen (Stand 31.12.2020)",
                "1.2. Im Jahr 2020: 5.000 Personen",
                *_renumbered(MINIMAL),
            ]
        )
    )
    assert [(f.name, f.unit, f.values[0].value) for f in parsed.figures] == [
        ("Geflüchtete", "Personen", 1234),
        # A year is no name: the label stays.
        ("Personen", "Personen", 5000),
    ]


def test_parts_exceeding_the_total_name_both_numbers():
    parsed = read_outline(
        outline(
            [
                "1. Ausgangslage",
                "1.1. Im Landkreis leben 10.000 Ausländer*innen (männlich: 6.000 / weiblich: "
                "4.500) (Stand 31.12.2022)",
                *_renumbered(MINIMAL),
            ]
        )
    )
    assert messages(parsed, WARNING) == [
        "Zeile 5: Die Teilwerte (männlich, weiblich) ergeben zusammen 10.500, mehr als die "
        "Gesamtzahl 10.000 Ausländer*innen – bitte die Zahlen prüfen."
    ]


def test_a_year_alone_as_reference_date_is_reported():
    parsed = read_outline(
        outline(
            [
                "1. Ausgangslage",
                "1.1. Im Jahr 2022 im Kreis: 5.000 Ausländer*innen",
                *_renumbered(MINIMAL),
            ]
        )
    )
    (figure,) = parsed.figures
    assert figure.reference_date == dt.date(2022, 12, 31)
    assert messages(parsed, WARNING) == [
        "Zeile 5: Als Stichtag ist nur das Jahr 2022 angegeben; angenommen wurde der 31.12.2022. "
        "Bitte nach dem Import prüfen."
    ]
    # A full "Stand" date of that year elsewhere in the Ausgangslage gives the day (the seed).
    parsed = read_outline(
        outline(
            [
                "1. Ausgangslage",
                "1.1. Im Jahr 2022 im Kreis: 5.000 Ausländer*innen",
                "1.2. Quelle: Ausländerzentralregister, Stand 30.06.2022",
                *_renumbered(MINIMAL, by=1),
            ]
        )
    )
    assert parsed.figures[0].reference_date == dt.date(2022, 6, 30)
    assert messages(parsed, WARNING) == []

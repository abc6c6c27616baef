"""Bad rows get a German message naming row and column, and nothing is written."""

import datetime as dt

import pytest

from measures.models import Measure, ProgressEntry
from reporting.exchange.export import export_file
from reporting.exchange.importing import run_import
from reporting.exchange.kinds import KINDS_BY_KEY
from tests.exchange_world import run_rows
from tests.factories import ConceptFactory, MeasureFactory
from tests.spreadsheets import write_csv_bytes, xlsx_bytes

MEASURES = KINDS_BY_KEY["measures"]
PROGRESS = KINDS_BY_KEY["progress"]
HEADER = ["Maßnahme", "Datum", "Umsetzungsstand", "Ampel", "Fortschritt", "Sachstand"]
GOOD = ["S2", "01.02.2026", "in Umsetzung", "grün", "50", "läuft"]


def snapshot():
    return (
        list(Measure.objects.values_list("pk", "status", "traffic_light", "progress", "version")),
        ProgressEntry.objects.count(),
        Measure.history.count(),
        ProgressEntry.history.count(),
    )


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            ["X9", "01.02.2026", "in Umsetzung", "grün", "50", ""],
            "Zeile 3, Spalte „Maßnahme“: Eine Maßnahme „X9“ gibt es in diesem Konzept nicht.",
        ),
        (
            ["S1", "01.02.2026", "fertig", "grün", "50", ""],
            "Zeile 3, Spalte „Umsetzungsstand“: „fertig“ ist kein gültiger Umsetzungsstand "
            "(erlaubt: nicht begonnen, in Vorbereitung, in Umsetzung, umgesetzt, verstetigt, "
            "zurückgestellt, entfallen).",
        ),
        (
            ["S1", "01.02.2026", "in Umsetzung", "lila", "50", ""],
            "Zeile 3, Spalte „Ampel“: „lila“ ist keine gültige Ampel (erlaubt: grün, gelb, rot, "
            "grau).",
        ),
        (
            ["S1", "01.02.2026", "in Umsetzung", "grün", "150", ""],
            "Zeile 3, Spalte „Fortschritt“: „150“ liegt außerhalb von 0 bis 100.",
        ),
        (
            ["S1", "01.02.2026", "in Umsetzung", "grün", "-5", ""],
            "Zeile 3, Spalte „Fortschritt“: „-5“ liegt außerhalb von 0 bis 100.",
        ),
        (
            ["S1", "31.02.2025", "in Umsetzung", "grün", "50", ""],
            "Zeile 3, Spalte „Datum“: „31.02.2025“ ist kein gültiges Datum – diesen Tag gibt es "
            "nicht.",
        ),
        (
            ["S1", "", "in Umsetzung", "grün", "50", ""],
            "Zeile 3, Spalte „Datum“: Hier fehlt ein Wert.",
        ),
        (
            ["S2", "01.02.2026", "in Umsetzung", "grün", "50", "läuft"],
            "Zeile 3: Diese Zeile wiederholt Zeile 2 (Sachstand „S2, 01.02.2026“).",
        ),
        (
            ["S1", "01.02.2026", "entfallen", "grau", "0", ""],
            "Zeile 3, Spalte „Abweichung“: Bitte begründen, warum die Maßnahme entfällt.",
        ),
    ],
    ids=[
        "unknown-code",
        "status",
        "light",
        "progress-high",
        "progress-negative",
        "impossible-date",
        "missing-date",
        "duplicate",
        "service-validation",
    ],
)
def test_row_errors_name_row_and_column_and_nothing_is_written(world, bad, message):
    before = snapshot()
    report = run_rows(world, PROGRESS, [HEADER, GOOD, bad])
    assert not report.ok
    assert not report.written
    assert message in report.error_messages
    assert [row.status for row in report.rows] == ["new", "error"]
    assert snapshot() == before  # the good row was rolled back too


def test_implausible_dates_are_refused_as_in_the_portal(world):
    """The rule of measures.services.entry_date_errors, at the row and column."""
    world.concept.adopted_on = dt.date(2019, 7, 1)
    world.concept.save(update_fields=["adopted_on"])
    Measure.objects.filter(concept=world.concept, code="S1").update(start_date="2025-09-01")
    before = snapshot()
    report = run_rows(
        world,
        PROGRESS,
        [
            HEADER,
            ["S2", "01.01.1999", "in Umsetzung", "grün", "50", "alt"],
            ["S1", "01.08.2025", "in Umsetzung", "grün", "50", "zu früh"],
        ],
    )
    assert report.error_messages == [
        "Zeile 2, Spalte „Datum“: Das Datum (01.01.1999) liegt vor dem Beschluss des Konzepts "
        "(01.07.2019). Ein Sachstand beschreibt die Umsetzung des beschlossenen Konzepts.",
        "Zeile 3, Spalte „Datum“: Das Datum (01.08.2025) liegt vor dem Beginn der Maßnahme "
        "(01.09.2025). Ein Sachstand beschreibt die Maßnahme ab ihrem Beginn.",
    ]
    assert snapshot() == before


def test_every_error_of_a_file_is_reported(world):
    report = run_rows(
        world,
        PROGRESS,
        [HEADER, ["X1", "31.02.2025", "fertig", "grün", "abc", ""], GOOD],
        dry_run=True,
    )
    assert report.error_messages == [
        "Zeile 2, Spalte „Maßnahme“: Eine Maßnahme „X1“ gibt es in diesem Konzept nicht.",
        "Zeile 2, Spalte „Datum“: „31.02.2025“ ist kein gültiges Datum – diesen Tag gibt es nicht.",
        "Zeile 2, Spalte „Umsetzungsstand“: „fertig“ ist kein gültiger Umsetzungsstand (erlaubt: "
        "nicht begonnen, in Vorbereitung, in Umsetzung, umgesetzt, verstetigt, zurückgestellt, "
        "entfallen).",
        "Zeile 2, Spalte „Fortschritt“: „abc“ ist keine ganze Zahl.",
    ]


def test_row_numbers_count_like_excel_with_empty_rows(world):
    content = write_csv_bytes(
        [HEADER, [], GOOD, ["", "", "", "", "", ""], ["S1", "x", "", "", "", ""]]
    )
    report = run_rows(world, PROGRESS, content, dry_run=True)
    assert report.error_messages[0].startswith("Zeile 5, Spalte „Datum“:")


def test_errors_in_xlsx_name_the_sheet_row(world):
    content = xlsx_bytes([HEADER, GOOD, ["S1", "01.02.2026", "in Umsetzung", "grün", 101, ""]])
    report = run_rows(world, PROGRESS, content, dry_run=True, name="x.xlsx")
    assert report.error_messages == [
        "Zeile 3, Spalte „Fortschritt“: „101“ liegt außerhalb von 0 bis 100."
    ]


def test_other_concepts_rows_are_not_reachable(world):
    """Codes resolve in the chosen concept only."""
    other = ConceptFactory()
    for code in ("B1", "S1"):
        MeasureFactory(concept=other, code=code)
    report = run_rows(world, MEASURES, [["Kürzel", "Ampel"], ["B1", "rot"]])
    assert "Kürzel „B1“ gibt es in diesem Konzept nicht" in report.error_messages[0]
    entry = world.entry
    report = run_import(
        kind=PROGRESS,
        concept=other,
        user=None,
        file_name="x.csv",
        data=export_file(PROGRESS, world.concept, "csv").content,
        dry_run=True,
    )
    assert report.error_messages == [
        f"Zeile 2, Spalte „ID“: Einen Sachstand mit der ID {entry.pk} gibt es in diesem Konzept "
        "nicht. Für einen neuen Sachstand das Feld „ID“ leer lassen."
    ]

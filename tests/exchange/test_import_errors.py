"""Bad rows get a German message naming row and column, and nothing is written."""

import datetime as dt

import pytest

from goals.models import IndicatorValue
from measures import services
from measures.models import Measure, ProgressEntry
from networks.models import Organisation
from reporting import exchange
from tests.exchange.files import read_csv_bytes, write_csv_bytes, xlsx_bytes

MEASURES = exchange.KINDS_BY_KEY["measures"]
PROGRESS = exchange.KINDS_BY_KEY["progress"]
HEADER = ["Maßnahme", "Datum", "Umsetzungsstand", "Ampel", "Fortschritt", "Sachstand"]
GOOD = ["S2", "01.02.2026", "in Umsetzung", "grün", "50", "läuft"]


def run(world, kind, rows, *, dry_run=False, name="datei.csv"):
    content = rows if isinstance(rows, bytes) else write_csv_bytes(rows)
    return exchange.run_import(
        kind=kind,
        concept=world.concept,
        user=world.user,
        file_name=name,
        data=content,
        dry_run=dry_run,
    )


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
    report = run(world, PROGRESS, [HEADER, GOOD, bad])
    assert not report.ok
    assert not report.written
    assert message in report.error_messages
    assert [row.status for row in report.rows] == ["new", "error"]
    assert snapshot() == before  # the good row was rolled back too


def test_every_error_of_a_file_is_reported(world):
    report = run(
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
    report = run(world, PROGRESS, content, dry_run=True)
    assert report.error_messages[0].startswith("Zeile 5, Spalte „Datum“:")


def test_errors_in_xlsx_name_the_sheet_row(world):
    content = xlsx_bytes([HEADER, GOOD, ["S1", "01.02.2026", "in Umsetzung", "grün", 101, ""]])
    report = run(world, PROGRESS, content, dry_run=True, name="x.xlsx")
    assert report.error_messages == [
        "Zeile 3, Spalte „Fortschritt“: „101“ liegt außerhalb von 0 bis 100."
    ]


def test_missing_required_column_is_named(world):
    before = snapshot()
    report = run(
        world,
        PROGRESS,
        [["Maßnahme", "Datum", "Ampel", "Fortschritt"], ["S1", "01.02.2026", "grün", "5"]],
    )
    assert report.file_errors == ["Die Pflichtspalte „Umsetzungsstand“ fehlt."]
    assert report.rows == []
    assert snapshot() == before
    report = run(world, MEASURES, [["Titel"], ["Neu"]])
    assert report.file_errors == ["Es fehlt die Spalte „Kürzel“ oder „Gliederungsnummer“."]


def test_doubled_column_is_an_error(world):
    report = run(world, MEASURES, [["Kürzel", "Ampel", "ampel"], ["S1", "rot", "grün"]])
    assert report.file_errors == ["Die Spalte „Ampel“ kommt doppelt vor (Spalten B und C)."]


def test_unknown_column_is_a_warning_only(world):
    report = run(world, MEASURES, [["Kürzel", "Ampel", "Bemerkung"], ["S1", "rot", "egal"]])
    assert report.ok
    assert report.warnings == ["Die Spalte „Bemerkung“ ist unbekannt und wird ignoriert."]
    assert Measure.objects.get(pk=world.s1.pk).traffic_light == "red"


def test_column_without_header_is_a_warning(world):
    report = run(world, MEASURES, [["Kürzel", "", "Ampel"], ["S1", "egal", "rot"]], dry_run=True)
    assert report.ok
    assert report.warnings == ["Spalte B hat keine Überschrift; ihre Werte werden ignoriert."]


def test_unknown_measure_in_measure_import(world):
    report = run(world, MEASURES, [["Kürzel", "Ampel"], ["S1", "rot"], ["Z7", "rot"]])
    assert report.error_messages == [
        "Zeile 3, Spalte „Kürzel“: Eine Maßnahme mit dem Kürzel „Z7“ gibt es in diesem Konzept "
        "nicht. Neue Maßnahmen entstehen aus der Gliederung des Konzepts."
    ]
    assert Measure.objects.get(pk=world.s1.pk).traffic_light == "green"


def test_measures_without_code_are_found_by_outline_number(world):
    report = run(
        world,
        MEASURES,
        [["Kürzel", "Gliederungsnummer", "Ampel"], ["", "4.1.9", "gelb"], ["aG 7", "", "rot"]],
        dry_run=True,
    )
    assert report.rows[0].status == "changed"
    assert report.rows[0].label == "4.1.9"
    assert (
        "Zeile 3, Spalte „Kürzel“: Eine Maßnahme mit dem Kürzel „aG7“" in report.error_messages[0]
    )


def test_outline_numbers_that_german_excel_turned_into_dates(world):
    """Excel-DE reads "4.1.9" as 4 Jan 2009 and a lone Teilziel "1.2" as 1 Feb."""
    report = run(
        world,
        MEASURES,
        [
            ["Kürzel", "Gliederungsnummer", "Teilziele", "Ampel"],
            ["S1", "04.01.2001", "1.1, 1.2", "grün"],
            ["", "04.01.2009", "01.02.2026", "grau"],
        ],
        dry_run=True,
    )
    assert report.ok, report.error_messages
    assert report.rows[0].status == "unchanged"
    assert [(c.column, c.new) for c in report.rows[1].changes] == [("Teilziele", "1.2")]


def test_unknown_names_in_lists(world):
    report = run(
        world,
        MEASURES,
        [["Kürzel", "Partner", "Teilziele"], ["S1", "Jobcentr, Caritas", "1.1, 3.9"]],
        dry_run=True,
    )
    assert report.error_messages == [
        "Zeile 2, Spalte „Teilziele“: Teilziel 3.9 gibt es in diesem Konzept nicht "
        "(Schreibweise: 1.2, 1.3).",
        "Zeile 2, Spalte „Partner“: „Jobcentr, Caritas“: diesen Akteur gibt es in diesem "
        "Konzept nicht. Mehrere Einträge bitte mit „;“ trennen.",
    ]


def test_row_from_an_older_export_is_refused_where_both_changed_a_cell(world):
    """No lost updates: the file's Version says which state the row was edited from; a cell
    changed in the file and, differently, by someone else since is refused (the Titel alone
    would go ahead: tests/exchange/test_stale_rows.py)."""
    export = exchange.export_file(MEASURES, world.concept, "csv")
    services.measure_set_state(
        measure=world.s1,
        user=world.user,
        expected_version=world.s1.version,
        status="in_progress",
        traffic_light="red",
        progress=45,
    )
    rows = read_csv_bytes(export.content)
    header = rows[0]
    s1 = next(r for r in rows if r[0] == "S1")
    s1[header.index("Titel")] = "Neuer Titel"
    s1[header.index("Ampel")] = "gelb"
    s1[header.index("Fortschritt")] = "50"
    before = snapshot()
    report = run(world, MEASURES, rows)
    assert not report.ok
    version = world.s1.version
    assert report.error_messages == [
        f"Zeile {rows.index(s1) + 1}, Spalte „Version“: Maßnahme „S1“ wurde seit dem Export "
        f"geändert (Version {version - 1} in der Datei, jetzt {version}): „Ampel“, "
        "„Fortschritt“ haben Sie und inzwischen auch jemand anderes geändert. Bitte neu "
        "exportieren und die Änderung dort eintragen."
    ]
    assert snapshot() == before
    assert Measure.objects.get(pk=world.s1.pk).traffic_light == "red"


def test_unchanged_rows_of_an_older_export_are_fine(world):
    export = exchange.export_file(MEASURES, world.concept, "csv")
    services.measure_set_state(
        measure=world.s2,
        user=world.user,
        expected_version=world.s2.version,
        status="in_progress",
        traffic_light="red",
        progress=45,
    )
    rows = [r for r in read_csv_bytes(export.content) if r[0] != "S2"]
    report = run(world, MEASURES, rows, dry_run=True)
    assert report.ok
    assert {row.status for row in report.rows} == {"unchanged"}


def test_recorded_sachstand_keeps_its_state(world):
    export = exchange.export_file(PROGRESS, world.concept, "csv")
    rows = read_csv_bytes(export.content)
    rows[1][rows[0].index("Fortschritt")] = "80"
    report = run(world, PROGRESS, rows)
    assert report.error_messages == [
        "Zeile 2, Spalte „Fortschritt“: An einem erfassten Sachstand lassen sich Maßnahme, Datum, "
        "Umsetzungsstand, Ampel und Fortschritt nicht ändern (40 → 80). Für einen neuen Stand "
        "bitte eine Zeile ohne ID anlegen."
    ]
    rows[1][rows[0].index("ID")] = "999999"
    report = run(world, PROGRESS, rows)
    assert report.error_messages == [
        "Zeile 2, Spalte „ID“: Einen Sachstand mit der ID 999999 gibt es in diesem Konzept nicht. "
        "Für einen neuen Sachstand das Feld „ID“ leer lassen."
    ]


def test_other_concepts_rows_are_not_reachable(world, lk_vechta):
    """Codes resolve in the chosen concept only."""
    report = run(world, MEASURES, [["Kürzel", "Ampel"], ["B1", "rot"]])
    assert "Kürzel „B1“ gibt es in diesem Konzept nicht" in report.error_messages[0]
    entry = world.entry
    report = exchange.run_import(
        kind=PROGRESS,
        concept=lk_vechta,
        user=None,
        file_name="x.csv",
        data=exchange.export_file(PROGRESS, world.concept, "csv").content,
        dry_run=True,
    )
    assert report.error_messages == [
        f"Zeile 2, Spalte „ID“: Einen Sachstand mit der ID {entry.pk} gibt es in diesem Konzept "
        "nicht. Für einen neuen Sachstand das Feld „ID“ leer lassen."
    ]


def test_indicator_value_errors(world):
    before = IndicatorValue.objects.count()
    report = run(
        world,
        exchange.KINDS_BY_KEY["indicator-values"],
        [
            ["Kennzahl", "Stichtag", "Wert"],
            ["Kursteilnehmende", "31.12.2025", "12"],
            ["Unbekannt", "31.12.2025", "1"],
            ["Kursteilnehmende", "31.12.2026", "zwölf"],
        ],
    )
    assert report.error_messages == [
        "Zeile 3, Spalte „Kennzahl“: Eine Kennzahl „Unbekannt“ gibt es in diesem Konzept nicht.",
        "Zeile 4, Spalte „Wert“: „zwölf“ ist keine Zahl.",
    ]
    assert IndicatorValue.objects.count() == before


def test_organisation_validation_from_the_model(world):
    report = run(
        world,
        exchange.KINDS_BY_KEY["organisations"],
        [["Name", "Website", "Art"], ["VHS", "kein link", "Schule"]],
    )
    assert report.error_messages == [
        "Zeile 2, Spalte „Art“: „Schule“ ist keine gültige Art (erlaubt: Landkreisverwaltung, "
        "Stadt / Gemeinde, Arbeitsverwaltung, Bildungseinrichtung, Kindertagesbetreuung, "
        "Wohlfahrtsverband, Verein / Initiative, Sonstige)."
    ]
    report = run(
        world, exchange.KINDS_BY_KEY["organisations"], [["Name", "Website"], ["VHS", "kein link"]]
    )
    assert len(report.error_messages) == 1
    assert report.error_messages[0].startswith("Zeile 2, Spalte „Website“: ")
    assert not Organisation.objects.filter(name="VHS").exists()


def test_indicator_value_dated_in_the_future_is_refused(world, monkeypatch):
    from django.utils import timezone

    real = timezone.localdate
    monkeypatch.setattr(
        timezone,
        "localdate",
        lambda value=None, tz=None: dt.date(2026, 11, 27) if value is None else real(value, tz),
    )
    before = IndicatorValue.objects.count()
    report = run(
        world,
        exchange.KINDS_BY_KEY["indicator-values"],
        [
            ["Kennzahl", "Stichtag", "Wert"],
            ["Kursteilnehmende", "27.11.2026", "12"],
            ["Kursteilnehmende", "31.12.2026", "14"],
        ],
    )
    assert report.error_messages == [
        "Zeile 3, Spalte „Stichtag“: Der Stichtag 31.12.2026 liegt in der Zukunft; erfasst "
        "werden Werte bis heute (27.11.2026)."
    ]
    assert IndicatorValue.objects.count() == before

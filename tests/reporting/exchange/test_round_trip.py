"""Every kind of data goes out and comes back in unchanged; one edited cell changes one row."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from goals.models import IndicatorValue
from measures.models import Measure, ProgressEntry, TrafficLight
from networks.models import Network, Organisation
from reporting.exchange.export import export_file
from reporting.exchange.importing import run_import
from reporting.exchange.kinds import KINDS_BY_KEY
from tests.spreadsheets import read_csv_bytes, write_csv_bytes, xlsx_bytes

# kind, key column, key value, column to edit, new value, check after the real import
EDITS = [
    (
        "measures",
        "Kürzel",
        "S1",
        "Ampel",
        # grau: a change to gelb or rot would need its Abweichung (test_measure.py)
        "grau",
        lambda w: Measure.objects.get(pk=w.s1.pk).traffic_light == TrafficLight.GREY,
    ),
    (
        "progress",
        "Maßnahme",
        "S1",
        "Nächste Schritte",
        "Kurse starten",
        lambda w: ProgressEntry.objects.get(pk=w.entry.pk).next_steps == "Kurse starten",
    ),
    (
        "indicator-values",
        "Aufschlüsselung",
        "",
        "Wert",
        "131",
        lambda w: (
            IndicatorValue.objects.get(indicator=w.indicator, breakdown="").value == Decimal("131")
        ),
    ),
    (
        "organisations",
        "Name",
        "Jugendamt",
        "öffentlich",
        "ja",
        lambda w: Organisation.objects.get(concept=w.concept, name="Jugendamt").is_public,
    ),
    (
        "networks",
        "Name",
        "KMN-Treffen",
        "Sitzungsturnus",
        "monatlich",
        lambda w: Network.objects.get(pk=w.network.pk).meeting_cadence == "monatlich",
    ),
]


def edit_csv(content, key_column, key_value, column, value):
    rows = read_csv_bytes(content)
    header = rows[0]
    for row in rows[1:]:
        if row[header.index(key_column)] == key_value:
            row[header.index(column)] = value
            break
    else:
        raise AssertionError(f"no row {key_value}")
    return write_csv_bytes(rows)


def edit_xlsx(content, key_column, key_value, column, value):
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if (row[header.index(key_column)].value or "") == key_value:
            row[header.index(column)].value = value
            break
    else:
        raise AssertionError(f"no row {key_value}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(world, kind, content, name, dry_run=True):
    return run_import(
        kind=kind,
        concept=world.concept,
        user=world.user,
        file_name=name,
        data=content,
        dry_run=dry_run,
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(("key", "key_column", "key_value", "column", "value", "check"), EDITS)
def test_export_import_round_trip(world, fmt, key, key_column, key_value, column, value, check):
    kind = KINDS_BY_KEY[key]
    export = export_file(kind, world.concept, fmt)
    assert export.rows > 0

    report = run(world, kind, export.content, export.filename)
    assert report.ok, report.error_messages
    assert report.warnings == []
    assert [row.status for row in report.rows] == ["unchanged"] * export.rows

    edit = edit_csv if fmt == "csv" else edit_xlsx
    edited = edit(export.content, key_column, key_value, column, value)
    report = run(world, kind, edited, export.filename)
    assert report.ok, report.error_messages
    changed = [row for row in report.rows if row.status != "unchanged"]
    assert [row.status for row in changed] == ["changed"]
    assert [change.column for change in changed[0].changes] == [column]
    assert not check(world), "the dry run wrote something"

    report = run(world, kind, edited, export.filename, dry_run=False)
    assert report.written
    assert check(world)
    # The same file again changes nothing.
    again = run(world, kind, edited, export.filename)
    assert {row.status for row in again.rows} == {"unchanged"}


def test_lk_vechta_measures_round_trip(lk_vechta):
    kind = KINDS_BY_KEY["measures"]
    for fmt in ("csv", "xlsx"):
        export = export_file(kind, lk_vechta, fmt)
        report = run_import(
            kind=kind,
            concept=lk_vechta,
            user=None,
            file_name=export.filename,
            data=export.content,
            dry_run=True,
        )
        assert report.ok, report.error_messages
        assert report.counts["unchanged"] == lk_vechta.measures.count() == 37


def test_measure_state_change_leaves_a_sachstand_and_history(world):
    kind = KINDS_BY_KEY["measures"]
    export = export_file(kind, world.concept, "csv")
    rows = read_csv_bytes(export.content)
    header = rows[0]
    s1 = next(r for r in rows if r[0] == "S1")
    s1[header.index("Umsetzungsstand")] = "umgesetzt"
    s1[header.index("Fortschritt")] = "100"
    s1[header.index("Titel")] = "Sprachstand aller Kinder feststellen"
    s1[header.index("Partner")] = "Caritas-Sozialwerk, Vechta; Jugendamt"
    version = world.s1.version
    entries = world.s1.entries.count()
    history = world.s1.history.count()

    report = run(world, kind, write_csv_bytes(rows), "massnahmen.csv", dry_run=False)

    assert report.written, report.error_messages
    measure = Measure.objects.get(pk=world.s1.pk)
    assert (measure.status, measure.progress) == ("implemented", 100)
    assert measure.title == "Sprachstand aller Kinder feststellen"
    assert sorted(o.name for o in measure.organisations.filter(involvements__role="partner")) == [
        "Caritas-Sozialwerk, Vechta",
        "Jugendamt",
    ]
    assert measure.version == version + 2  # state and master data, each through its service
    assert measure.entries.count() == entries + 1
    entry = measure.entries.order_by("-pk").first()
    assert entry.author == world.user
    assert "„in Umsetzung“ auf „umgesetzt“" in entry.text
    assert "massnahmen.csv" in entry.text
    assert measure.history.count() > history
    latest = measure.history.order_by("-history_id").first()
    assert latest.history_user == world.user
    # The master data change names the file, like the Sachstand of the state change.
    assert latest.title == "Sprachstand aller Kinder feststellen"
    assert latest.history_change_reason == "Datenimport „massnahmen.csv“"


def test_new_rows_are_created_through_the_services(world):
    kind = KINDS_BY_KEY["progress"]
    rows = [
        [
            "Maßnahme",
            "Datum",
            "Umsetzungsstand",
            "Ampel",
            "Fortschritt",
            "Sachstand",
            "Kosten",
            "Abweichung",
        ],
        [
            "S2",
            "01.03.2026",
            "in Vorbereitung",
            "gelb",
            "10",
            "Träger gefunden",
            "1.200,00",
            "spät",
        ],
        ["4.1.9", "2026-03-02", "in Umsetzung", "grün", "25 %", "läuft", "", ""],
    ]
    report = run(world, kind, write_csv_bytes(rows), "neu.csv", dry_run=False)
    assert report.written, report.error_messages
    assert [row.status for row in report.rows] == ["new", "new"]
    s2 = Measure.objects.get(pk=world.s2.pk)
    assert (s2.status, s2.traffic_light, s2.progress) == ("preparing", "yellow", 10)
    entry = s2.entries.get()
    assert entry.cost == Decimal("1200.00")
    assert entry.author == world.user
    assert entry.history.get().history_user == world.user
    uncoded = Measure.objects.get(pk=world.uncoded.pk)
    assert uncoded.progress == 25

    # Importing the same file again does not record them twice.
    again = run(world, kind, write_csv_bytes(rows), "neu.csv")
    assert [row.status for row in again.rows] == ["unchanged", "unchanged"]


def test_new_indicator_values_organisations_and_networks(world):
    values = KINDS_BY_KEY["indicator-values"]
    report = run(
        world,
        values,
        write_csv_bytes(
            [
                ["Kennzahl", "Stichtag", "Wert", "Aufschlüsselung"],
                ["Kursteilnehmende", "31.12.2025", "1.234", ""],
            ]
        ),
        "werte.csv",
        dry_run=False,
    )
    assert report.written, report.error_messages
    item = IndicatorValue.objects.get(indicator=world.indicator, reference_date="2025-12-31")
    assert item.value == Decimal("1234")
    assert item.history.get().history_user == world.user

    organisations = KINDS_BY_KEY["organisations"]
    report = run(
        world,
        organisations,
        write_csv_bytes(
            [["Name", "Art", "öffentlich"], ["Volkshochschule", "Bildungseinrichtung", "x"]]
        ),
        "akteure.csv",
        dry_run=False,
    )
    assert report.written, report.error_messages
    vhs = Organisation.objects.get(concept=world.concept, name="Volkshochschule")
    assert (vhs.kind, vhs.is_public) == ("education", True)
    record = vhs.history.get()
    assert (record.history_type, record.history_user) == ("+", world.user)
    assert record.history_change_reason == "Datenimport „akteure.csv“"

    networks = KINDS_BY_KEY["networks"]
    report = run(
        world,
        networks,
        write_csv_bytes(
            [
                ["Name", "Art", "Mitglieder"],
                ["Runder Tisch", "Arbeitskreis", "Volkshochschule; Jobcenter"],
            ]
        ),
        "netzwerke.csv",
        dry_run=False,
    )
    assert report.written, report.error_messages
    table = Network.objects.get(concept=world.concept, name="Runder Tisch")
    assert sorted(o.name for o in table.members.all()) == ["Jobcenter", "Volkshochschule"]
    assert {r.history_change_reason for r in table.history.all()} == {"Datenimport „netzwerke.csv“"}


def test_imported_changes_of_akteure_and_netzwerke_are_in_their_history(world):
    """Who changed what from which file: on the history the detail pages show."""
    for key, name, content, latest in [
        (
            "organisations",
            "akteure.xlsx",
            xlsx_bytes([["Name", "Kurzname"], ["Jobcenter", "JC"]]),
            world.jobcenter.history.latest,
        ),
        (
            "networks",
            "netzwerke.csv",
            write_csv_bytes([["Name", "Mitglieder"], ["KMN-Treffen", "Jobcenter"]]),
            world.network.history.latest,
        ),
    ]:
        report = run(world, KINDS_BY_KEY[key], content, name, dry_run=False)
        assert report.written, report.error_messages
        record = latest()
        assert record.history_user == world.user
        assert record.history_change_reason == f"Datenimport „{name}“"
    assert world.jobcenter.history.latest().short_name == "JC"
    members = world.network.history.latest().members.model.objects.filter(
        history=world.network.history.latest()
    )
    assert [row.organisation.name for row in members] == ["Jobcenter"]


def test_long_file_names_are_shortened_in_the_history_reason(world):
    name = "a" * 150 + ".csv"
    rows = [["Name", "Kurzname"], ["Jobcenter", "JC"]]
    kind = KINDS_BY_KEY["organisations"]
    assert run(world, kind, write_csv_bytes(rows), name, dry_run=False).written
    reason = world.jobcenter.history.latest().history_change_reason
    assert len(reason) == 100
    assert reason.startswith("Datenimport „aaa") and reason.endswith("…“")

"""Sachstände in a file: recorded ones keep their state; older ones are cheap."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reporting.exchange.export import export_file
from reporting.exchange.kinds import KINDS_BY_KEY
from tests.exchange_world import run_rows
from tests.spreadsheets import read_csv_bytes

PROGRESS = KINDS_BY_KEY["progress"]


def test_recorded_sachstand_keeps_its_state(world):
    export = export_file(PROGRESS, world.concept, "csv")
    rows = read_csv_bytes(export.content)
    rows[1][rows[0].index("Fortschritt")] = "80"
    report = run_rows(world, PROGRESS, rows)
    assert report.error_messages == [
        "Zeile 2, Spalte „Fortschritt“: An einem erfassten Sachstand lassen sich Maßnahme, Datum, "
        "Umsetzungsstand, Ampel und Fortschritt nicht ändern (40 → 80). Für einen neuen Stand "
        "bitte eine Zeile ohne ID anlegen."
    ]
    rows[1][rows[0].index("ID")] = "999999"
    report = run_rows(world, PROGRESS, rows)
    assert report.error_messages == [
        "Zeile 2, Spalte „ID“: Einen Sachstand mit der ID 999999 gibt es in diesem Konzept nicht. "
        "Für einen neuen Sachstand das Feld „ID“ leer lassen."
    ]


def test_each_older_sachstand_costs_only_its_own_writes(world):
    """The newest date of every measure is read once per import, not once per row: a row
    that only adds history writes the Sachstand and its history record (in savepoints) and
    reads nothing."""
    header = ["Maßnahme", "Datum", "Umsetzungsstand", "Ampel", "Fortschritt", "Sachstand"]

    def queries_for(count):
        days = [dt.date(2025, 1, 1) + dt.timedelta(days=n) for n in range(count)]
        rows = [["S1", f"{day:%d.%m.%Y}", "in Umsetzung", "grün", "30", "alt"] for day in days]
        with CaptureQueriesContext(connection) as queries:
            report = run_rows(world, PROGRESS, [header, *rows], dry_run=True)
        assert report.counts["new"] == count, report.error_messages
        return [q["sql"] for q in queries]

    few, many = queries_for(5), queries_for(15)
    added = many[len(few) :]
    assert len(many) - len(few) <= 10 * 6
    assert not [sql for sql in added if sql.startswith("SELECT")]


def test_a_new_sachstand_turning_the_ampel_red_needs_its_abweichung(world):
    header = ["Maßnahme", "Datum", "Umsetzungsstand", "Ampel", "Fortschritt", "Sachstand"]
    today = timezone.localdate().strftime("%d.%m.%Y")
    rows = [header, ["S2", "01.07.2025", "in Umsetzung", "grün", "10", "läuft"]]
    rows.append(["S1", today, "in Umsetzung", "rot", "40", "Träger abgesprungen"])
    report = run_rows(world, PROGRESS, rows)
    assert report.error_messages == [
        "Zeile 3, Spalte „Abweichung“: Die Ampel wechselt auf „rot“: Bitte beschreiben Sie kurz "
        "die Abweichung (Pflicht, wenn die Ampel auf gelb oder rot wechselt)."
    ]
    # All or nothing: the valid row is not written either.
    assert not world.s2.entries.exists()
    report = run_rows(
        world,
        PROGRESS,
        [[*row, "Abweichung" if i == 0 else "Träger gesucht."] for i, row in enumerate(rows)],
    )
    assert report.ok, report.error_messages
    world.s1.refresh_from_db()
    assert world.s1.traffic_light == "red"
    assert world.s1.entries.order_by("date").last().deviation == "Träger gesucht."

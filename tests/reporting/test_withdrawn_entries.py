"""A withdrawn Sachstand counts nowhere: dashboard, "Änderungen seit", export, the report's
snapshot and the public pages read only the Sachstände that stand."""

import datetime as dt

import pytest
from django.utils import timezone

from concept.models import Concept
from measures.models import Status, TrafficLight
from measures.services import progress_entry_withdraw
from reporting.dashboard import queries
from reporting.dashboard.changes import changes_since
from reporting.exchange.export import export_file
from reporting.exchange.importing import run_import
from reporting.exchange.kinds import KINDS_BY_KEY
from reporting.models import AnnualReport
from reporting.public.queries import concept_page
from reporting.report.snapshot import build_snapshot
from tests.factories import ConceptFactory, GoalFactory, MeasureFactory, ProgressEntryFactory
from tests.spreadsheets import read_csv_bytes, write_csv_bytes

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def world(db):
    """Measure S1 with a Sachstand of 01.03.2025 (in Umsetzung, yellow, 30 %) that stands and
    a newer one of 01.09.2025 (in Vorbereitung, red, 60 %, 40 participants) that was
    withdrawn."""
    concept = ConceptFactory(status=Concept.Status.ADOPTED)
    goal = GoalFactory(concept=concept, number=1)
    measure = MeasureFactory(concept=concept, goal=goal, code="S1")
    ProgressEntryFactory(
        measure=measure,
        date=dt.date(2025, 3, 1),
        traffic_light=TrafficLight.YELLOW,
        progress=30,
        text="Steht",
        participants=10,
    )
    wrong = ProgressEntryFactory(
        measure=measure,
        date=dt.date(2025, 9, 1),
        status=Status.PREPARING,
        traffic_light=TrafficLight.RED,
        progress=60,
        text="Falsch erfasst",
        participants=40,
    )
    progress_entry_withdraw(entry=wrong, user=None, expected_version=None, reason="falsch")
    return concept


def test_the_dashboard_counts_the_state_of_the_remaining_sachstand(world):
    data = queries.dashboard(world, today=dt.date(2025, 10, 1))
    assert (data.overall.red, data.overall.yellow) == (0, 1)
    assert [m.code for m in data.attention] == ["S1"]
    assert data.attention[0].last_entry_date == dt.date(2025, 3, 1)
    assert [e.text for e in queries.recent_entries(world)] == ["Steht"]


def test_changes_since_leave_the_withdrawn_sachstand_out(world):
    changes = changes_since(world, dt.date(2025, 1, 1))
    assert [row.entry.text for row in changes.rows("entries")] == ["Steht"]
    # Its change of the status and the one back are gone with it.
    assert {(c.old_status, c.new_status) for c in changes.rows("status")} == {
        (None, Status.NOT_STARTED),
        (Status.NOT_STARTED, Status.IN_PROGRESS),
    }


def test_the_export_holds_only_the_remaining_sachstand(world):
    rows = read_csv_bytes(export_file(KINDS_BY_KEY["progress"], world, "csv").content)
    text = rows[0].index("Sachstand")
    assert [row[text] for row in rows[1:]] == ["Steht"]


def test_the_report_snapshot_reads_only_the_remaining_sachstand(world):
    snapshot = build_snapshot(AnnualReport(concept=world, year=2025))
    [measure] = snapshot["goals"][0]["measures"]
    assert [e["text"] for e in measure["entries"]] == ["Steht"]
    assert measure["outputs"]["participants"] == 10
    assert (measure["light"], measure["progress"]) == (TrafficLight.YELLOW, 30)


def test_the_public_page_dates_by_the_remaining_sachstand(world):
    assert concept_page(world.slug).last_update == dt.date(2025, 3, 1)


def test_an_import_does_not_bring_a_withdrawn_sachstand_back(world):
    from measures.models import ProgressEntry

    wrong = ProgressEntry.with_withdrawn.get(withdrawn_at__isnull=False)
    header = ["ID", "Maßnahme", "Datum", "Umsetzungsstand", "Ampel", "Fortschritt", "Sachstand"]
    row = ["S1", "01.09.2025", "in Vorbereitung", "rot", "60", "Falsch erfasst"]
    report = run_import(
        kind=KINDS_BY_KEY["progress"],
        concept=world,
        user=None,
        file_name="alt.csv",
        data=write_csv_bytes([header, ["", *row], [str(wrong.pk), *row]]),
        dry_run=True,
    )
    withdrawn_on = timezone.localdate().strftime("%d.%m.%Y")
    message = (
        f"Dieser Sachstand (S1, 01.09.2025) wurde am {withdrawn_on} zurückgezogen (falsch) und "
        "wird nicht wieder angelegt. Bitte die Zeile aus der Datei entfernen."
    )
    assert report.error_messages == [
        f"Zeile 2, Spalte „Datum“: {message}",
        f"Zeile 3, Spalte „ID“: {message}",
    ]

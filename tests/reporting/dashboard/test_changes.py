"""What changed since a day (reporting.dashboard.changes): the kinds of change, their rows,
the file."""

import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from measures.models import Measure, ProgressEntry, Status, TrafficLight
from measures.services import measure_set_state, measure_update, progress_entry_create
from reporting.dashboard.changes import (
    changes_since,
    default_since,
    status_change_records,
    status_changes,
)
from tests.factories import (
    AnnualReportFactory,
    CommitteeFactory,
    ConceptFactory,
    DecisionFactory,
    MeasureFactory,
    MeetingFactory,
    ProgressEntryFactory,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 30)


def entry(measure, date, status=Status.IN_PROGRESS, light=TrafficLight.GREEN, progress=50):
    return ProgressEntryFactory(
        measure=measure, date=date, status=status, traffic_light=light, progress=progress
    )


def test_default_since_is_the_last_final_reports_cut_off_or_a_year_back():
    concept = ConceptFactory()
    assert default_since(concept, dt.date(2026, 3, 1)) == dt.date(2025, 3, 1)
    assert default_since(concept, dt.date(2028, 2, 29)) == dt.date(2027, 2, 28)
    AnnualReportFactory(concept=concept, year=2025, final=True)
    AnnualReportFactory(concept=concept, year=2026)  # a draft does not count
    # The day after the report's data cut-off (31.12.2025), not the day it went final.
    assert default_since(concept, dt.date(2026, 6, 1)) == dt.date(2026, 1, 1)


def test_status_changes_come_from_the_measure_history():
    concept = ConceptFactory()
    measure = MeasureFactory(concept=concept, code="S1")  # "+" record: new measure
    measure.title = "Neuer Titel"
    measure.save()  # no status change: not listed
    measure.status = Status.IN_PROGRESS
    measure._change_reason = "Beschluss: schneller umsetzen"
    measure.save()
    other = MeasureFactory(code="X1")  # another concept
    other.status = Status.IN_PROGRESS
    other.save()

    changes = status_changes(concept, timezone.localdate())
    assert [(c.label, c.old_status, c.new_status) for c in changes] == [
        ("S1", Status.NOT_STARTED, Status.IN_PROGRESS),
        ("S1", None, Status.NOT_STARTED),
    ]
    assert changes[0].old_label == "nicht begonnen" and changes[0].new_label == "in Umsetzung"
    assert changes[0].reason == "Beschluss: schneller umsetzen"
    assert status_changes(concept, timezone.localdate() + dt.timedelta(days=1)) == []


def test_changes_since_lists_entries_by_their_date_and_decisions_of_the_period():
    concept = ConceptFactory()
    measure = MeasureFactory(concept=concept)
    entry(measure, dt.date(2026, 3, 1))
    old = entry(measure, dt.date(2024, 3, 1))
    ProgressEntry.objects.filter(pk=old.pk).update(
        created_at=timezone.make_aware(dt.datetime(2024, 3, 2))
    )
    late = entry(measure, dt.date(2024, 5, 1))
    ProgressEntry.objects.filter(pk=late.pk).update(
        created_at=timezone.make_aware(dt.datetime(2024, 5, 2))
    )
    committee = CommitteeFactory(concept=concept, name="Steuerungsgruppe")
    recent = MeetingFactory(network=committee, date=dt.date(2026, 4, 1), topic="Bilanz")
    earlier = MeetingFactory(network=committee, date=dt.date(2025, 4, 1), topic="Alt")
    DecisionFactory(meeting=recent, text="Neu")
    DecisionFactory(meeting=earlier, text="Vorher")

    changes = changes_since(concept, dt.date(2026, 1, 1))
    assert [row.date for row in changes.rows("entries")] == [dt.date(2026, 3, 1)]
    assert [row.decision.text for row in changes.rows("decisions")] == ["Neu"]
    assert changes.section("entries").total == 1


def test_sachstaende_entered_late_are_listed_as_such():
    concept = ConceptFactory()
    measure = MeasureFactory(concept=concept)
    report_final = dt.date(2026, 2, 14)
    before = entry(measure, dt.date(2025, 11, 1))
    late = entry(measure, dt.date(2025, 12, 15))  # typed in after the report went final
    current = entry(measure, dt.date(2026, 3, 1))
    for item, created in [(before, dt.datetime(2025, 11, 2)), (late, dt.datetime(2026, 2, 20))]:
        ProgressEntry.objects.filter(pk=item.pk).update(created_at=timezone.make_aware(created))
    ProgressEntry.objects.filter(pk=current.pk).update(
        created_at=timezone.make_aware(dt.datetime(2026, 3, 2))
    )

    entries = changes_since(concept, report_final).rows("entries")
    assert [(row.entry.pk, row.entered_late) for row in entries] == [
        (current.pk, False),
        (late.pk, True),
    ]


def test_status_changes_carry_the_date_of_the_sachstand_that_caused_them():
    concept = ConceptFactory()
    measure = MeasureFactory(concept=concept, code="S1")
    # Entered today for past dates, as when a year's Sachstände are typed in at once.
    for day, status in [
        (dt.date(2024, 3, 15), Status.PREPARING),
        (dt.date(2025, 2, 1), Status.IN_PROGRESS),
        (dt.date(2025, 9, 1), Status.IN_PROGRESS),  # no change of status
    ]:
        progress_entry_create(
            measure=measure,
            author=None,
            date=day,
            status=status,
            traffic_light=TrafficLight.GREEN,
            progress=10,
        )
    changes = status_changes(concept, dt.date(2024, 1, 1))
    assert [(c.date, c.old_status, c.new_status, c.from_entry) for c in changes] == [
        (timezone.localdate(), None, Status.NOT_STARTED, False),  # created today
        (dt.date(2025, 2, 1), Status.PREPARING, Status.IN_PROGRESS, True),
        (dt.date(2024, 3, 15), Status.NOT_STARTED, Status.PREPARING, True),
    ]
    assert changes[0].created and not changes[0].recorded_later
    assert changes[1].recorded_later
    # Dated by the Sachstand, not by the day it was typed in; typed in since the date, each is
    # news all the same (and marked as recorded later).
    since_2025 = status_changes(concept, dt.date(2025, 1, 1))
    assert [c.date for c in since_2025] == [
        timezone.localdate(),
        dt.date(2025, 2, 1),
        dt.date(2024, 3, 15),
    ]
    assert [c.recorded_later for c in since_2025] == [False, True, True]
    # Recorded before the date and dated before it: not listed.
    History = Measure.history.model
    History.objects.filter(id=measure.pk, entry_date__lt=dt.date(2025, 1, 1)).update(
        history_date=timezone.make_aware(dt.datetime(2024, 3, 16, 9, 0))
    )
    assert [c.date for c in status_changes(concept, dt.date(2025, 1, 1))] == [
        timezone.localdate(),
        dt.date(2025, 2, 1),
    ]


def latest_record(measure):
    return Measure.history.filter(id=measure.pk).order_by("-history_date", "-history_id").first()


def test_a_status_change_records_the_sachstand_that_made_it():
    concept = ConceptFactory()
    measure = MeasureFactory(concept=concept, code="S1")
    made = progress_entry_create(
        measure=measure,
        author=None,
        date=dt.date(2025, 2, 1),
        status=Status.IN_PROGRESS,
        traffic_light=TrafficLight.GREEN,
        progress=10,
    )
    record = latest_record(measure)
    assert (record.entry_id, record.entry_date) == (made.pk, dt.date(2025, 2, 1))
    # The next save of the same object, without a Sachstand, doesn't claim it as well.
    measure.status = Status.DEFERRED
    measure.save()
    record = latest_record(measure)
    assert (record.entry_id, record.entry_date) == (None, None)
    # So does a change of state on the measure page (measure_set_state).
    measure_set_state(
        measure=Measure.objects.get(pk=measure.pk),
        user=None,
        expected_version=Measure.objects.get(pk=measure.pk).version,
        status=Status.IMPLEMENTED,
        traffic_light=TrafficLight.GREEN,
        progress=100,
        today=dt.date(2025, 5, 5),
    )
    record = latest_record(measure)
    assert record.entry_date == dt.date(2025, 5, 5)
    assert record.entry_id == ProgressEntry.objects.get(measure=measure, progress=100).pk


def test_a_change_is_dated_by_its_recorded_sachstand_not_by_a_time_window():
    concept = ConceptFactory()
    measure = MeasureFactory(concept=concept, code="S1")
    newest = progress_entry_create(
        measure=measure,
        author=None,
        date=dt.date(2025, 6, 1),
        status=Status.PREPARING,
        traffic_light=TrafficLight.GREEN,
        progress=10,
    )
    # Saved more than a minute before its history record (a slow transaction): still its own.
    ProgressEntry.objects.filter(pk=newest.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=10)
    )
    # An older Sachstand is history only; the same minute somebody sets its status in the
    # admin. That change is not the Sachstand's, though both say "in Umsetzung".
    progress_entry_create(
        measure=measure,
        author=None,
        date=dt.date(2024, 3, 1),
        status=Status.IN_PROGRESS,
        traffic_light=TrafficLight.GREEN,
        progress=20,
    )
    measure = Measure.objects.get(pk=measure.pk)
    measure.status = Status.IN_PROGRESS
    measure.save()
    newest.delete()  # the change keeps the date of the Sachstand that made it

    changes = status_changes(concept, dt.date(2024, 1, 1))
    assert [(c.date, c.old_status, c.new_status, c.from_entry) for c in changes] == [
        (timezone.localdate(), Status.PREPARING, Status.IN_PROGRESS, False),
        (timezone.localdate(), None, Status.NOT_STARTED, False),  # created today
        (dt.date(2025, 6, 1), Status.NOT_STARTED, Status.PREPARING, True),
    ]


def test_status_changes_choose_the_period_on_plain_columns(django_assert_num_queries):
    concept = ConceptFactory()
    measure = MeasureFactory(concept=concept, code="S1")
    long_ago = timezone.make_aware(dt.datetime(2020, 1, 1))
    Measure.history.filter(id=measure.pk).update(history_date=long_ago)
    # Years of history before the period: none of it is compared with its predecessor.
    for day in range(1, 121):
        measure.status = Status.IN_PROGRESS if day % 2 else Status.PREPARING
        measure._history_date = long_ago + dt.timedelta(days=day)
        measure.save()
    del measure._history_date
    progress_entry_create(
        measure=measure,
        author=None,
        date=timezone.localdate(),
        status=Status.IMPLEMENTED,
        traffic_light=TrafficLight.GREEN,
        progress=100,
    )
    since = timezone.localdate() - dt.timedelta(days=30)

    sql = str(status_change_records(concept, since).query)
    table = '"measures_historicalmeasure"'
    assert f'{table}."entry_date" >=' in sql and f'{table}."history_date" >=' in sql
    assert "progressentry" not in sql  # no subquery matching Sachstände
    with django_assert_num_queries(1):
        changes = status_changes(concept, since)
    assert [(c.old_status, c.new_status, c.from_entry) for c in changes] == [
        (Status.PREPARING, Status.IMPLEMENTED, True)
    ]
    assert len(status_changes(concept, dt.date(2019, 1, 1))) == 1 + 120 + 1


def test_the_migration_gives_recorded_changes_their_sachstand_once():
    backfill = importlib.import_module("measures.migrations.0004_measure_history_entry")
    concept = ConceptFactory()
    measure = MeasureFactory(concept=concept, code="S1")
    made = progress_entry_create(
        measure=measure,
        author=None,
        date=dt.date(2025, 2, 1),
        status=Status.IN_PROGRESS,
        traffic_light=TrafficLight.GREEN,
        progress=10,
    )
    measure.status = Status.DEFERRED  # in the admin: no Sachstand
    measure.save()
    Measure.history.update(entry_date=None, entry_id=None)  # as recorded before

    with CaptureQueriesContext(connection) as captured:
        backfill.backfill_entries(django_apps, None)
    assert len(captured) == 1
    assert list(
        Measure.history.filter(id=measure.pk)
        .order_by("history_date", "history_id")
        .values_list("history_type", "status", "entry_id", "entry_date")
    ) == [
        ("+", Status.NOT_STARTED, None, None),
        ("~", Status.IN_PROGRESS, made.pk, dt.date(2025, 2, 1)),
        ("~", Status.DEFERRED, None, None),
    ]


def test_a_history_snapshot_of_an_older_measure_is_not_a_new_measure():
    concept = ConceptFactory()
    measure = MeasureFactory(concept=concept, code="S1")
    Measure.history.filter(id=measure.pk).delete()  # as loaded from a fixture
    Measure.objects.filter(pk=measure.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    # The first change through the services records the state before it.
    measure_update(
        measure=Measure.objects.get(pk=measure.pk),
        user=None,
        expected_version=measure.version,
        data={"title": "Neuer Titel"},
    )
    assert Measure.history.filter(id=measure.pk).count() == 2
    assert status_changes(concept, TODAY - dt.timedelta(days=365)) == []


def test_changes_come_in_pages():
    concept = ConceptFactory()
    measure = MeasureFactory(concept=concept)
    for day in range(1, 6):
        entry(measure, dt.date(2026, 3, day))
    first = changes_since(concept, dt.date(2026, 1, 1), per_page=2)
    assert [row.date.day for row in first.rows("entries")] == [5, 4]
    assert first.section("entries").total == 5
    last = changes_since(concept, dt.date(2026, 1, 1), pages={"entries": 3}, per_page=2)
    assert [row.date.day for row in last.rows("entries")] == [1]
    assert not last.section("entries").page.has_next()

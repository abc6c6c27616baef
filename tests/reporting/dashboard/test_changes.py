"""What changed since a day (reporting.dashboard.changes): the kinds of change, their rows,
the file."""

import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concept import roles
from measures.models import Measure, ProgressEntry, Status, TrafficLight, UpdateCadence
from measures.services import (
    measure_set_state,
    measure_update,
    progress_entry_correct,
    progress_entry_create,
    progress_entry_withdraw,
)
from reporting.dashboard.changes import (
    changes_since,
    csv_table,
    default_since,
    status_change_records,
    status_changes,
)
from tests.factories import (
    AnnualReportFactory,
    CommitteeFactory,
    ConceptFactory,
    DecisionFactory,
    GoalFactory,
    MeasureFactory,
    MeetingFactory,
    NetworkFactory,
    OrganisationFactory,
    ProgressEntryFactory,
    SubGoalFactory,
    UserFactory,
    add_member,
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
    # No subquery matching Sachstände by their dates (the Sachstand that made a change is
    # read by its id, for the reason given with it).
    entries = '"measures_progressentry"'
    assert f'{entries}."date"' not in sql and f'{entries}."created_at"' not in sql
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


# --- Ampel and master data ---------------------------------------------------------------------


def current(measure):
    return Measure.objects.get(pk=measure.pk)


def test_ampel_changes_carry_old_and_new_light_their_date_and_reason():
    concept = ConceptFactory()
    measure = MeasureFactory(concept=concept, code="S1")
    entry(measure, dt.date(2026, 3, 1), light=TrafficLight.GREEN)  # grau → grün
    entry(measure, dt.date(2026, 4, 1), light=TrafficLight.GREEN)  # no change
    measure_set_state(
        measure=current(measure),
        user=None,
        expected_version=current(measure).version,
        status=Status.IN_PROGRESS,
        traffic_light=TrafficLight.RED,
        progress=50,
        reason="Träger ausgefallen",
        today=dt.date(2026, 5, 4),
    )
    rows = changes_since(concept, dt.date(2026, 1, 1)).rows("lights")
    assert [(r.date, r.old_light, r.new_light, r.from_entry) for r in rows] == [
        (dt.date(2026, 5, 4), TrafficLight.GREEN, TrafficLight.RED, True),
        (dt.date(2026, 3, 1), TrafficLight.GREY, TrafficLight.GREEN, True),
    ]
    assert [(c.label, c.old, c.new) for c in rows[0].changes] == [
        ("Ampel", "grün – im Plan", "rot – erheblich abweichend, Handlungsbedarf")
    ]
    # The reason given with the change ("Abweichung / Begründung" of its Sachstand).
    assert rows[0].reason == "Träger ausgefallen"


def test_master_data_changes_name_each_field_and_assignment_in_german():
    concept = ConceptFactory()
    goal = GoalFactory(concept=concept, number=1)
    sub_goal = SubGoalFactory(goal=goal, number=3)
    measure = MeasureFactory(concept=concept, code="S1", goal=goal, title="Sprachkurse")
    jobcenter = OrganisationFactory(concept=concept, name="Jobcenter")
    erika = UserFactory(first_name="Erika", last_name="Muster")
    editor = UserFactory(first_name="Karl", last_name="Koordinator")
    add_member(concept, editor, roles.COORDINATION)
    entry(measure, dt.date(2026, 2, 1))  # a Sachstand is no master-data change
    measure_update(
        measure=current(measure),
        user=editor,
        expected_version=current(measure).version,
        data={
            "title": "Sprachkurse für Eltern",
            "start_date": dt.date(2026, 3, 1),
            "update_cadence": UpdateCadence.QUARTERLY,
            "is_public": False,
        },
        sub_goals=[sub_goal],
        lead_organisations=[jobcenter],
        responsible_users=[erika],
        reason="Beschluss der Steuerungsgruppe",
    )

    rows = changes_since(concept, dt.date(2026, 1, 1)).rows("master")
    assert len(rows) == 1
    row = rows[0]
    assert (row.label, row.title, row.reason, row.person) == (
        "S1",
        "Sprachkurse für Eltern",
        "Beschluss der Steuerungsgruppe",
        "Karl Koordinator",
    )
    assert row.date == timezone.localdate() and not row.from_entry
    assert [(c.label, c.old, c.new) for c in row.changes] == [
        ("Titel", "Sprachkurse", "Sprachkurse für Eltern"),
        ("Beginn", "–", "01.03.2026"),
        ("Aktualisierungsturnus", "halbjährlich", "vierteljährlich"),
        ("öffentlich", "ja", "nein"),
        ("Teilziele", "–", "1.3"),
        ("Akteure", "–", "Jobcenter (Federführung)"),
        ("Verantwortliche", "–", "Erika Muster"),
    ]
    # Neither a status nor an Ampel change.
    assert [c.old_status for c in status_changes(concept, dt.date(2026, 1, 1))] == [
        None,  # created today
        Status.NOT_STARTED,  # with the Sachstand
    ]


def test_master_data_changes_before_the_day_are_not_listed():
    concept = ConceptFactory()
    measure = MeasureFactory(concept=concept, code="S1", title="Alt")
    measure_update(
        measure=current(measure),
        user=None,
        expected_version=current(measure).version,
        data={"title": "Neu"},
    )
    records = Measure.history.filter(id=measure.pk)
    records.filter(history_type="+").update(
        history_date=timezone.make_aware(dt.datetime(2025, 5, 1, 12))
    )
    records.filter(history_type="~").update(
        history_date=timezone.make_aware(dt.datetime(2025, 6, 1, 12))
    )
    assert changes_since(concept, dt.date(2025, 6, 1)).section("master").total == 1
    assert changes_since(concept, dt.date(2025, 6, 2)).section("master").total == 0


def test_a_save_without_a_master_data_change_is_not_listed():
    concept = ConceptFactory()
    measure = MeasureFactory(concept=concept, code="S1", title="Gleich")
    measure_update(
        measure=current(measure),
        user=None,
        expected_version=current(measure).version,
        data={"title": "Gleich"},
    )
    measure = current(measure)
    measure.traffic_light = TrafficLight.YELLOW
    measure.save()
    found = changes_since(concept, dt.date(2025, 1, 1))
    assert found.section("master").total == 0
    assert found.section("lights").total == 1


def test_assignments_not_recorded_are_unknown_not_changed():
    concept = ConceptFactory()
    measure = MeasureFactory(concept=concept, code="S1")
    network = NetworkFactory(concept=concept, name="Netzwerk Sprache")
    measure_update(
        measure=current(measure),
        user=None,
        expected_version=current(measure).version,
        data={},
        networks=[network],
    )
    assert changes_since(concept, dt.date(2025, 1, 1)).section("master").total == 1
    # History loaded in bulk carries no assignments: nothing can be said about them.
    Measure.history.filter(id=measure.pk, history_type="+").update(assignments=None)
    assert changes_since(concept, dt.date(2025, 1, 1)).section("master").total == 0


def test_rows_of_any_number_of_records_take_the_same_queries(django_assert_num_queries):
    def measure_with_changes(concept, n):
        goal = GoalFactory(concept=concept, number=n)
        measure = MeasureFactory(concept=concept, code=f"S{n}", goal=goal)
        measure.traffic_light = TrafficLight.RED
        measure.save()
        measure_update(
            measure=current(measure),
            user=None,
            expected_version=current(measure).version,
            data={"title": f"Titel {n}", "goal": None},
            networks=[NetworkFactory(concept=concept)],
        )
        older = entry(current(measure), dt.date(2026, 1, 1), light=TrafficLight.RED)
        newest = entry(current(measure), dt.date(2026, 2, 1), light=TrafficLight.RED)
        progress_entry_correct(
            entry=newest, user=None, expected_version=newest.version, reason="R", text=f"T{n}"
        )
        progress_entry_withdraw(
            entry=older, user=None, expected_version=older.version, reason="Doppelt"
        )

    counts = []
    for size in (1, 12):
        concept = ConceptFactory()
        for n in range(1, size + 1):
            measure_with_changes(concept, n)
        with CaptureQueriesContext(connection) as captured:
            found = changes_since(concept, dt.date(2025, 1, 1), paged=False)
            for section in found.sections:
                for row in section.rows:
                    _ = [row.measures, row.changes, row.person]
        assert found.section("master").total == size
        assert found.section("lights").total == size
        assert found.section("corrections").total == 2 * size
        counts.append(len(captured))
    assert counts[0] == counts[1]


# --- the file ------------------------------------------------------------------------------


def test_the_file_has_one_line_per_angabe_with_kind_date_and_who():
    concept = ConceptFactory()
    measure = MeasureFactory(concept=concept, code="S1", title="Sprachkurse")
    editor = UserFactory(first_name="Karl", last_name="Koordinator")
    add_member(concept, editor, roles.COORDINATION)
    ProgressEntryFactory(
        measure=measure,
        author=editor,
        date=dt.date(2026, 3, 1),
        status=Status.IN_PROGRESS,
        traffic_light=TrafficLight.YELLOW,
        progress=40,
        text="Zwei Kurse laufen.",
        deviation="Räume fehlen.",
    )
    measure_update(
        measure=current(measure),
        user=editor,
        expected_version=current(measure).version,
        data={"title": "Sprachkurse für Eltern", "target_group": "Eltern"},
        reason="Beschluss",
    )
    headers, lines = csv_table(changes_since(concept, dt.date(2026, 1, 1)))
    assert headers == [
        "Art",
        "Datum",
        "Maßnahme",
        "Titel",
        "Angabe",
        "bisher",
        "neu",
        "Anlass",
        "erfasst von",
        "erfasst am",
    ]
    by_kind = [(line[0], line[2], line[4], line[5], line[6], line[7], line[8]) for line in lines]
    assert by_kind == [
        # created today, then the change the Sachstand of 01.03.2026 made
        ("Statuswechsel", "S1", "Umsetzungsstand", "neu aufgenommen", "nicht begonnen", "", ""),
        (
            "Statuswechsel",
            "S1",
            "Umsetzungsstand",
            "nicht begonnen",
            "in Umsetzung",
            "Räume fehlen.",
            "Karl Koordinator",
        ),
        (
            "Ampelwechsel",
            "S1",
            "Ampel",
            "grau – noch nicht begonnen / nicht bewertbar",
            "gelb – Verzögerung/Risiko",
            "Räume fehlen.",
            "Karl Koordinator",
        ),
        ("Sachstand", "S1", "Stand", "", "in Umsetzung, Ampel gelb, 40 %", "", "Karl Koordinator"),
        ("Sachstand", "S1", "Sachstand", "", "Zwei Kurse laufen.", "", "Karl Koordinator"),
        (
            "Stammdaten",
            "S1",
            "Titel",
            "Sprachkurse",
            "Sprachkurse für Eltern",
            "Beschluss",
            "Karl Koordinator",
        ),
        ("Stammdaten", "S1", "Zielgruppe", "–", "Eltern", "Beschluss", "Karl Koordinator"),
    ]
    assert lines[3][1] == dt.date(2026, 3, 1)


# --- corrected and withdrawn Sachstände ----------------------------------------------------


def corrected_and_withdrawn(concept):
    """S1 with a Sachstand of 01.03.2026 corrected (text, participants, date) and one of 01.04.2026
    withdrawn, both today by Kim Koordination."""
    measure = MeasureFactory(concept=concept, code="S1", title="Sprachkurse")
    editor = add_member(
        concept, UserFactory(first_name="Kim", last_name="Koordination"), roles.COORDINATION
    )
    march = ProgressEntryFactory(
        measure=measure, date=dt.date(2026, 3, 1), text="Zwei Kurse laufen."
    )
    april = entry(measure, dt.date(2026, 4, 1), light=TrafficLight.YELLOW, progress=60)
    progress_entry_correct(
        entry=march,
        user=editor,
        expected_version=march.version,
        reason="Zahlen aus dem Verwendungsnachweis",
        text="Drei Kurse laufen.",
        participants=12,
        date=dt.date(2026, 2, 27),
    )
    progress_entry_withdraw(
        entry=april,
        user=editor,
        expected_version=april.version,
        reason="Doppelt erfasst",
    )
    return measure


def test_corrections_and_withdrawals_are_listed_with_old_new_reason_and_who():
    concept = ConceptFactory()
    corrected_and_withdrawn(concept)
    rows = changes_since(concept, timezone.localdate()).rows("corrections")
    assert [(r.measures[0].label, r.entry_date, r.withdrawn, r.reason, r.person) for r in rows] == [
        (("S1", dt.date(2026, 4, 1), True, "Doppelt erfasst", "Kim Koordination")),
        (
            "S1",
            dt.date(2026, 2, 27),
            False,
            "Zahlen aus dem Verwendungsnachweis",
            "Kim Koordination",
        ),
    ]
    withdrawal, correction = rows
    assert [(c.label, c.old, c.new) for c in withdrawal.changes] == [
        ("Sachstand", "in Umsetzung, Ampel gelb, 60 %", "zurückgezogen")
    ]
    assert [(c.label, c.old, c.new) for c in correction.changes] == [
        ("Sachstand", "Zwei Kurse laufen.", "Drei Kurse laufen."),
        ("Teilnehmende", "–", "12"),
        ("Datum", "01.03.2026", "27.02.2026"),
    ]
    assert correction.date == timezone.localdate()
    assert correction.measures[0].title == "Sprachkurse"


def test_corrections_before_the_day_are_not_listed():
    concept = ConceptFactory()
    corrected_and_withdrawn(concept)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert changes_since(concept, tomorrow).section("corrections").total == 0
    assert changes_since(concept, timezone.localdate()).section("corrections").total == 2


def test_another_concepts_corrections_are_not_listed():
    concept = ConceptFactory()
    corrected_and_withdrawn(ConceptFactory())
    found = changes_since(concept, dt.date(2026, 1, 1)).section("corrections")
    assert found.total == 0
    assert found.count_label == "Sachstandskorrekturen"


def test_a_correction_whose_earlier_records_were_pruned_says_so():
    concept = ConceptFactory()
    measure = MeasureFactory(concept=concept, code="S1")
    sachstand = entry(measure, dt.date(2026, 3, 1))
    progress_entry_correct(
        entry=sachstand,
        user=None,
        expected_version=sachstand.version,
        reason="Tippfehler",
        text="x",
    )
    # As simple-history's clean_old_history leaves it: the records before it are gone.
    ProgressEntry.history.filter(id=sachstand.pk, history_change_reason__isnull=True).delete()
    [row] = changes_since(concept, dt.date(2026, 1, 1)).rows("corrections")
    assert [(c.label, c.old, c.new) for c in row.changes] == [
        ("Angaben", "vorher nicht erfasst", "korrigiert")
    ]
    assert row.reason == "Tippfehler"


def test_the_file_lists_each_corrected_angabe_and_the_withdrawal():
    concept = ConceptFactory()
    corrected_and_withdrawn(concept)
    _headers, lines = csv_table(changes_since(concept, timezone.localdate()))
    corrections = [
        (line[2], line[3], line[4], line[5], line[6], line[7], line[8])
        for line in lines
        if line[0] == "Korrektur"
    ]
    reason = "Zahlen aus dem Verwendungsnachweis"
    assert corrections == [
        (
            "S1",
            "Sprachkurse",
            "Sachstand",
            "in Umsetzung, Ampel gelb, 60 %",
            "zurückgezogen",
            "Doppelt erfasst",
            "Kim Koordination",
        ),
        (
            "S1",
            "Sprachkurse",
            "Sachstand",
            "Zwei Kurse laufen.",
            "Drei Kurse laufen.",
            reason,
            "Kim Koordination",
        ),
        ("S1", "Sprachkurse", "Teilnehmende", "–", "12", reason, "Kim Koordination"),
        ("S1", "Sprachkurse", "Datum", "01.03.2026", "27.02.2026", reason, "Kim Koordination"),
    ]

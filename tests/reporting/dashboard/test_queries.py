import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from goals.models import Indicator
from measures.models import (
    Measure,
    ProgressEntry,
    Status,
    TrafficLight,
    UpdateCadence,
    add_months,
)
from measures.services import measure_set_state, measure_update, progress_entry_create
from reporting.dashboard import queries
from tests.factories import (
    AnnualReportFactory,
    CommitteeFactory,
    ConceptFactory,
    DecisionFactory,
    GoalFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    MeasureFactory,
    MeetingFactory,
    ProgressEntryFactory,
    SubGoalFactory,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 30)


def entry(measure, date, status=Status.IN_PROGRESS, light=TrafficLight.GREEN, progress=50):
    return ProgressEntryFactory(
        measure=measure, date=date, status=status, traffic_light=light, progress=progress
    )


def overdue_codes(concept, today=TODAY):
    return set(
        Measure.objects.filter(concept=concept).overdue(today).values_list("code", flat=True)
    )


def test_overdue_follows_each_measures_update_cadence():
    concept = ConceptFactory()
    goal = GoalFactory(concept=concept)
    fresh = MeasureFactory(concept=concept, goal=goal, code="FRISCH", status=Status.IN_PROGRESS)
    entry(fresh, TODAY - dt.timedelta(days=100))  # half-yearly: due six months later
    stale = MeasureFactory(concept=concept, goal=goal, code="ALT", status=Status.IN_PROGRESS)
    entry(stale, TODAY - dt.timedelta(days=200))
    monthly = MeasureFactory(
        concept=concept,
        goal=goal,
        code="MONAT",
        status=Status.IN_PROGRESS,
        update_cadence=UpdateCadence.MONTHLY,
    )
    entry(monthly, TODAY - dt.timedelta(days=40))
    # Never a Sachstand since it started 300 days ago: overdue. Started last month: not yet.
    MeasureFactory(concept=concept, goal=goal, code="NIE", start_date=TODAY - dt.timedelta(300))
    MeasureFactory(concept=concept, goal=goal, code="NEU", start_date=TODAY - dt.timedelta(30))
    # Entered long ago (not today, as the factory would have it).
    Measure.objects.filter(code__in=["NIE", "NEU"]).update(
        created_at=timezone.make_aware(dt.datetime(2024, 1, 1))
    )
    done = MeasureFactory(concept=concept, goal=goal, code="FERTIG", status=Status.IMPLEMENTED)
    entry(done, TODAY - dt.timedelta(days=900), status=Status.IMPLEMENTED, progress=100)
    dropped = MeasureFactory(
        concept=concept, goal=goal, code="WEG", status=Status.DROPPED, status_reason="Kein Träger"
    )

    assert overdue_codes(concept) == {"ALT", "MONAT", "NIE"}
    # The same rule for one measure, as the tables show it.
    annotated = {m.code: m for m in Measure.objects.filter(concept=concept).with_last_entry()}
    assert annotated["ALT"].is_overdue(annotated["ALT"].last_entry_date, TODAY)
    assert not annotated["FRISCH"].is_overdue(annotated["FRISCH"].last_entry_date, TODAY)
    assert not annotated["FERTIG"].is_overdue(annotated["FERTIG"].last_entry_date, TODAY)
    fresh_due = add_months(TODAY - dt.timedelta(days=100), 6)
    assert annotated["FRISCH"].next_update_due(annotated["FRISCH"].last_entry_date) == fresh_due
    # Without a Sachstand the cadence counts from the start.
    assert annotated["NIE"].next_update_due(None) == add_months(TODAY - dt.timedelta(300), 6)
    assert not annotated["NEU"].is_overdue(None, TODAY)
    assert dropped.code not in overdue_codes(concept)
    # Exactly on the due day it is not yet overdue.
    assert "FRISCH" not in overdue_codes(concept, fresh_due)
    assert "FRISCH" in overdue_codes(concept, fresh_due + dt.timedelta(days=1))


def test_only_the_newest_entry_counts_for_overdue():
    concept = ConceptFactory()
    measure = MeasureFactory(concept=concept, code="X", status=Status.IN_PROGRESS)
    entry(measure, TODAY - dt.timedelta(days=400))
    entry(measure, TODAY - dt.timedelta(days=10))
    assert overdue_codes(concept) == set()


def test_progress_average_leaves_out_deferred_and_dropped_and_counts_missing_as_zero():
    concept = ConceptFactory()
    goal = GoalFactory(concept=concept)
    a = MeasureFactory(concept=concept, goal=goal, status=Status.IN_PROGRESS, progress=60)
    entry(a, TODAY, progress=60)
    b = MeasureFactory(concept=concept, goal=goal, status=Status.ESTABLISHED, progress=100)
    entry(b, TODAY, status=Status.ESTABLISHED, progress=100)
    # Progress recorded without any Sachstand does not count: no Sachstand = 0 %.
    MeasureFactory(concept=concept, goal=goal, status=Status.PREPARING, progress=30)
    MeasureFactory(concept=concept, goal=goal, status=Status.DEFERRED, progress=90)
    MeasureFactory(
        concept=concept, goal=goal, status=Status.DROPPED, status_reason="x", progress=10
    )
    MeasureFactory(concept=concept, goal=None, status=Status.IN_PROGRESS, progress=20)

    tallies = queries.goal_tallies(concept, TODAY)
    progress = tallies[goal.pk].progress
    assert progress.total == 5
    assert progress.counted == 3
    assert progress.average == Decimal("53")  # (60 + 100 + 0) / 3
    assert progress.without_entry == 1
    assert progress.excluded == [("deferred", "zurückgestellt", 1), ("dropped", "entfallen", 1)]
    assert tallies[None].total == 1  # coordination measures without a goal


def test_progress_average_rounds_half_up():
    concept = ConceptFactory()
    goal = GoalFactory(concept=concept)
    for progress in (80, 85):  # 82.5: banker's rounding would give 82
        measure = MeasureFactory(concept=concept, goal=goal, status=Status.IN_PROGRESS)
        entry(measure, TODAY, progress=progress)
    assert queries.goal_tallies(concept, TODAY)[goal.pk].progress.average == Decimal("83")
    page = queries.goal_page(goal, today=TODAY)
    assert page.tally.progress.average == Decimal("83")


def test_dashboard_counts_and_attention_list():
    concept = ConceptFactory()
    goal = GoalFactory(concept=concept, number=1)
    red = MeasureFactory(concept=concept, goal=goal, code="ROT", traffic_light=TrafficLight.RED)
    entry(red, TODAY, light=TrafficLight.RED)
    yellow = MeasureFactory(concept=concept, goal=goal, code="GELB")
    entry(yellow, TODAY, light=TrafficLight.YELLOW)
    late = MeasureFactory(concept=concept, goal=goal, code="SPAET", status=Status.IN_PROGRESS)
    entry(late, TODAY - dt.timedelta(days=400))
    fine = MeasureFactory(concept=concept, goal=goal, code="GUT", status=Status.IN_PROGRESS)
    entry(fine, TODAY - dt.timedelta(days=5))

    data = queries.dashboard(concept, today=TODAY)
    assert data.overall.total == 4
    assert data.overall.red == 1 and data.overall.yellow == 1
    assert data.overall.overdue == 1
    assert [m.code for m in data.attention] == ["ROT", "GELB", "SPAET"]
    assert data.attention_total == 3
    assert data.attention[2].overdue
    assert data.goal_count == 1


def test_attention_list_is_cut_but_counts_all():
    concept = ConceptFactory()
    goal = GoalFactory(concept=concept)
    for i in range(queries.ATTENTION_LIMIT + 3):
        MeasureFactory(concept=concept, goal=goal, traffic_light=TrafficLight.RED, code=f"R{i}")
    # No Sachstand since it started a year ago: overdue.
    late = MeasureFactory(
        concept=concept, goal=goal, code="SPAET", start_date=TODAY - dt.timedelta(365)
    )
    Measure.objects.filter(pk=late.pk).update(
        created_at=timezone.make_aware(dt.datetime(2024, 1, 1))
    )
    data = queries.dashboard(concept, today=TODAY)
    assert len(data.attention) == queries.ATTENTION_LIMIT
    assert data.attention_total == queries.ATTENTION_LIMIT + 4  # red and overdue count once
    assert late.code not in [m.code for m in data.attention]  # red ones come first


def make_indicator(concept, sub_goal, values, **fields):
    indicator = IndicatorFactory(
        concept=concept, sub_goal=sub_goal, name=fields.pop("name", "Quote"), unit="%", **fields
    )
    for year, value in values:
        IndicatorValueFactory(
            indicator=indicator, reference_date=dt.date(year, 12, 31), value=Decimal(value)
        )
    # A breakdown value never becomes the tile's latest total, though it is the newest value.
    IndicatorValueFactory(
        indicator=indicator,
        reference_date=dt.date(2026, 6, 30),
        value=Decimal(99),
        breakdown="weiblich",
    )
    return indicator


def test_indicator_tile_trend_judgement_and_distance_to_target():
    concept = ConceptFactory()
    sub_goal = SubGoalFactory(goal=GoalFactory(concept=concept))
    make_indicator(
        concept,
        sub_goal,
        [(2023, "14.5"), (2024, "13.0"), (2025, "12.25")],
        name="Ohne Abschluss",
        direction=Indicator.Direction.LOWER,
        baseline_value=Decimal("14.5"),
        baseline_year=2023,
        target_value=Decimal("10"),
        target_year=2027,
    )
    tiles, total = queries.indicator_tiles(concept)
    assert total == 1
    tile = tiles[0]
    assert tile.latest.value == Decimal("12.25")
    assert tile.trend == "down"
    assert tile.change == Decimal("-0.75")
    assert tile.judgement == "better"  # lower is better
    assert tile.attainment == Decimal("50")  # 14.5 → 12.25 of 14.5 → 10


def test_attainment_rounds_half_up():
    concept = ConceptFactory()
    sub_goal = SubGoalFactory(goal=GoalFactory(concept=concept))
    make_indicator(
        concept,
        sub_goal,
        [(2025, "16.5")],
        baseline_value=Decimal("0"),
        target_value=Decimal("20"),
    )
    (tile,), _total = queries.indicator_tiles(concept)
    assert tile.attainment == Decimal("83")  # 82.5 %


@pytest.mark.parametrize(
    ("unit", "shown", "change"),
    [
        ("%", "%", "+1,1 Prozentpunkte"),
        ("Prozent", "%", "+1,1 Prozentpunkte"),
        ("Anzahl", "", "+1,1"),
        ("Personen", "Personen", "+1,1 Personen"),
    ],
)
def test_indicator_tile_units(unit, shown, change):
    concept = ConceptFactory()
    sub_goal = SubGoalFactory(goal=GoalFactory(concept=concept))
    indicator = make_indicator(concept, sub_goal, [(2024, "18"), (2025, "19.1")])
    Indicator.objects.filter(pk=indicator.pk).update(unit=unit)
    (tile,), _total = queries.indicator_tiles(concept)
    assert tile.unit == shown
    assert tile.change_text == change


def test_a_change_of_one_percentage_point_is_singular():
    concept = ConceptFactory()
    sub_goal = SubGoalFactory(goal=GoalFactory(concept=concept))
    make_indicator(concept, sub_goal, [(2024, "18"), (2025, "17")])
    (tile,), _total = queries.indicator_tiles(concept)
    assert tile.change_text == "-1 Prozentpunkt"


def test_default_since_is_the_last_final_reports_cut_off_or_a_year_back():
    concept = ConceptFactory()
    assert queries.default_since(concept, dt.date(2026, 3, 1)) == dt.date(2025, 3, 1)
    assert queries.default_since(concept, dt.date(2028, 2, 29)) == dt.date(2027, 2, 28)
    AnnualReportFactory(concept=concept, year=2025, final=True)
    AnnualReportFactory(concept=concept, year=2026)  # a draft does not count
    # The day after the report's data cut-off (31.12.2025), not the day it went final.
    assert queries.default_since(concept, dt.date(2026, 6, 1)) == dt.date(2026, 1, 1)


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

    changes = queries.status_changes(concept, timezone.localdate())
    assert [(c.label, c.old_status, c.new_status) for c in changes] == [
        ("S1", Status.NOT_STARTED, Status.IN_PROGRESS),
        ("S1", None, Status.NOT_STARTED),
    ]
    assert changes[0].old_label == "nicht begonnen" and changes[0].new_label == "in Umsetzung"
    assert changes[0].reason == "Beschluss: schneller umsetzen"
    assert queries.status_changes(concept, timezone.localdate() + dt.timedelta(days=1)) == []


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

    changes = queries.changes_since(concept, dt.date(2026, 1, 1))
    assert [e.date for e in changes.entries] == [dt.date(2026, 3, 1)]
    assert [d.text for d in changes.decisions] == ["Neu"]
    assert changes.entries.paginator.count == 1


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

    entries = queries.changes_since(concept, report_final).entries
    assert [(e.pk, e.entered_late) for e in entries] == [(current.pk, False), (late.pk, True)]


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
    changes = queries.status_changes(concept, dt.date(2024, 1, 1))
    assert [(c.date, c.old_status, c.new_status, c.from_entry) for c in changes] == [
        (timezone.localdate(), None, Status.NOT_STARTED, False),  # created today
        (dt.date(2025, 2, 1), Status.PREPARING, Status.IN_PROGRESS, True),
        (dt.date(2024, 3, 15), Status.NOT_STARTED, Status.PREPARING, True),
    ]
    assert changes[0].created and not changes[0].recorded_later
    assert changes[1].recorded_later
    # Dated by the Sachstand, not by the day it was typed in; typed in since the date, each is
    # news all the same (and marked as recorded later).
    since_2025 = queries.status_changes(concept, dt.date(2025, 1, 1))
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
    assert [c.date for c in queries.status_changes(concept, dt.date(2025, 1, 1))] == [
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

    changes = queries.status_changes(concept, dt.date(2024, 1, 1))
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

    sql = str(queries.status_change_records(concept, since).query)
    table = '"measures_historicalmeasure"'
    assert f'{table}."entry_date" >=' in sql and f'{table}."history_date" >=' in sql
    assert "progressentry" not in sql  # no subquery matching Sachstände
    with django_assert_num_queries(1):
        changes = queries.status_changes(concept, since)
    assert [(c.old_status, c.new_status, c.from_entry) for c in changes] == [
        (Status.PREPARING, Status.IMPLEMENTED, True)
    ]
    assert len(queries.status_changes(concept, dt.date(2019, 1, 1))) == 1 + 120 + 1


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
    assert queries.status_changes(concept, TODAY - dt.timedelta(days=365)) == []


def test_changes_come_in_pages():
    concept = ConceptFactory()
    measure = MeasureFactory(concept=concept)
    for day in range(1, 6):
        entry(measure, dt.date(2026, 3, day))
    first = queries.changes_since(concept, dt.date(2026, 1, 1), per_page=2)
    assert [e.date.day for e in first.entries] == [5, 4]
    assert first.entries.paginator.count == 5
    last = queries.changes_since(concept, dt.date(2026, 1, 1), pages={"entries": 3}, per_page=2)
    assert [e.date.day for e in last.entries] == [1]
    assert not last.entries.has_next()

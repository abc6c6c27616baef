import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from goals.models import Indicator
from measures.models import Measure, Status, TrafficLight, UpdateCadence, add_months
from reporting.dashboard import queries
from tests.factories import (
    ConceptFactory,
    GoalFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    MeasureFactory,
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

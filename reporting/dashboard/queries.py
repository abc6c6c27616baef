"""Aggregate reads for the dashboards: concept overview, goal page, mind map (what changed
since a day: reporting.dashboard.changes).

Every function runs a fixed number of queries, whatever the size of the concept; rows that
can grow (lists of measures, Sachstände) are either aggregated in SQL or cut to a limit.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext

from concept import formatting
from concept.models import Concept
from goals import series as time_series
from goals.models import Indicator, IndicatorValue, StrategicGoal, SubGoal, goal_label
from measures.filters import WITHOUT_GOAL
from measures.models import (
    ATTENTION_LIGHTS,
    COMPLETE,
    Decision,
    Measure,
    ProgressEntry,
    Status,
    TrafficLight,
)
from measures.queries import decisions_with_measures, open_follow_ups
from reporting.dashboard.structure import situation_figures

# Left out of the average progress: their percentage says nothing about implementation.
EXCLUDED_FROM_PROGRESS = (Status.DEFERRED, Status.DROPPED)

ATTENTION_LIMIT = 15
INDICATOR_TILE_LIMIT = 6
RECENT_ENTRIES = 6
RECENT_DECISIONS = 5
CHANGES_PAGE_SIZE = 50


# --- tallies per goal ---------------------------------------------------------------------


@dataclass
class ProgressAggregate:
    """Average progress, with what went into it so the number can be explained."""

    average: Decimal | None
    counted: int
    total: int
    excluded: list  # [(status value, label, count)] of statuses left out
    without_entry: int  # counted measures without any Sachstand (count as 0 %)

    @property
    def excluded_count(self):
        return sum(n for _value, _label, n in self.excluded)


@dataclass
class Tally:
    """Counts of a group of measures (one goal, or the whole concept)."""

    status_counts: Counter = field(default_factory=Counter)
    light_counts: Counter = field(default_factory=Counter)
    progress_sum: int = 0
    counted: int = 0
    without_entry: int = 0
    overdue: int = 0
    overdue_calm: int = 0  # overdue with a green or grey Ampel

    def add(self, *, status, light, progress, has_entry, count=1, overdue=0):
        self.status_counts[status] += count
        self.light_counts[light] += count
        self.overdue += overdue
        if status not in EXCLUDED_FROM_PROGRESS:
            self.counted += count
            if has_entry:
                self.progress_sum += progress
            else:
                self.without_entry += count

    def merge(self, other):
        self.status_counts.update(other.status_counts)
        self.light_counts.update(other.light_counts)
        self.progress_sum += other.progress_sum
        self.counted += other.counted
        self.without_entry += other.without_entry
        self.overdue += other.overdue
        self.overdue_calm += other.overdue_calm

    @property
    def total(self):
        return sum(self.status_counts.values())

    @property
    def progress(self) -> ProgressAggregate:
        average = (
            formatting.round_half_up(Decimal(self.progress_sum) / self.counted)
            if self.counted
            else None
        )
        excluded = [
            (s.value, s.label, self.status_counts[s])
            for s in EXCLUDED_FROM_PROGRESS
            if self.status_counts[s]
        ]
        return ProgressAggregate(average, self.counted, self.total, excluded, self.without_entry)

    @property
    def statuses(self):
        """[(value, label, count)] in the order of the Umsetzungsstand."""
        return [(s.value, s.label, self.status_counts[s.value]) for s in Status]

    @property
    def lights(self):
        return [(t.value, t.label, self.light_counts[t.value]) for t in TrafficLight]

    @property
    def red(self):
        return self.light_counts[TrafficLight.RED]

    @property
    def yellow(self):
        return self.light_counts[TrafficLight.YELLOW]

    @property
    def attention(self):
        """Measures with a red or yellow Ampel or an overdue Sachstand (each counted once)."""
        return self.red + self.yellow + self.overdue_calm

    @property
    def done(self):
        return sum(self.status_counts[status] for status in COMPLETE)


@dataclass
class GoalSummary:
    goal: StrategicGoal | None  # None: the measures of "Koordination und Netzwerke"
    tally: Tally

    @property
    def goal_filter(self):
        """The value of the measure list's goal filter (?ziel=) for this group."""
        return WITHOUT_GOAL if self.goal is None else str(self.goal.number)

    @property
    def label(self):
        if self.goal is None:
            return gettext("Koordination und Netzwerke")
        return goal_label(self.goal.number, self.goal.short_title)


def goal_tallies(concept: Concept, today: dt.date):
    """{goal_id or None: Tally} for all measures of the concept: two grouped queries."""
    has_entry = Exists(ProgressEntry.objects.filter(measure=OuterRef("pk")))
    measures = Measure.objects.filter(concept=concept)
    tallies = defaultdict(Tally)
    grouped = (
        measures.annotate(has_entry=has_entry)
        .values("goal_id", "status", "traffic_light", "has_entry")
        .annotate(n=Count("pk"), progress_sum=Sum("progress"))
        .order_by()
    )
    for row in grouped:
        tallies[row["goal_id"]].add(
            status=row["status"],
            light=row["traffic_light"],
            progress=row["progress_sum"] or 0,
            has_entry=row["has_entry"],
            count=row["n"],
        )
    late = (
        measures.overdue(today)
        .values("goal_id")
        .annotate(n=Count("pk"), calm=Count("pk", filter=~Q(traffic_light__in=ATTENTION_LIGHTS)))
        .order_by()
    )
    for row in late:
        tallies[row["goal_id"]].overdue += row["n"]
        tallies[row["goal_id"]].overdue_calm += row["calm"]
    return tallies


# --- dashboard ----------------------------------------------------------------------------


@dataclass
class IndicatorTile:
    indicator: Indicator
    values: list  # IndicatorValue totals (no breakdown), oldest first

    @property
    def unit(self):
        """The unit as written after a value (Indicator.display_unit)."""
        return self.indicator.display_unit

    @property
    def latest(self):
        return self.values[-1] if self.values else None

    @property
    def previous(self):
        return self.values[-2] if len(self.values) > 1 else None

    @property
    def trend(self):
        """ "up", "down" or "flat" against the previous value; None without one."""
        if self.previous is None:
            return None
        change = self.latest.value - self.previous.value
        return "up" if change > 0 else "down" if change < 0 else "flat"

    @property
    def change(self):
        if self.previous is None:
            return None
        return self.latest.value - self.previous.value

    @property
    def judgement(self):
        """ "better"/"worse"/"same" in the indicator's direction; None when it has none."""
        direction = self.indicator.direction
        if self.trend is None or direction == Indicator.Direction.NEUTRAL:
            return None
        if self.trend == "flat":
            return "same"
        good = "up" if direction == Indicator.Direction.HIGHER else "down"
        return "better" if self.trend == good else "worse"

    @cached_property
    def series(self):
        """The time series with its change, breaks and source line (goals.series)."""
        return time_series.series(self.indicator, self.values)

    @property
    def change_text(self):
        """The change against the previous value: "+1,1 Prozentpunkte", "-3 Personen"."""
        return None if self.change is None else self.indicator.format_change(self.change)

    @property
    def attainment(self):
        """Zielerreichung of the latest value (Indicator.attainment)."""
        return self.indicator.attainment(self.latest.value if self.latest else None)


def _indicator_values():
    # The totals with the reading and source they came from (the tile's source line).
    return time_series.prefetch_series(to_attr="totals")


def indicator_tiles(concept: Concept, limit: int = INDICATOR_TILE_LIMIT):
    """The first `limit` Teilziel indicators (in goal order) and how many there are."""
    indicators = (
        Indicator.objects.filter(concept=concept, sub_goal__isnull=False)
        .select_related("sub_goal__goal")
        .order_by("sub_goal__goal__number", "sub_goal__number", "position", "name")
    )
    total = indicators.count()
    shown = list(indicators.prefetch_related(_indicator_values())[:limit])
    return [IndicatorTile(i, i.totals) for i in shown], total


def situation(concept: Concept):
    """The Ausgangslage figures (context indicators of the concept), as on the concept page."""
    context_indicators = (
        Indicator.objects.filter(concept=concept, sub_goal__isnull=True)
        .order_by("position", "name")
        .prefetch_related(
            Prefetch(
                "values", queryset=IndicatorValue.objects.order_by("reference_date", "position")
            )
        )
    )
    return situation_figures(context_indicators)


def attention_measures(concept: Concept, today: dt.date, limit: int = ATTENTION_LIMIT):
    """The first `limit` measures that need attention: red or yellow Ampel, or an overdue
    Sachstand; red first, then yellow, then the longest overdue. (Their number is
    Tally.attention.)"""
    queryset = Measure.objects.filter(concept=concept).needs_attention(today)
    rank = Case(
        *(When(traffic_light=light, then=Value(i)) for i, light in enumerate(ATTENTION_LIGHTS)),
        default=Value(len(ATTENTION_LIGHTS)),
        output_field=IntegerField(),
    )
    measures = list(
        queryset.select_related("goal")
        .annotate(rank=rank)
        .order_by("rank", F("last_entry_date").asc(nulls_first=True), "position", "number")[:limit]
    )
    for measure in measures:
        measure.overdue = measure.is_overdue(measure.last_entry_date, today)
        measure.update_due = measure.next_update_due(measure.last_entry_date)
    return measures


def recent_entries(concept: Concept, limit: int = RECENT_ENTRIES):
    return list(
        ProgressEntry.objects.filter(measure__concept=concept)
        .select_related("measure", "author", "decision__meeting__network")
        .order_by("-date", "-created_at", "-pk")[:limit]
    )


def recent_decisions(concept: Concept, limit: int = RECENT_DECISIONS):
    return list(
        decisions_with_measures(
            Decision.objects.filter(meeting__network__concept=concept)
        ).order_by("-meeting__date", "-pk")[:limit]
    )


@dataclass
class Dashboard:
    concept: Concept
    today: dt.date
    overall: Tally
    goals: list  # [GoalSummary], goals in order, then coordination if it has measures
    attention: list
    attention_total: int
    indicators: list
    indicator_total: int
    entries: list
    decisions: list
    follow_ups_open: int
    follow_ups_overdue: int
    situation: list

    @property
    def goal_count(self):
        return sum(1 for summary in self.goals if summary.goal is not None)


def dashboard(concept: Concept, today: dt.date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    tallies = goal_tallies(concept, today)
    goals = list(StrategicGoal.objects.filter(concept=concept).order_by("number"))
    summaries = [GoalSummary(goal, tallies.get(goal.pk, Tally())) for goal in goals]
    if tallies.get(None):
        summaries.append(GoalSummary(None, tallies[None]))
    overall = Tally()
    for summary in summaries:
        overall.merge(summary.tally)
    attention = attention_measures(concept, today)
    tiles, tile_total = indicator_tiles(concept)
    follow_ups = open_follow_ups(concept).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(follow_up_date__lt=today))
    )
    return Dashboard(
        concept=concept,
        today=today,
        overall=overall,
        goals=summaries,
        attention=attention,
        attention_total=overall.attention,
        indicators=tiles,
        indicator_total=tile_total,
        entries=recent_entries(concept),
        decisions=recent_decisions(concept),
        follow_ups_open=follow_ups["open"],
        follow_ups_overdue=follow_ups["overdue"],
        situation=situation(concept),
    )


# --- goal page ----------------------------------------------------------------------------


@dataclass
class GoalPage:
    goal: StrategicGoal
    sub_goals: list  # SubGoal with .indicator_list (each with .totals)
    measures: list  # Measure with last_entry_date, overdue, update_due, sub_goal_list
    tally: Tally
    today: dt.date


def goal_page(goal: StrategicGoal, today: dt.date | None = None) -> GoalPage:
    today = today or timezone.localdate()
    sub_goals = list(
        SubGoal.objects.filter(goal=goal)
        .select_related("goal")
        .order_by("number")
        .prefetch_related(
            Prefetch(
                "indicators",
                queryset=Indicator.objects.order_by("position", "name").prefetch_related(
                    _indicator_values()
                ),
                to_attr="indicator_list",
            )
        )
    )
    measures = list(
        Measure.objects.filter(goal=goal)
        .with_last_entry()
        .annotate(has_entry=Exists(ProgressEntry.objects.filter(measure=OuterRef("pk"))))
        .prefetch_related(
            Prefetch(
                "sub_goals",
                queryset=SubGoal.objects.select_related("goal").order_by("goal__number", "number"),
                to_attr="served",
            )
        )
        .order_by("position", "number")
    )
    tally = Tally()
    for measure in measures:
        measure.overdue = measure.is_overdue(measure.last_entry_date, today)
        measure.update_due = measure.next_update_due(measure.last_entry_date)
        tally.add(
            status=measure.status,
            light=measure.traffic_light,
            progress=measure.progress,
            has_entry=measure.has_entry,
            overdue=int(measure.overdue),
        )
    return GoalPage(goal, sub_goals, measures, tally, today)


# --- mind map -----------------------------------------------------------------------------


@dataclass
class MindMap:
    concept: Concept
    goals: list  # StrategicGoal with .sub_goal_list, .measure_list and .tally
    coordination: list  # measures without goal
    coordination_tally: Tally


def _tally_of(measures, today):
    """The Tally of measures annotated with last_entry_date, counted in Python."""
    tally = Tally()
    for measure in measures:
        tally.add(
            status=measure.status,
            light=measure.traffic_light,
            progress=measure.progress,
            has_entry=measure.last_entry_date is not None,
            overdue=int(measure.is_overdue(measure.last_entry_date, today)),
        )
    return tally


def mind_map(concept: Concept, today: dt.date | None = None) -> MindMap:
    """Goals with Teilziele and measures, each goal with the summary of its measures (Ampel,
    status, overdue): counted from the measures already loaded, no query more."""
    today = today or timezone.localdate()
    measure_order = Measure.objects.with_last_entry().order_by("position", "number")
    goals = list(
        StrategicGoal.objects.filter(concept=concept)
        .order_by("number")
        .prefetch_related(
            Prefetch(
                "sub_goals", queryset=SubGoal.objects.order_by("number"), to_attr="sub_goal_list"
            ),
            Prefetch("measures", queryset=measure_order, to_attr="measure_list"),
        )
    )
    for goal in goals:
        goal.tally = _tally_of(goal.measure_list, today)
    coordination = list(measure_order.filter(concept=concept, goal__isnull=True))
    return MindMap(concept, goals, coordination, _tally_of(coordination, today))

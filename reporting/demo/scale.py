"""A synthetic concept N times the size of LK Vechta, for benchmarks and bounded-query tests."""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from concept import roles
from concept.models import Concept, Statement
from goals.models import Indicator, IndicatorValue, StrategicGoal, SubGoal
from measures.models import Measure, ProgressEntry, Status, TrafficLight, add_months
from networks.models import Network, Organisation

# The volume of LK Vechta at scale 1.
GOALS = 7
SUB_GOALS = 28
MEASURES = 37
ENTRIES_PER_MEASURE = 4
ORGANISATIONS = 12
NETWORKS = 11
INDICATORS_PER_SUB_GOAL = 1
# Indicator values for the last YEARS full years; Sachstände every six months up to a few
# weeks before the day the data is generated, except for every STALE-th measure, whose last
# is older than its half-yearly cadence allows (overdue).
YEARS = 7
STALE = 9


@transaction.atomic
def generate(*, scale: int, seed: int = 1, today: dt.date | None = None) -> Concept:
    """Replace the concept "demo-skala-N" by a new one of N times LK Vechta's volume, dated
    relative to `today` (default: the day it runs)."""
    today = today or timezone.localdate()
    rng = random.Random(seed)
    concept = _fresh_concept(scale)
    _add_statements(concept)
    goals, sub_goals = _add_goals(concept, scale)
    _add_networks(concept, scale)
    measures = _add_measures(concept, scale, goals, rng)
    _add_entries(measures, rng, today)
    _add_indicators(concept, sub_goals, rng, today)
    _link_sub_goals(measures, sub_goals, rng)
    return concept


def _fresh_concept(scale):
    slug = f"demo-skala-{scale}"
    old = Concept.objects.filter(slug=slug).first()
    if old is not None:
        Measure.objects.filter(concept=old).delete()  # measures protect their goals
        old.delete()
    concept = Concept.objects.create(
        slug=slug,
        title=f"Demo-Integrationskonzept Skala {scale}",
        district=f"Demo-Landkreis {scale}",
        status=Concept.Status.ADOPTED,
    )
    concept.members.set(
        get_user_model().objects.filter(is_superuser=True),
        through_defaults={"role": roles.ADMINISTRATION},
    )
    return concept


def _add_statements(concept):
    Statement.objects.bulk_create(
        Statement(
            concept=concept,
            section=section,
            number=number,
            text=f"Demo-Aussage {number}",
            position=i,
        )
        for i, (section, number) in enumerate(
            [(Statement.Section.SITUATION, f"1.{n}") for n in range(1, 4)]
            + [(Statement.Section.EVALUATION, f"5.{n}") for n in range(1, 5)]
        )
    )


def _add_goals(concept, scale):
    goals = StrategicGoal.objects.bulk_create(
        StrategicGoal(
            concept=concept,
            number=n,
            title=f"Demo-Ziel {n}",
            short_title=f"Ziel {n}",
            aim=f"Zielaussage {n}.",
        )
        for n in range(1, GOALS + 1)
    )
    sub_goals = SubGoal.objects.bulk_create(
        SubGoal(goal=goals[i % GOALS], number=i // GOALS + 1, text=f"Demo-Teilziel {i + 1}")
        for i in range(SUB_GOALS * scale)
    )
    return goals, sub_goals


def _add_networks(concept, scale):
    organisations = Organisation.objects.bulk_create(
        Organisation(concept=concept, name=f"Demo-Akteur {i + 1}", is_public=True)
        for i in range(ORGANISATIONS * scale)
    )
    Network.objects.bulk_create(
        Network(
            concept=concept,
            name=f"Demo-Netzwerk {i + 1}",
            position=i,
            coordinator=organisations[i % len(organisations)],
        )
        for i in range(NETWORKS * scale)
    )


def _add_measures(concept, scale, goals, rng):
    statuses, lights = Status.values, TrafficLight.values
    implied_progress = {Status.NOT_STARTED: 0, Status.IMPLEMENTED: 100, Status.ESTABLISHED: 100}
    states = [
        (rng.choice(statuses[:5]), rng.choice(lights), rng.randint(0, 100))
        for _ in range(MEASURES * scale)
    ]
    return Measure.objects.bulk_create(
        Measure(
            concept=concept,
            code=f"D{i + 1}",
            # Every eighth measure has no goal: it stands in section 3 (Koordination und
            # Netzwerke, numbered after the coordination statements), like N1–N5.
            number=f"4.{i % GOALS + 1}.{i // GOALS + 1}" if i % 8 else f"3.{i // 8 + 1}",
            title=f"Demo-Maßnahme {i + 1}",
            goal=goals[i % GOALS] if i % 8 else None,
            status=status,
            traffic_light=light,
            # Umsetzungsstand and Fortschritt agree (measures.models.state_errors).
            progress=implied_progress.get(status, progress),
            position=i,
        )
        for i, (status, light, progress) in enumerate(states)
    )


def _entry_date(i, k, rng, today):
    """The k-th Sachstand (0 the oldest) of the i-th measure."""
    months = 6 * (ENTRIES_PER_MEASURE - 1 - k) + (8 if i % STALE == 0 else 1)
    return add_months(today, -months) - dt.timedelta(days=rng.randint(0, 45))


def _add_entries(measures, rng, today):
    ProgressEntry.objects.bulk_create(
        ProgressEntry(
            measure=measure,
            date=_entry_date(i, k, rng, today),
            status=measure.status,
            traffic_light=measure.traffic_light,
            progress=measure.progress,
            text=f"Demo-Sachstand {k + 1} zu {measure.code}",
            participants=rng.randint(5, 80),
            is_demo=True,
        )
        for i, measure in enumerate(measures)
        for k in range(ENTRIES_PER_MEASURE)
    )


def _add_indicators(concept, sub_goals, rng, today):
    years = range(today.year - YEARS, today.year)
    indicators = Indicator.objects.bulk_create(
        Indicator(
            concept=concept,
            sub_goal=sub_goal,
            name=f"Demo-Kennzahl {i + 1}",
            unit="%",
            baseline_value=Decimal(40),
            baseline_year=years[0],
            target_value=Decimal(60),
            target_year=years[-1] + 2,
            is_demo=True,
            position=i,
        )
        for i, sub_goal in enumerate(sub_goals * INDICATORS_PER_SUB_GOAL)
    )
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            indicator=indicator,
            reference_date=dt.date(year, 12, 31),
            period=str(year),
            value=Decimal(40 + rng.randint(-5, 20)),
            is_demo=True,
        )
        for indicator in indicators
        for year in years
    )


def _link_sub_goals(measures, sub_goals, rng):
    """Every measure with a goal serves one Teilziel of that goal."""
    by_goal = {}
    for sub_goal in sub_goals:
        by_goal.setdefault(sub_goal.goal_id, []).append(sub_goal)
    Through = Measure.sub_goals.through
    Through.objects.bulk_create(
        Through(measure_id=m.pk, subgoal_id=rng.choice(by_goal[m.goal_id]).pk)
        for m in measures
        if m.goal_id
    )

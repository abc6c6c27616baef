"""Reads of a whole concept: its structure (goals → Teilziele → measures) and situation.

Every function runs a fixed number of queries, whatever the size of the concept.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from concept.models import Concept, Statement
from goals.models import Indicator, IndicatorValue, StrategicGoal
from measures.models import Measure
from networks.models import Network


@dataclass
class FigureRow:
    label: str
    value: Decimal
    derived: bool = False


@dataclass
class SituationFigure:
    """An indicator of the Ausgangslage at one reference date, with its breakdown rows."""

    indicator: Indicator
    reference_date: object
    total: Decimal | None
    rows: list[FigureRow] = field(default_factory=list)
    source: str = ""


def situation_figures(indicators):
    """Group each context indicator's latest values into a table.

    Where the parts of a breakdown do not add up to the total, the remainder is shown
    as "ohne Angabe" (never dropped, never invented).
    """
    figures = []
    for indicator in indicators:
        values = list(indicator.values.all())
        if not values:
            continue
        latest = max(v.reference_date for v in values)
        current = [v for v in values if v.reference_date == latest]
        total = next((v.value for v in current if not v.breakdown), None)
        rows = [FigureRow(v.breakdown, v.value) for v in current if v.breakdown]
        if total is not None and rows:
            remainder = total - sum(r.value for r in rows)
            if remainder > 0:
                rows.append(FigureRow(_("ohne Angabe"), remainder, derived=True))
        source = next((v.source for v in current if v.source), indicator.source)
        figures.append(SituationFigure(indicator, latest, total, rows, source))
    return figures


@dataclass
class ConceptStructure:
    concept: Concept
    goals: list
    coordination_measures: list
    statements: dict
    networks: list
    situation: list

    @property
    def measure_count(self):
        return sum(len(g.measures.all()) for g in self.goals) + len(self.coordination_measures)

    @property
    def sub_goal_count(self):
        return sum(len(g.sub_goals.all()) for g in self.goals)


def concept_structure(concept: Concept) -> ConceptStructure:
    measure_order = Measure.objects.order_by("position", "number")
    goals = list(
        StrategicGoal.objects.filter(concept=concept)
        .order_by("number")
        .prefetch_related("sub_goals", Prefetch("measures", queryset=measure_order))
    )
    coordination_measures = list(measure_order.filter(concept=concept, goal__isnull=True))
    statements = {section: [] for section in Statement.Section.values}
    for statement in concept.statements.order_by("position", "pk"):
        statements[statement.section].append(statement)
    networks = list(
        Network.objects.filter(concept=concept)
        .select_related("coordinator")
        .order_by("position", "name")
    )
    context_indicators = (
        Indicator.objects.filter(concept=concept, sub_goal__isnull=True)
        .order_by("position", "name")
        .prefetch_related(
            Prefetch(
                "values", queryset=IndicatorValue.objects.order_by("reference_date", "position")
            )
        )
    )
    return ConceptStructure(
        concept=concept,
        goals=goals,
        coordination_measures=coordination_measures,
        statements=statements,
        networks=networks,
        situation=situation_figures(context_indicators),
    )

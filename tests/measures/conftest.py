import datetime as dt

import pytest

from concept.models import Concept
from tests.factories import (
    ConceptFactory,
    GoalFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    MeasureFactory,
    MeasureOrganisationFactory,
    NetworkFactory,
    OrganisationFactory,
    SubGoalFactory,
)

SLUG = "testkreis"


@pytest.fixture
def concept(db):
    """A concept shaped like LK Vechta, small: goals 1 Sprache, 2 Bildung, 3 Arbeit with four
    Teilziele each; under goal 1 the measures S1–S8 and the uncoded 4.1.9, under goal 2 B2,
    B3 and B5, and the coordination measure N3 without a goal; the Universität Vechta as
    partner of S8, the KMN-Treffen, and the Kennzahl Ausländer*innen with its 2019 value."""
    concept = ConceptFactory(slug=SLUG, status=Concept.Status.ADOPTED)
    goals = [
        GoalFactory(concept=concept, number=number, title=title, short_title=title)
        for number, title in [(1, "Sprache"), (2, "Bildung"), (3, "Arbeit")]
    ]
    for goal in goals:
        for number in range(1, 5):
            SubGoalFactory(goal=goal, number=number)
    for number in range(1, 9):
        MeasureFactory(concept=concept, goal=goals[0], code=f"S{number}", number=f"4.1.{number}")
    MeasureFactory(
        concept=concept,
        goal=goals[0],
        code="",
        number="4.1.9",
        title="Fortschreibung des kreiseigenen Sprachförderkonzepts",
    )
    for number in (2, 3, 5):
        MeasureFactory(concept=concept, goal=goals[1], code=f"B{number}", number=f"4.2.{number}")
    MeasureFactory(
        concept=concept,
        goal=None,
        code="N3",
        number="3.2.3",
        title="Regelmäßige Überprüfung des Integrationskonzeptes auf Aktualität",
    )
    MeasureOrganisationFactory(
        measure=concept.measures.get(code="S8"),
        organisation=OrganisationFactory(concept=concept, name="Universität Vechta"),
        role="partner",
    )
    NetworkFactory(concept=concept, name="KMN-Treffen")
    indicator = IndicatorFactory(concept=concept, name="Ausländer*innen", unit="Personen")
    IndicatorValueFactory(indicator=indicator, reference_date=dt.date(2019, 12, 31), value=20714)
    return concept

"""The small concept the data exchange tests work on (the fixture `world`, registered in
tests/conftest.py), and a helper that imports rows into it."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from concept import roles
from goals.models import IndicatorValue
from measures import services as measure_services
from measures.models import Status, TrafficLight
from reporting.exchange.importing import run_import
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
    UserFactory,
)
from tests.spreadsheets import write_csv_bytes


@pytest.fixture
def world(db):
    """A small concept with one of everything the exchange handles."""
    user = UserFactory(username="koordination", first_name="Kim", last_name="Koordina")
    concept = ConceptFactory(slug="lk-test", members=[(user, roles.COORDINATION)])
    goal1 = GoalFactory(concept=concept, number=1, short_title="Sprache")
    goal2 = GoalFactory(concept=concept, number=2, short_title="Bildung")
    sub11 = SubGoalFactory(goal=goal1, number=1)
    sub12 = SubGoalFactory(goal=goal1, number=2)
    SubGoalFactory(goal=goal2, number=1)
    jobcenter = OrganisationFactory(concept=concept, name="Jobcenter")
    caritas = OrganisationFactory(concept=concept, name="Caritas-Sozialwerk, Vechta")
    OrganisationFactory(concept=concept, name="Jugendamt", is_public=False)
    s1 = MeasureFactory(
        concept=concept,
        goal=goal1,
        code="S1",
        number="4.1.1",
        title="Sprachstand feststellen",
        start_date=dt.date(2025, 1, 1),
        end_date=dt.date(2026, 12, 31),
        position=1,
    )
    s1.sub_goals.set([sub11, sub12])
    MeasureOrganisationFactory(measure=s1, organisation=jobcenter, role="lead")
    MeasureOrganisationFactory(measure=s1, organisation=caritas, role="partner")
    s2 = MeasureFactory(
        concept=concept,
        goal=goal1,
        code="S2",
        number="4.1.2",
        title='=HYPERLINK("http://x","y")',
        position=2,
    )
    uncoded = MeasureFactory(
        concept=concept, goal=goal1, code="", number="4.1.9", title="@SUM(1)", position=3
    )
    n1 = MeasureFactory(
        concept=concept,
        goal=None,
        code="N1",
        number="3.2.1",
        title="\t=1 Netzwerke sichtbar machen",
        position=0,
    )
    network = NetworkFactory(
        concept=concept,
        name="KMN-Treffen",
        coordinator=jobcenter,
        purpose="-Austausch der Kommunen",
        members=[jobcenter, caritas],
        is_public=True,
    )
    n1.networks.set([network])
    entry = measure_services.progress_entry_create(
        measure=s1,
        author=user,
        date=dt.date(2025, 6, 30),
        period="1. Halbjahr 2025",
        status=Status.IN_PROGRESS,
        traffic_light=TrafficLight.GREEN,
        progress=40,
        text="Testverfahren ausgewählt.\nSchulungen geplant.",
        participants=12,
        staff=Decimal("1.5"),
        cost=Decimal("1250.50"),
    )
    indicator = IndicatorFactory(
        concept=concept, sub_goal=sub11, name="Kursteilnehmende", unit="Personen"
    )
    IndicatorValueFactory(
        indicator=indicator,
        reference_date=dt.date(2024, 12, 31),
        value=Decimal("120"),
        period="2024",
        source="BAMF",
    )
    # A negative number (it starts like a formula), which no count can be: stored past the
    # service, as data from before that rule; an export writes what is stored.
    IndicatorValue.objects.create(
        indicator=indicator,
        reference_date=dt.date(2024, 12, 31),
        value=Decimal("-12.5"),
        breakdown="Veränderung",
    )
    s1.refresh_from_db()
    return SimpleNamespace(
        user=user,
        concept=concept,
        s1=s1,
        s2=s2,
        uncoded=uncoded,
        n1=n1,
        entry=entry,
        indicator=indicator,
        network=network,
        jobcenter=jobcenter,
        caritas=caritas,
    )


def run_rows(world, kind, rows, *, dry_run=False, name="datei.csv"):
    """Import rows (or a file's bytes) into the world's concept as its Koordination."""
    content = rows if isinstance(rows, bytes) else write_csv_bytes(rows)
    return run_import(
        kind=kind,
        concept=world.concept,
        user=world.user,
        file_name=name,
        data=content,
        dry_run=dry_run,
    )

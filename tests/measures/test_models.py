import pytest
from django.db import IntegrityError, transaction

from measures.models import Measure, ProgressEntry, Status
from tests.factories import ConceptFactory, GoalFactory, MeasureFactory

pytestmark = pytest.mark.django_db


def violates(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_measure_code_is_unique_per_concept():
    measure = MeasureFactory(code="S1")
    violates(lambda: MeasureFactory(concept=measure.concept, goal=measure.goal, code="S1"))
    # The same code in another district's concept is fine.
    assert MeasureFactory(code="S1").concept != measure.concept


def test_several_uncoded_measures_coexist_but_numbers_are_unique():
    concept = ConceptFactory()
    MeasureFactory(concept=concept, code="", number="4.1.9")
    MeasureFactory(concept=concept, code="", number="4.2.9")
    assert Measure.objects.filter(concept=concept, code="").count() == 2
    violates(lambda: MeasureFactory(concept=concept, code="", number="4.1.9"))


@pytest.mark.parametrize("progress", [101, 250])
def test_progress_above_100_is_refused_by_the_database(progress):
    measure = MeasureFactory()
    violates(lambda: Measure.objects.filter(pk=measure.pk).update(progress=progress))
    violates(
        lambda: ProgressEntry.objects.create(
            measure=measure,
            date="2025-01-01",
            status="in_progress",
            traffic_light="green",
            progress=progress,
        )
    )


def test_dropped_measure_needs_a_reason():
    measure = MeasureFactory()
    violates(lambda: Measure.objects.filter(pk=measure.pk).update(status=Status.DROPPED))
    Measure.objects.filter(pk=measure.pk).update(
        status=Status.DROPPED, status_reason="Förderung endet"
    )
    assert Measure.objects.get(pk=measure.pk).status == Status.DROPPED


def test_code_with_space_is_refused():
    violates(lambda: MeasureFactory(code="aG 1"))


def test_goal_number_is_unique_per_concept():
    goal = GoalFactory(number=1)
    violates(lambda: GoalFactory(concept=goal.concept, number=1))
    violates(lambda: GoalFactory(number=0))


def test_end_before_start_is_refused():
    violates(lambda: MeasureFactory(start_date="2025-05-01", end_date="2025-01-01"))


def test_measure_label_falls_back_to_outline_number():
    assert MeasureFactory.build(code="", number="4.1.9").label == "4.1.9"
    assert MeasureFactory.build(code="aG1", number="4.7.1").label == "aG1"


def test_needs_attention_is_red_or_yellow_or_an_overdue_sachstand():
    import datetime as dt

    today = dt.date(2026, 6, 30)
    concept = ConceptFactory()

    def measure(code, light, status=Status.IN_PROGRESS, last_entry=today):
        made = MeasureFactory(concept=concept, code=code, traffic_light=light, status=status)
        if last_entry is not None:
            ProgressEntry.objects.create(
                measure=made, date=last_entry, status=status, traffic_light=light, progress=10
            )
        return made

    long_ago = today - dt.timedelta(days=400)
    measure("ROT", "red")
    measure("GELB", "yellow")
    measure("GRUEN", "green")
    measure("SPAET", "green", last_entry=long_ago)
    measure("NIE", "grey", last_entry=None)
    measure("FERTIG", "green", status=Status.IMPLEMENTED, last_entry=long_ago)
    measures = Measure.objects.filter(concept=concept)
    expected = {"ROT", "GELB", "SPAET", "NIE"}
    assert set(measures.needs_attention(today).values_list("code", flat=True)) == expected
    # The same on a queryset that already carries the date of the last Sachstand.
    annotated = measures.with_last_entry().needs_attention(today)
    assert set(annotated.values_list("code", flat=True)) == expected

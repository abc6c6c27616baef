import datetime as dt

import pytest
from django.db import connection
from django.db.models import Value
from django.db.models.functions import Collate, Lower

from goals.models import StrategicGoal
from measures.filters import ATTENTION, DONE, WITHOUT_GOAL, Folded, MeasureFilter
from measures.models import Measure, ProgressEntry, Status, TrafficLight
from measures.queries import measure_list_queryset
from tests.factories import ProgressEntryFactory, measures_in_every_state

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 30)


def filtered(concept, **params):
    filterset = MeasureFilter(
        params,
        queryset=measure_list_queryset(concept),
        concept=concept,
        goals=StrategicGoal.objects.filter(concept=concept),
        today=TODAY,
    )
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("code", flat=True))


def fresh_entry(measure):
    ProgressEntryFactory(
        measure=measure,
        date=TODAY,
        status=measure.status,
        traffic_light=measure.traffic_light,
        progress=measure.progress,
    )


def test_handlungsbedarf_is_red_or_yellow_or_overdue(concept):
    measures = Measure.objects.filter(concept=concept)
    # Every measure up to date, except the ones set up below.
    for measure in measures:
        fresh_entry(measure)
    measures.filter(code="S1").update(traffic_light=TrafficLight.RED)
    measures.filter(code="S2").update(traffic_light=TrafficLight.YELLOW)
    ProgressEntry.objects.filter(measure__code="S3").update(date=TODAY - dt.timedelta(days=400))
    measures.filter(code="S3").update(status=Status.IN_PROGRESS)
    # Finished measures are never overdue.
    ProgressEntry.objects.filter(measure__code="S4").update(date=TODAY - dt.timedelta(days=400))
    measures.filter(code="S4").update(status=Status.IMPLEMENTED)

    assert filtered(concept, ampel=ATTENTION) == {"S1", "S2", "S3"}
    # The plain Ampel choices still filter by the colour alone.
    assert filtered(concept, ampel=TrafficLight.RED) == {"S1"}
    assert filtered(concept, ampel=ATTENTION, ziel="2") == set()


def test_handlungsbedarf_is_offered_in_the_ampel_choices(concept):
    filterset = MeasureFilter(
        None,
        queryset=measure_list_queryset(concept),
        concept=concept,
        goals=StrategicGoal.objects.filter(concept=concept),
    )
    choices = dict(filterset.form.fields["ampel"].choices)
    assert choices[ATTENTION] == "Handlungsbedarf: rot, gelb oder Sachstand überfällig"
    assert "red" in choices


def test_umgesetzt_oder_verstetigt_is_one_status_choice_as_counted_on_the_dashboard():
    concept = measures_in_every_state()
    # S4 and N3 umgesetzt, S6 verstetigt.
    assert filtered(concept, status=DONE) == {"S4", "S6", "N3"}
    assert filtered(concept, status=Status.IMPLEMENTED) == {"S4", "N3"}
    assert filtered(concept, status=DONE, ziel=WITHOUT_GOAL) == {"N3"}


def test_the_overdue_filter_states_its_rule():
    filterset = MeasureFilter(
        None, queryset=Measure.objects.none(), concept=None, goals=StrategicGoal.objects.none()
    )
    # The checkbox is described by the rule that the page states under the filters.
    html = str(filterset.form["ueberfaellig"])
    assert 'aria-describedby="regel-ueberfaellig"' in html


# A collation whose LOWER() folds only ASCII, as PostgreSQL's under LC_CTYPE "C".
ASCII_ONLY = {"postgresql": "C", "sqlite": "BINARY"}


def test_folding_knows_umlauts_where_the_database_folds_only_ascii(concept):
    collation = ASCII_ONLY[connection.vendor]
    row = (
        Measure.objects.filter(concept=concept, code="N3")
        .annotate(
            title_c=Collate("title", collation),
            word_c=Collate(Value("ÜBERPRÜFUNG"), collation),
        )
        .values(lower=Lower("word_c"), column=Folded("title_c"), word=Folded("word_c"))
        .get()
    )
    assert row["lower"] == "ÜberprÜfung"  # what plain LOWER() makes of it there
    assert row["word"] == "überprüfung"
    assert "überprüfung" in row["column"]


@pytest.mark.parametrize("query", ["überprüfung", "ÜBERPRÜFUNG", "regelmäßige ÜBERprüfung"])
def test_search_words_are_folded_like_the_columns(concept, query):
    assert filtered(concept, q=query) == {"N3"}


def test_search_words_are_no_patterns(concept):
    assert filtered(concept, q="%") == set()
    assert filtered(concept, q="_berpr_fung") == set()

"""The concept's data version (concept.dataversion): found for every row of a concept
through the foreign keys, moved once per committed transaction, never by a rollback."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from concept import dataversion, roles
from concept.models import Concept, LegalPage
from goals.models import IndicatorValue, SubGoal
from measures.models import Evidence, Measure, ProgressEntry, Status, TrafficLight
from measures.services import progress_entry_create
from networks.models import Network
from tests.factories import UserFactory, add_member, one_of_everything

pytestmark = pytest.mark.django_db(transaction=True)


def version(concept):
    return Concept.objects.values_list("data_version", flat=True).get(pk=concept.pk)


def concept_updates(queries):
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("UPDATE") and "concept_concept" in q["sql"].split("SET")[0]
    ]


def test_paths_are_found_through_the_foreign_keys():
    paths = {
        model: [[f.name for f in path] for path in dataversion.concept_paths(model)]
        for model in (Measure, SubGoal, IndicatorValue, ProgressEntry, Evidence, Network)
    }
    assert paths[Measure] == [["concept"]]
    assert paths[SubGoal] == [["goal", "concept"]]
    assert paths[IndicatorValue][0] == ["indicator", "concept"]
    assert paths[Evidence] == [["entry", "measure", "concept"]]
    # Through the measure (shortest) or through the decision's meeting's network.
    assert paths[ProgressEntry][0] == ["measure", "concept"]
    assert paths[Network] == [["concept"]]
    # The auto-created many-to-many tables are found too.
    assert dataversion.concept_paths(Measure.sub_goals.through)
    # Rows of no concept move nothing.
    assert dataversion.concept_paths(LegalPage) == ()
    assert dataversion.concept_paths(type(UserFactory.build())) == ()


def test_a_row_three_keys_away_finds_its_concept():
    concept = one_of_everything()
    evidence = Evidence.objects.get(entry__measure__concept=concept)
    fresh = Evidence.objects.get(pk=evidence.pk)  # nothing related loaded
    assert dataversion.concept_ids_of(fresh) == {concept.pk}


def test_each_kind_of_change_moves_the_version():
    concept = one_of_everything()
    other = one_of_everything()
    measure = concept.measures.get(code="S1")
    network = concept.networks.first()

    steps = {
        "save": lambda: Measure.objects.get(pk=measure.pk).save(),
        "m2m": lambda: measure.sub_goals.clear(),
        "delete of a row three keys away": lambda: (
            Evidence.objects.filter(entry__measure=measure).first().delete()
        ),
        "delete of a network": lambda: network.delete(),
        "the concept itself": lambda: Concept.objects.get(pk=concept.pk).save(),
    }
    for name, step in steps.items():
        before, untouched = version(concept), version(other)
        step()
        assert version(concept) > before, name
        assert version(other) == untouched, name


def test_a_transaction_moves_the_version_once_after_it_commits():
    concept = one_of_everything()
    measure = concept.measures.get(code="S1")
    author = add_member(concept, UserFactory(), roles.COORDINATION)
    before = version(concept)
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        for day in (2, 3, 4):
            progress_entry_create(
                measure=Measure.objects.get(pk=measure.pk),
                author=author,
                date=dt.date(2025, 4, day),
                status=Status.IN_PROGRESS,
                traffic_light=TrafficLight.GREEN,
                progress=10 * day,
            )
        # Not yet: others would only see it after the commit anyway.
        assert version(concept) == before
    assert version(concept) > before
    assert len(concept_updates(queries)) == 1


def test_a_rollback_moves_nothing_and_the_next_change_still_does():
    concept = one_of_everything()
    before = version(concept)
    with pytest.raises(RuntimeError), transaction.atomic():
        Measure.objects.filter(concept=concept).first().save()
        raise RuntimeError
    assert version(concept) == before
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            Measure.objects.filter(concept=concept).first().save()
            raise RuntimeError  # the savepoint and its callback go
        assert version(concept) == before
        Network.objects.filter(concept=concept).first().save()
    assert version(concept) > before


def test_a_stale_full_save_of_the_concept_never_brings_back_a_used_version():
    concept = one_of_everything()
    stale = Concept.objects.get(pk=concept.pk)
    Measure.objects.filter(concept=concept).first().save()
    seen = version(concept)
    stale.title = "Neuer Titel"
    stale.save()  # writes its old data_version back, then moves on
    assert version(concept) > seen

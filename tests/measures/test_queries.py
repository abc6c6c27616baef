import datetime as dt

import pytest

from measures import queries
from measures.services import decision_create, decision_update
from networks.models import Network
from networks.services import meeting_create, network_create
from tests.factories import ConceptFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def concept():
    return ConceptFactory()


def committee(concept, name, kind=Network.Kind.COMMITTEE):
    return network_create(concept=concept, name=name, kind=kind)


def test_open_follow_ups_earliest_first_without_done_ones(concept):
    meeting = meeting_create(network=committee(concept, "HVB"), date=dt.date(2026, 1, 1), topic="T")
    for text, day in [
        ("später", dt.date(2026, 9, 1)),
        ("früher", dt.date(2026, 2, 1)),
        ("ohne Datum", None),
    ]:
        decision_create(meeting=meeting, user=None, text=text, follow_up_date=day)
    done = decision_create(
        meeting=meeting, user=None, text="erledigt", follow_up_date=dt.date(2026, 1, 5)
    )
    decision_update(
        decision=done,
        user=None,
        expected_version=done.version,
        text=done.text,
        kind=done.kind,
        measures=[],
        follow_up_date=done.follow_up_date,
        follow_up_done=True,
    )
    assert [d.text for d in queries.open_follow_ups(concept)] == ["früher", "später"]


def test_committees_lists_only_committees_with_their_meetings_newest_first(concept):
    steering = committee(concept, "Steuerungsgruppe")
    hvb = committee(concept, "HVB-Konferenz")
    plain = committee(concept, "KMN-Treffen", kind=Network.Kind.NETWORK)
    meeting_create(network=plain, date=dt.date(2026, 3, 1), topic="Austausch")
    older = meeting_create(network=steering, date=dt.date(2025, 6, 1), topic="Bilanz")
    newer = meeting_create(network=steering, date=dt.date(2026, 2, 1), topic="Planung")
    first = decision_create(meeting=older, user=None, text="Erster")
    second = decision_create(meeting=older, user=None, text="Zweiter")

    listed = queries.committees(concept)

    assert listed == [steering, hvb]
    assert listed[0].meeting_list == [newer, older]
    assert listed[0].meeting_list[1].decision_list == [first, second]
    assert listed[1].meeting_list == []

"""The committees page (gremien/) and the decision forms."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concept import roles
from measures.models import Decision
from measures.services import decision_create
from networks.models import Network
from networks.services import meeting_create, network_create
from tests.factories import (
    CommitteeFactory,
    ConceptFactory,
    GoalFactory,
    MeasureFactory,
    NetworkFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def committees_url(concept):
    return reverse("measures:committees", kwargs={"slug": concept.slug})


@pytest.fixture
def concept(db):
    """LK Vechta's committees (Steuerungsgruppe Integration, Hauptverwaltungsbeamten-Konferenz,
    Leitungsebene) and the KMN-Treffen, with S1 under goal 1 Sprache, B2 under goal 2 and a
    coordination measure, on a small concept built by the factories."""
    concept = ConceptFactory()
    for name in (
        "Steuerungsgruppe Integration",
        "Hauptverwaltungsbeamten-Konferenz",
        "Leitungsebene",
    ):
        CommitteeFactory(concept=concept, name=name)
    NetworkFactory(concept=concept, name="KMN-Treffen")
    sprache = GoalFactory(concept=concept, number=1, short_title="Sprache")
    MeasureFactory(concept=concept, goal=sprache, code="S1")
    MeasureFactory(concept=concept, goal=GoalFactory(concept=concept, number=2), code="B2")
    MeasureFactory(concept=concept, goal=None, code="N1")
    return concept


@pytest.fixture
def committee(concept):
    return Network.objects.get(concept=concept, name="Steuerungsgruppe Integration")


@pytest.fixture
def meeting(committee):
    return meeting_create(network=committee, date=dt.date(2026, 5, 6), topic="Zwischenbilanz")


@pytest.fixture
def decision(meeting):
    return decision_create(meeting=meeting, user=None, text="Zeitplan anpassen")


EDIT_PAGES = [
    ("measures:decision_create", lambda decision: {"meeting_pk": decision.meeting_id}),
    ("measures:decision_edit", lambda decision: {"pk": decision.pk}),
]


@pytest.mark.parametrize("role", roles.ALL)
def test_every_member_reads_the_committees(client, concept, member_of, role, decision):
    member_of(client, concept, role=role)
    response = client.get(committees_url(concept))
    assert response.status_code == 200
    assert "Zeitplan anpassen" in response.text
    assert "style=" not in response.text  # the CSP forbids inline styles


def test_committees_page_sends_anonymous_users_to_login(client, concept):
    response = client.get(committees_url(concept))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize(("name", "kwargs"), EDIT_PAGES)
def test_decision_forms_are_for_coordination_only(
    client, concept, member_of, decision, name, kwargs
):
    target = reverse(name, kwargs={"slug": concept.slug, **kwargs(decision)})
    response = client.get(target)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    for role in (roles.STEERING_GROUP, roles.MEASURE_OWNERS):
        member_of(client, concept, role=role)
        assert client.get(target).status_code == 403
        assert client.post(target, {}).status_code == 403
    for role in (roles.COORDINATION, roles.ADMINISTRATION):
        member_of(client, concept, role=role)
        assert client.get(target).status_code == 200


def test_decision_forms_of_another_concept_are_not_found(client, concept, decision):
    user = UserFactory()
    ConceptFactory(members=[(user, roles.COORDINATION)])
    client.force_login(user)
    assert client.get(committees_url(concept)).status_code == 404
    for name, kwargs in EDIT_PAGES:
        target = reverse(name, kwargs={"slug": concept.slug, **kwargs(decision)})
        assert client.get(target).status_code == 404


def test_no_decision_form_for_a_meeting_of_a_plain_network(client, concept, member_of):
    member_of(client, concept, role=roles.COORDINATION)
    network = Network.objects.get(concept=concept, name="KMN-Treffen")
    plain = meeting_create(network=network, date=dt.date(2026, 1, 1), topic="Austausch")
    target = reverse(
        "measures:decision_create", kwargs={"slug": concept.slug, "meeting_pk": plain.pk}
    )
    assert client.get(target).status_code == 404


def test_steering_group_reads_committees_without_edit_links(client, concept, member_of, decision):
    member_of(client, concept, role=roles.STEERING_GROUP)
    html = client.get(committees_url(concept)).text
    assert "Zwischenbilanz" in html and "Zeitplan anpassen" in html
    assert "Hauptverwaltungsbeamten-Konferenz" in html and "Leitungsebene" in html
    assert "KMN-Treffen" not in html  # networks that are no committee
    assert "Sitzung erfassen" not in html and "Beschluss bearbeiten" not in html


def test_coordination_finds_the_meeting_and_decision_forms(client, concept, member_of, decision):
    member_of(client, concept, role=roles.COORDINATION)
    html = client.get(committees_url(concept)).text
    meeting = decision.meeting
    assert f'href="/konzepte/{concept.slug}/gremien/sitzungen/{meeting.pk}/bearbeiten/"' in html
    assert (
        f'href="/konzepte/{concept.slug}/gremien/sitzungen/{meeting.pk}/beschluesse/neu/"' in html
    )
    assert f'href="/konzepte/{concept.slug}/gremien/beschluesse/{decision.pk}/bearbeiten/"' in html
    assert (
        f'href="/konzepte/{concept.slug}/gremien/sitzungen/neu/?gremium={meeting.network_id}"'
        in html
    )


def test_coordination_records_and_edits_a_decision(client, lk_vechta, member_of):
    user = member_of(client, lk_vechta, role=roles.COORDINATION)
    committee = Network.objects.get(concept=lk_vechta, name="Steuerungsgruppe Integration")
    meeting = meeting_create(network=committee, date=dt.date(2026, 5, 6), topic="Zwischenbilanz")
    s1, b2 = lk_vechta.measures.get(code="S1"), lk_vechta.measures.get(code="B2")
    target = reverse(
        "measures:decision_create", kwargs={"slug": "lk-vechta", "meeting_pk": meeting.pk}
    )
    page = client.get(target)
    groups = page.context["form"].measure_groups()
    assert groups[0][0] == "Strategisches Ziel 1: Sprache"
    assert groups[-1][0] == "Koordination und Netzwerke"
    assert sum(len(checkboxes) for _label, checkboxes in groups) == 37
    assert "<legend" in page.text and "Strategisches Ziel 1: Sprache" in page.text
    assert 'type="date" name="follow_up_date"' in page.text

    response = client.post(
        target,
        {
            "text": "S1 und B2 neu planen",
            "kind": Decision.Kind.ADJUST,
            "measures": [s1.pk, b2.pk],
            "follow_up_date": "2026-09-30",
        },
    )
    decision = Decision.objects.get(text="S1 und B2 neu planen")
    assert response.status_code == 302
    assert response.url == f"/konzepte/lk-vechta/gremien/#beschluss-{decision.pk}"
    assert set(decision.measures.all()) == {s1, b2}
    assert decision.created_by == user and decision.follow_up_date == dt.date(2026, 9, 30)

    edit = reverse("measures:decision_edit", kwargs={"slug": "lk-vechta", "pk": decision.pk})
    assert 'value="2026-09-30"' in client.get(edit).text
    response = client.post(
        edit,
        {
            "text": "Nur S1 neu planen",
            "kind": Decision.Kind.ADJUST,
            "measures": [s1.pk],
            "follow_up_date": "2026-09-30",
            "follow_up_done": "on",
            "version": decision.version,
        },
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.text == "Nur S1 neu planen" and decision.follow_up_done
    assert list(decision.measures.all()) == [s1]
    history = list(decision.history.order_by("history_date"))
    # Created, then its measures assigned (recorded with the history), then changed.
    assert [h.text for h in history] == [
        "S1 und B2 neu planen",
        "S1 und B2 neu planen",
        "Nur S1 neu planen",
    ]
    assert all(h.history_user == user for h in history)


def test_decision_form_refuses_bad_input_in_german(client, concept, member_of, meeting):
    member_of(client, concept, role=roles.COORDINATION)
    foreign = MeasureFactory()
    response = client.post(
        reverse(
            "measures:decision_create", kwargs={"slug": concept.slug, "meeting_pk": meeting.pk}
        ),
        {
            "text": "Fremd",
            "kind": Decision.Kind.ADJUST,
            "measures": [foreign.pk],
            "follow_up_date": "2026-13-01",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "keine Maßnahme dieses Konzepts" in errors["measures"][0]
    assert errors["follow_up_date"] == [
        "Bitte ein gültiges Datum im Format TT.MM.JJJJ angeben, z. B. 31.12.2025."
    ]
    assert not Decision.objects.filter(text="Fremd").exists()


def test_follow_ups_overdue_are_highlighted_first(client, concept, member_of, meeting):
    member_of(client, concept)
    for text, day in [("Noch Zeit", dt.date(2099, 1, 1)), ("Spät dran", dt.date(2020, 1, 1))]:
        decision_create(meeting=meeting, user=None, text=text, follow_up_date=day)
    response = client.get(committees_url(concept))
    html = response.text
    assert [d.text for d in response.context["follow_ups"]] == ["Spät dran", "Noch Zeit"]
    section = html[html.index('id="wiedervorlagen"') : html.index('id="gremium-')]
    assert section.index("Spät dran") < section.index("Noch Zeit")
    assert section.count("überfällig") == 1 and "portal-row--late" in section


def test_committees_page_of_a_concept_without_committees_explains(client):
    user = UserFactory()
    concept = ConceptFactory(members=[(user, roles.STEERING_GROUP)])
    client.force_login(user)
    assert "kein Gremium angelegt" in client.get(committees_url(concept)).text


def test_committees_nav_item_is_current_on_every_committee_page(
    client, concept, member_of, decision
):
    member_of(client, concept, role=roles.COORDINATION)
    for target in (
        committees_url(concept),
        reverse("measures:decision_edit", kwargs={"slug": concept.slug, "pk": decision.pk}),
        reverse("networks:committee_meeting_create", kwargs={"slug": concept.slug}),
    ):
        html = client.get(target).text
        assert html.count('aria-current="page"') == 1, target
        assert 'aria-current="page">Gremien</a>' in html, target


def _evaluation_cycle(meetings):
    """A concept with two committees, each with `meetings` meetings of one decision on
    three measures."""
    concept = ConceptFactory()
    measures = [MeasureFactory(concept=concept) for _ in range(5)]
    for i in range(2):
        committee = network_create(
            concept=concept, name=f"Gremium {i}", kind=Network.Kind.COMMITTEE
        )
        for k in range(meetings):
            meeting = meeting_create(
                network=committee, date=dt.date(2025, 1, 1) + dt.timedelta(days=k), topic="T"
            )
            decision_create(
                meeting=meeting,
                user=None,
                text="Beschluss",
                measures=measures[k % 3 : k % 3 + 3],
                follow_up_date=dt.date(2026, 1, 1),
            )
    return concept


def test_committee_pages_run_the_same_queries_however_many_meetings(client):
    client.force_login(UserFactory(is_superuser=True))
    counts = []
    for meetings in (1, 6):
        concept = _evaluation_cycle(meetings)
        decision = Decision.objects.filter(meeting__network__concept=concept).first()
        pages = [
            committees_url(concept),
            reverse(
                "measures:decision_create",
                kwargs={"slug": concept.slug, "meeting_pk": decision.meeting_id},
            ),
            reverse("measures:decision_edit", kwargs={"slug": concept.slug, "pk": decision.pk}),
        ]
        count = []
        for target in pages:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(target).status_code == 200
            count.append(len(queries))
        counts.append(count)
    assert counts[0] == counts[1]
    # Fixed ceilings (page, new decision, change decision), so a query per row fails here.
    assert all(n <= ceiling for n, ceiling in zip(counts[1], (10, 8, 8), strict=True))

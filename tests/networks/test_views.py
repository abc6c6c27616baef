import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concept import roles
from concept.models import Concept, Statement
from measures.models import Measure, MeasureOrganisation
from networks import services
from networks.models import Meeting, Network, Organisation
from tests.factories import (
    CommitteeFactory,
    ConceptFactory,
    DecisionFactory,
    GoalFactory,
    MeasureFactory,
    MeetingFactory,
    NetworkFactory,
    OrganisationFactory,
    StatementFactory,
    UserFactory,
    add_member,
)

pytestmark = pytest.mark.django_db

EDITORS = [roles.COORDINATION, roles.ADMINISTRATION]
READERS = [roles.MEASURE_OWNERS, roles.STEERING_GROUP]


def url(name, concept, **kwargs):
    return reverse(f"networks:{name}", kwargs={"slug": concept.slug, **kwargs})


@pytest.fixture
def vechta(lk_vechta):
    """LK Vechta with a little more: a member, a meeting with a decision, a statement to split."""
    kmn = lk_vechta.networks.get(name="KMN-Treffen")
    jobcenter = lk_vechta.organisations.get(name="Jobcenter")
    kmn.members.add(jobcenter)
    kmn.purpose = "Austausch der Migrationsberatungen"
    kmn.save()
    s1, aub1 = lk_vechta.measures.get(code="S1"), lk_vechta.measures.get(code="AuB1")
    s1.networks.add(kmn)
    aub1.networks.add(kmn)
    committee = lk_vechta.networks.get(name="Steuerungsgruppe Integration")
    meeting = MeetingFactory(
        network=committee, date=dt.date(2025, 6, 4), topic="Zwischenbilanz", minutes="Protokoll"
    )
    DecisionFactory(meeting=meeting, text="Zeitplan anpassen", measures=[s1])
    StatementFactory(
        concept=lk_vechta,
        section=Statement.Section.COORDINATION,
        number="3.9",
        text="Weitere Netzwerke: Runder Tisch Integration Präventionsrat",
        needs_split=True,
        position=99,
    )
    return lk_vechta


@pytest.fixture
def concept(db):
    """The same on a small concept built by the factories: the KMN-Treffen (Jobcenter as
    member, S1 of goal 1 and AuB1 of goal 3 assigned), the committees Steuerungsgruppe
    Integration (a meeting with a decision on S1), Hauptverwaltungsbeamten-Konferenz and
    Leitungsebene, the Caritas-Sozialwerk, and the statement 3.9 to split."""
    concept = ConceptFactory(status=Concept.Status.ADOPTED)
    jobcenter = OrganisationFactory(
        concept=concept, name="Jobcenter", kind=Organisation.Kind.EMPLOYMENT, is_public=True
    )
    OrganisationFactory(
        concept=concept, name="Caritas-Sozialwerk", kind=Organisation.Kind.WELFARE, is_public=True
    )
    kmn = NetworkFactory(
        concept=concept,
        name="KMN-Treffen",
        purpose="Austausch der Migrationsberatungen",
        members=[jobcenter],
        statement=StatementFactory(
            concept=concept, section=Statement.Section.COORDINATION, number="3.1"
        ),
        is_public=True,
    )
    s1 = MeasureFactory(concept=concept, goal=GoalFactory(concept=concept, number=1), code="S1")
    aub1 = MeasureFactory(concept=concept, goal=GoalFactory(concept=concept, number=3), code="AuB1")
    s1.networks.add(kmn)
    aub1.networks.add(kmn)
    committee = CommitteeFactory(concept=concept, name="Steuerungsgruppe Integration")
    CommitteeFactory(concept=concept, name="Hauptverwaltungsbeamten-Konferenz")
    CommitteeFactory(concept=concept, name="Leitungsebene")
    meeting = MeetingFactory(
        network=committee, date=dt.date(2025, 6, 4), topic="Zwischenbilanz", minutes="Protokoll"
    )
    DecisionFactory(meeting=meeting, text="Zeitplan anpassen", measures=[s1])
    StatementFactory(
        concept=concept,
        section=Statement.Section.COORDINATION,
        number="3.9",
        text="Weitere Netzwerke: Runder Tisch Integration Präventionsrat",
        needs_split=True,
        position=99,
    )
    return concept


def edit_urls(concept):
    network = concept.networks.get(name="KMN-Treffen")
    committee = concept.networks.get(name="Steuerungsgruppe Integration")
    organisation = concept.organisations.get(name="Jobcenter")
    statement = concept.statements.get(number="3.9")
    meeting = Meeting.objects.get(network=committee)
    return [
        url("create", concept),
        url("edit", concept, pk=network.pk),
        url("meeting_create", concept, pk=network.pk),
        url("meeting_edit", concept, pk=committee.pk, meeting_pk=meeting.pk),
        url("committee_meeting_create", concept),
        url("committee_meeting_edit", concept, meeting_pk=meeting.pk),
        url("statement_split", concept, pk=statement.pk),
        url("organisation_create", concept),
        url("organisation_edit", concept, pk=organisation.pk),
    ]


def read_urls(concept):
    network = concept.networks.get(name="KMN-Treffen")
    organisation = concept.organisations.get(name="Jobcenter")
    return [
        url("list", concept),
        url("detail", concept, pk=network.pk),
        url("organisation_list", concept),
        url("organisation_detail", concept, pk=organisation.pk),
    ]


def test_anonymous_is_sent_to_login(client, concept):
    for target in read_urls(concept) + edit_urls(concept):
        response = client.get(target)
        assert response.status_code == 302, target
        assert response.url.startswith(reverse("login") + "?next=")
    response = client.post(url("create", concept), {"name": "X", "kind": "network"})
    assert response.status_code == 302
    assert not concept.networks.filter(name="X").exists()


@pytest.mark.parametrize("role", roles.ALL)
def test_every_member_reads_the_directories(client, concept, member_of, role):
    member_of(client, concept, role=role)
    for target in read_urls(concept):
        assert client.get(target).status_code == 200, target


@pytest.mark.parametrize("role", READERS)
def test_readers_may_not_edit(client, concept, member_of, role):
    member_of(client, concept, role=role)
    for target in edit_urls(concept):
        assert client.get(target).status_code == 403, target
    network = concept.networks.get(name="KMN-Treffen")
    response = client.post(
        url("edit", concept, pk=network.pk),
        {"name": "Gekapert", "kind": "network", "version": 1},
    )
    assert response.status_code == 403
    assert concept.networks.filter(name="KMN-Treffen").exists()
    html = client.get(url("list", concept)).text
    assert "Netzwerk anlegen" not in html and "Liste 3.9 aufteilen" not in html


@pytest.mark.parametrize("role", EDITORS)
def test_editors_open_every_form(client, concept, member_of, role):
    member_of(client, concept, role=role)
    for target in edit_urls(concept):
        assert client.get(target).status_code == 200, target


def test_other_districts_concept_is_not_found(client, concept):
    other = ConceptFactory()
    user = add_member(other, UserFactory(), roles.COORDINATION)
    client.force_login(user)
    for target in read_urls(concept) + edit_urls(concept):
        assert client.get(target).status_code == 404, target
    # A network of Vechta addressed through the other concept's URL is not found either.
    network = concept.networks.get(name="KMN-Treffen")
    assert client.get(url("detail", other, pk=network.pk)).status_code == 404
    assert client.get(url("edit", other, pk=network.pk)).status_code == 404


def test_network_list_shows_directory_with_derived_goals(client, vechta, member_of):
    member_of(client, vechta)
    response = client.get(url("list", vechta))
    networks, committees = response.context["networks"], response.context["committees"]
    assert len(networks) == 8 and len(committees) == 3
    kmn = next(n for n in networks if n.name == "KMN-Treffen")
    # S1 serves goal 1 (Sprache), AuB1 goal 3 (Ausbildung): the network's goals follow.
    assert [g.number for g in kmn.goals] == [1, 3]
    html = response.text
    assert "Austausch der Migrationsberatungen" in html
    assert "Jobcenter" in html
    assert reverse("measures:detail", kwargs={"slug": vechta.slug, "key": "S1"}) in html
    assert "Steuerungsgruppe Integration" in html
    assert reverse("public:networks", kwargs={"slug": vechta.slug}) in html


def test_network_detail_shows_meetings_and_decisions(client, concept, member_of):
    member_of(client, concept, role=roles.COORDINATION)
    committee = concept.networks.get(name="Steuerungsgruppe Integration")
    html = client.get(url("detail", concept, pk=committee.pk)).text
    assert "04.06.2025: Zwischenbilanz" in html
    assert "Protokoll" in html and "Zeitplan anpassen" in html and "(S1)" in html
    assert "Sitzung vom 04.06.2025 bearbeiten" in html


def test_coordination_creates_and_edits_a_network(client, concept, member_of):
    member_of(client, concept, role=roles.COORDINATION)
    caritas = concept.organisations.get(name="Caritas-Sozialwerk")
    jobcenter = concept.organisations.get(name="Jobcenter")
    response = client.post(
        url("create", concept),
        {
            "name": "Runder Tisch Integration",
            "kind": Network.Kind.WORKING_GROUP,
            "purpose": "Abstimmung der Angebote",
            "coordinator": caritas.pk,
            "members": [caritas.pk, jobcenter.pk],
            "meeting_cadence": "vierteljährlich",
            "platform_url": "forum.example.org",
            "is_public": "on",
        },
    )
    network = concept.networks.get(name="Runder Tisch Integration")
    assert response.status_code == 302
    assert response.url == url("detail", concept, pk=network.pk)
    assert network.platform_url == "https://forum.example.org"
    assert set(network.members.all()) == {caritas, jobcenter}
    assert network.is_public

    response = client.post(
        url("edit", concept, pk=network.pk),
        {
            "name": "Runder Tisch Integration Vechta",
            "kind": Network.Kind.WORKING_GROUP,
            "members": [jobcenter.pk],
            "version": network.version,
        },
    )
    assert response.status_code == 302
    network.refresh_from_db()
    assert network.name == "Runder Tisch Integration Vechta"
    assert list(network.members.all()) == [jobcenter]
    assert network.coordinator is None and not network.is_public


def test_form_errors_are_german_and_nothing_is_saved(client, vechta, member_of):
    member_of(client, vechta, role=roles.COORDINATION)
    response = client.post(url("create", vechta), {"name": "Neu", "kind": "x"})
    assert response.status_code == 200
    assert "Bitte eine gültige Auswahl treffen" in response.text
    response = client.post(url("create", vechta), {"name": "kmn-treffen", "kind": "network"})
    assert "Ein Netzwerk mit diesem Namen gibt es in diesem Konzept schon." in response.text
    assert "Bitte korrigieren Sie 1 Angabe" in response.text
    assert vechta.networks.count() == 11


def test_stale_form_is_refused_and_shows_the_current_state(client, concept, member_of):
    member_of(client, concept, role=roles.COORDINATION)
    network = concept.networks.get(name="KMN-Treffen")
    Network.objects.filter(pk=network.pk).update(meeting_cadence="monatlich", version=2)
    response = client.post(
        url("edit", concept, pk=network.pk),
        {"name": "KMN-Treffen", "kind": "network", "meeting_cadence": "jährlich", "version": 1},
    )
    assert response.status_code == 409
    assert "wurde inzwischen von einer anderen Person geändert" in response.text
    assert "gespeichert ist jetzt: „monatlich“" in response.text
    network.refresh_from_db()
    assert network.meeting_cadence == "monatlich"
    # The form now carries the current version: saving again is a conscious decision.
    assert response.context["form"]["version"].value() == "2"
    response = client.post(
        url("edit", concept, pk=network.pk),
        {"name": "KMN-Treffen", "kind": "network", "meeting_cadence": "jährlich", "version": 2},
    )
    assert response.status_code == 302
    network.refresh_from_db()
    assert network.meeting_cadence == "jährlich"


def test_meetings_are_recorded_and_edited(client, concept, member_of):
    member_of(client, concept, role=roles.COORDINATION)
    network = concept.networks.get(name="KMN-Treffen")
    response = client.post(
        url("meeting_create", concept, pk=network.pk),
        {"date": "2025-11-12", "topic": "Herbsttreffen", "minutes": "Neue Angebote vorgestellt."},
    )
    assert response.status_code == 302
    meeting = network.meetings.get()
    assert meeting.date == dt.date(2025, 11, 12)
    response = client.post(
        url("meeting_edit", concept, pk=network.pk, meeting_pk=meeting.pk),
        {"date": "13.11.2025", "topic": "Herbsttreffen 2025", "minutes": "", "version": 1},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.date, meeting.topic) == (dt.date(2025, 11, 13), "Herbsttreffen 2025")
    # A meeting of another network cannot be reached through this one.
    other = concept.networks.get(name="Steuerungsgruppe Integration").meetings.get()
    assert (
        client.get(url("meeting_edit", concept, pk=network.pk, meeting_pk=other.pk)).status_code
        == 404
    )


def test_the_network_page_records_meetings_with_the_date_control_of_the_portal(
    client, concept, member_of
):
    member_of(client, concept, role=roles.COORDINATION)
    network = concept.networks.get(name="KMN-Treffen")
    response = client.get(url("meeting_create", concept, pk=network.pk))
    assert "network" not in response.context["form"].fields  # the page's network
    html = response.text
    assert 'type="date" name="date"' in html
    assert (
        f'href="/konzepte/{concept.slug}/netzwerke/{network.pk}/#sitzungen">KMN-Treffen</a>' in html
    )


def test_coordination_records_a_committee_meeting(client, concept, member_of):
    member_of(client, concept, role=roles.COORDINATION)
    committee = concept.networks.get(name="Steuerungsgruppe Integration")
    target = url("committee_meeting_create", concept)
    page = client.get(target, {"gremium": committee.pk})
    form = page.context["form"]
    assert list(form.fields["network"].queryset.values_list("name", flat=True)) == [
        "Steuerungsgruppe Integration",
        "Hauptverwaltungsbeamten-Konferenz",
        "Leitungsebene",
    ]
    assert f'<option value="{committee.pk}" selected>' in page.text
    assert f'href="/konzepte/{concept.slug}/gremien/">Gremien und Beschlüsse</a>' in page.text
    response = client.post(
        target,
        {
            "network": committee.pk,
            "date": "2026-03-04",
            "topic": "Dashboard 2025",
            "presented": "Übersicht",
        },
    )
    meeting = Meeting.objects.get(topic="Dashboard 2025")
    assert response.status_code == 302
    assert response.url == f"/konzepte/{concept.slug}/gremien/#sitzung-{meeting.pk}"
    assert meeting.network == committee and meeting.date == dt.date(2026, 3, 4)


def test_committee_meeting_form_refuses_bad_input_in_german(client, concept, member_of):
    member_of(client, concept, role=roles.COORDINATION)
    plain = concept.networks.get(name="KMN-Treffen")
    response = client.post(
        url("committee_meeting_create", concept),
        {"network": plain.pk, "date": "2026-13-01", "topic": ""},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "Gremium dieses Konzepts" in errors["network"][0]
    assert errors["date"] == [
        "Bitte ein gültiges Datum im Format TT.MM.JJJJ angeben, z. B. 31.12.2025."
    ]
    assert errors["topic"]
    assert "Es wurde nichts gespeichert" in response.text
    assert not plain.meetings.exists()


def test_committee_meeting_moves_to_another_committee(client, concept, member_of):
    member_of(client, concept, role=roles.COORDINATION)
    meeting = concept.networks.get(name="Steuerungsgruppe Integration").meetings.get()
    hvb = concept.networks.get(name="Hauptverwaltungsbeamten-Konferenz")
    target = url("committee_meeting_edit", concept, meeting_pk=meeting.pk)
    assert 'value="2025-06-04"' in client.get(target).text
    response = client.post(
        target,
        {"network": hvb.pk, "date": "2025-06-05", "topic": "Zwischenbilanz", "version": 1},
    )
    assert response.url == f"/konzepte/{concept.slug}/gremien/#sitzung-{meeting.pk}"
    meeting.refresh_from_db()
    assert (meeting.network, meeting.date) == (hvb, dt.date(2025, 6, 5))


def test_meeting_of_a_plain_network_is_not_edited_on_the_committees_page(
    client, concept, member_of
):
    member_of(client, concept, role=roles.COORDINATION)
    network = concept.networks.get(name="KMN-Treffen")
    plain = services.meeting_create(network=network, date=dt.date(2026, 1, 1), topic="Austausch")
    assert (
        client.get(url("committee_meeting_edit", concept, meeting_pk=plain.pk)).status_code == 404
    )
    assert (
        client.get(url("meeting_edit", concept, pk=network.pk, meeting_pk=plain.pk)).status_code
        == 200
    )


def test_split_form_is_prefilled_and_creates_networks(client, concept, member_of):
    member_of(client, concept, role=roles.COORDINATION)
    statement = concept.statements.get(number="3.9")
    assert "Liste 3.9 aufteilen" in client.get(url("list", concept)).text
    response = client.get(url("statement_split", concept, pk=statement.pk))
    assert response.context["form"]["names"].value() == "Runder Tisch Integration\nPräventionsrat"

    response = client.post(
        url("statement_split", concept, pk=statement.pk),
        {
            "names": "Runder Tisch Integration\r\n\r\nKMN-Treffen\r\nPräventionsrat",
            "kind": "network",
        },
        follow=True,
    )
    assert "2 Netzwerke aus Aussage 3.9 angelegt." in response.text
    assert "Übersprungen, weil es sie schon gibt: KMN-Treffen." in response.text
    assert set(statement.networks.values_list("name", flat=True)) == {
        "Runder Tisch Integration",
        "Präventionsrat",
    }
    statement.refresh_from_db()
    assert not statement.needs_split
    assert "Liste 3.9 aufteilen" not in response.text
    assert client.get(url("statement_split", concept, pk=statement.pk)).status_code == 404


def test_split_errors_name_the_line(client, concept, member_of):
    member_of(client, concept, role=roles.COORDINATION)
    statement = concept.statements.get(number="3.9")
    response = client.post(
        url("statement_split", concept, pk=statement.pk),
        {"names": "A\nB\nA", "kind": "network"},
    )
    assert response.status_code == 200
    assert "Zeile 3: „A“ steht schon in Zeile 1." in response.text
    assert not concept.networks.filter(name="B").exists()


def test_organisation_directory_lists_measures_and_networks(client, vechta, member_of):
    member_of(client, vechta)
    response = client.get(url("organisation_list", vechta))
    organisations = {o.name: o for o in response.context["organisations"]}
    assert len(organisations) == 12
    involvements = MeasureOrganisation.objects.filter(organisation__concept=vechta)
    for organisation in organisations.values():
        leads = {
            i.measure.label
            for i in involvements
            if i.organisation_id == organisation.pk and i.role == "lead"
        }
        assert {m.label for m in organisation.lead_measures} == leads
    jobcenter = organisations["Jobcenter"]
    assert [n.name for n in jobcenter.networks.all()] == ["KMN-Treffen"]
    caritas = organisations["Caritas-Sozialwerk"]
    assert [n.name for n in caritas.coordinated_networks.all()] == [
        "Migrationsdienst des Caritas-Sozialwerkes"
    ]
    detail = client.get(url("organisation_detail", vechta, pk=jobcenter.pk)).text
    assert "KMN-Treffen" in detail and "Mitglied" in detail


def test_coordination_creates_and_edits_an_organisation(client, concept, member_of):
    member_of(client, concept, role=roles.ADMINISTRATION)
    response = client.post(
        url("organisation_create", concept),
        {"name": "Volkshochschule", "kind": Organisation.Kind.EDUCATION, "is_public": "on"},
    )
    organisation = concept.organisations.get(name="Volkshochschule")
    assert response.url == url("organisation_detail", concept, pk=organisation.pk)
    response = client.post(
        url("organisation_edit", concept, pk=organisation.pk),
        {"name": "VHS Vechta", "kind": Organisation.Kind.EDUCATION, "version": 1},
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.name, organisation.is_public, organisation.version) == (
        "VHS Vechta",
        False,
        2,
    )


def _scaled(scale):
    concept = Concept.objects.get(slug=f"demo-skala-{scale}")
    networks = list(concept.networks.all())
    organisations = list(concept.organisations.all())
    measures = list(concept.measures.all())
    Network.members.through.objects.bulk_create(
        Network.members.through(network_id=n.pk, organisation_id=organisations[(i + 1) % 12].pk)
        for i, n in enumerate(networks)
    )
    Measure.networks.through.objects.bulk_create(
        Measure.networks.through(measure_id=m.pk, network_id=networks[i % len(networks)].pk)
        for i, m in enumerate(measures)
    )
    MeasureOrganisation.objects.bulk_create(
        MeasureOrganisation(measure=m, organisation=organisations[i % len(organisations)])
        for i, m in enumerate(measures)
    )
    return concept


def test_queries_do_not_grow_with_data(client, db):
    call_command("generate_demo_data", scale=1, verbosity=0)
    call_command("generate_demo_data", scale=10, verbosity=0)
    client.force_login(UserFactory(is_superuser=True))
    counts = {}
    for scale in (1, 10):
        concept = _scaled(scale)
        pages = {
            "network_list": url("list", concept),
            "organisation_list": url("organisation_list", concept),
            "network_detail": url("detail", concept, pk=concept.networks.first().pk),
            "organisation_detail": url(
                "organisation_detail", concept, pk=concept.organisations.first().pk
            ),
        }
        for name, target in pages.items():
            with CaptureQueriesContext(connection) as queries:
                response = client.get(target)
            assert response.status_code == 200
            counts[name, scale] = len(queries)
    for name in pages:
        assert counts[name, 1] == counts[name, 10], name
        assert counts[name, 10] <= 10, name


def test_detail_pages_show_the_change_history_in_german(client, concept, member_of):
    user = member_of(client, concept, role=roles.COORDINATION, first_name="Kim", last_name="K.")
    network = concept.networks.get(name="KMN-Treffen")
    caritas = concept.organisations.get(name="Caritas-Sozialwerk")
    jobcenter = concept.organisations.get(name="Jobcenter")
    response = client.post(
        url("edit", concept, pk=network.pk),
        {
            "name": "KMN-Treffen",
            "kind": Network.Kind.WORKING_GROUP,
            "purpose": "Austausch der Migrationsberatungen",
            "members": [jobcenter.pk, caritas.pk],
            "meeting_cadence": "monatlich",
            "statement": network.statement_id,
            "is_public": "on" if network.is_public else "",
            "version": network.version,
        },
    )
    assert response.status_code == 302
    page = client.get(url("detail", concept, pk=network.pk))
    history = page.context["history"]
    assert history[0]["kind"] == "changed" and history[0]["user"] == user
    changes = {c.label: (c.old, c.new) for c in history[0]["changes"]}
    assert changes == {
        "Art": ("Netzwerk", "Arbeitskreis"),
        "Mitglieder": ("Jobcenter", "Caritas-Sozialwerk, Jobcenter"),
        "Sitzungsturnus": ("–", "monatlich"),
    }
    assert "Änderungsverlauf" in page.text
    assert "Art: Netzwerk → Arbeitskreis" in page.text
    assert "Kim K." in page.text

    response = client.post(
        url("organisation_edit", concept, pk=caritas.pk),
        {"name": "Caritas-Sozialwerk", "kind": caritas.kind, "is_public": "", "version": 1},
    )
    assert response.status_code == 302
    page = client.get(url("organisation_detail", concept, pk=caritas.pk))
    assert [c.label for c in page.context["history"][0]["changes"]] == ["öffentlich"]
    assert "öffentlich: ja → nein" in page.text


def test_new_entries_show_who_created_them(client, concept, member_of):
    member_of(client, concept, role=roles.COORDINATION, username="koordination")
    client.post(url("organisation_create", concept), {"name": "VHS", "kind": "education"})
    organisation = concept.organisations.get(name="VHS")
    page = client.get(url("organisation_detail", concept, pk=organisation.pk))
    assert "koordination" in page.text and "Akteur angelegt" in page.text

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from concept.locking import StaleVersion
from concept.models import Statement
from networks import services
from networks.models import Network, Organisation
from tests.factories import (
    ConceptFactory,
    NetworkFactory,
    OrganisationFactory,
    StatementFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

VECHTA_LIST = (
    "Vorhandene Netzwerke (beispielhaft): Koordinierungsstab Flüchtlinge (mit dazugehörigen "
    "Arbeitskreisen) Bildungskoordination für Flüchtlinge Koordination der Sprachförderung "
    "Koordinierungsstelle Migration und Teilhabe Integrationslotsen/-lotsinnen KMN-Treffen "
    "Migrationsdienst des Caritas-Sozialwerkes Koordination Kita-Einstieg u.v.m."
)
VECHTA_NAMES = [
    "Koordinierungsstab Flüchtlinge (mit dazugehörigen Arbeitskreisen)",
    "Bildungskoordination für Flüchtlinge",
    "Koordination der Sprachförderung",
    "Koordinierungsstelle Migration und Teilhabe",
    "Integrationslotsen/-lotsinnen",
    "KMN-Treffen",
    "Migrationsdienst des Caritas-Sozialwerkes",
    "Koordination Kita-Einstieg",
]


def test_suggestion_splits_the_vechta_network_list_as_the_fixture_has_it():
    assert services.suggest_network_names(VECHTA_LIST) == VECHTA_NAMES


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "Netzwerke: Runder Tisch Integration; Jugendmigrationsdienst, Migrationsberatung "
            "für Erwachsene (MBE, Caritas) • Präventionsrat",
            [
                "Runder Tisch Integration",
                "Jugendmigrationsdienst",
                "Migrationsberatung für Erwachsene (MBE, Caritas)",
                "Präventionsrat",
            ],
        ),
        # A term after a linking word stays in the name.
        (
            "Arbeitskreis der Koordinierungsstellen Netzwerk Frühe Hilfen usw.",
            [
                "Arbeitskreis der Koordinierungsstellen",
                "Netzwerk Frühe Hilfen",
            ],
        ),
        ("Nur ein Name", ["Nur ein Name"]),
        ("", []),
    ],
)
def test_suggestion_heuristic(text, names):
    assert services.suggest_network_names(text) == names


@pytest.fixture
def list_statement(db):
    concept = ConceptFactory()
    return StatementFactory(
        concept=concept,
        section=Statement.Section.COORDINATION,
        number="3.1",
        text=VECHTA_LIST,
        needs_split=True,
    )


def test_split_creates_one_network_per_line_and_clears_the_flag(list_statement):
    concept = list_statement.concept
    # Moved to place 5 (the admin orders networks); the service places new ones after it.
    Network.objects.create(concept=concept, name="Bestehendes Netzwerk", position=5)
    lines = ["", *VECHTA_NAMES[:3], "   ", "  KMN-Treffen  "]
    result = services.statement_split_into_networks(
        statement=list_statement, lines=lines, kind=Network.Kind.COORDINATION
    )
    assert [n.name for n in result.created] == [*VECHTA_NAMES[:3], "KMN-Treffen"]
    assert result.skipped == []
    created = Network.objects.filter(statement=list_statement).order_by("position")
    assert [n.name for n in created] == [*VECHTA_NAMES[:3], "KMN-Treffen"]
    assert {n.kind for n in created} == {Network.Kind.COORDINATION}
    assert not any(n.is_public for n in created)
    assert [n.position for n in created] == [6, 7, 8, 9]
    list_statement.refresh_from_db()
    assert list_statement.needs_split is False


def test_split_skips_names_that_exist_and_reports_them(list_statement):
    concept = list_statement.concept
    NetworkFactory(concept=concept, name="KMN-Treffen")
    result = services.statement_split_into_networks(
        statement=list_statement, lines=["kmn-treffen", "Neues Netzwerk"], kind="network"
    )
    assert result.skipped == ["KMN-Treffen"]
    assert [n.name for n in result.created] == ["Neues Netzwerk"]
    assert concept.networks.count() == 2


def test_split_refuses_duplicate_lines_naming_them_and_writes_nothing(list_statement):
    lines = ["KMN-Treffen", "Arbeitskreis Sprache", "", "kmn-treffen", "x" * 201]
    with pytest.raises(ValidationError) as caught:
        services.statement_split_into_networks(
            statement=list_statement, lines=lines, kind="network"
        )
    assert caught.value.messages == [
        "Zeile 4: „kmn-treffen“ steht schon in Zeile 1.",
        "Zeile 5: Der Name ist zu lang (höchstens 200 Zeichen).",
    ]
    assert Network.objects.count() == 0
    list_statement.refresh_from_db()
    assert list_statement.needs_split is True


def test_split_needs_at_least_one_name(list_statement):
    with pytest.raises(ValidationError, match="mindestens einen Namen"):
        services.statement_split_into_networks(
            statement=list_statement, lines=["", "  "], kind="network"
        )


def test_split_runs_only_once(list_statement):
    services.statement_split_into_networks(statement=list_statement, lines=["A"], kind="network")
    with pytest.raises(ValidationError, match="bereits aufgeteilt"):
        services.statement_split_into_networks(
            statement=list_statement, lines=["B"], kind="network"
        )
    assert list(Network.objects.values_list("name", flat=True)) == ["A"]


def test_network_create_and_update_with_members():
    concept = ConceptFactory()
    jobcenter = OrganisationFactory(concept=concept, name="Jobcenter")
    caritas = OrganisationFactory(concept=concept, name="Caritas")
    network = services.network_create(
        concept=concept,
        name="  Runder Tisch  ",
        kind=Network.Kind.WORKING_GROUP,
        purpose="Austausch",
        coordinator=caritas,
        members=[jobcenter, caritas],
        meeting_cadence="vierteljährlich",
    )
    assert network.name == "Runder Tisch"
    assert network.position == 1
    assert set(network.members.all()) == {jobcenter, caritas}
    assert network.version == 1

    services.network_update(
        network=network,
        expected_version=1,
        name="Runder Tisch Integration",
        kind=Network.Kind.NETWORK,
        purpose="",
        coordinator=None,
        members=[jobcenter],
        meeting_cadence="",
        platform_url="https://example.org/forum",
        statement=None,
        is_public=True,
    )
    network.refresh_from_db()
    assert (network.name, network.version, network.is_public) == (
        "Runder Tisch Integration",
        2,
        True,
    )
    assert list(network.members.all()) == [jobcenter]


def test_second_editor_with_stale_version_is_refused():
    concept = ConceptFactory()
    network = services.network_create(concept=concept, name="Netzwerk A")
    fields = {
        "kind": "network",
        "purpose": "",
        "coordinator": None,
        "members": [],
        "meeting_cadence": "",
        "platform_url": "",
        "statement": None,
        "is_public": False,
    }
    services.network_update(network=network, expected_version=1, name="Erste Änderung", **fields)
    stale = Network.objects.get(pk=network.pk)
    with pytest.raises(StaleVersion) as caught:
        services.network_update(network=stale, expected_version=1, name="Zweite", **fields)
    assert "Erste Änderung" in str(caught.value)
    assert "nicht gespeichert" in str(caught.value)
    assert Network.objects.get(pk=network.pk).name == "Erste Änderung"


def test_network_names_are_unique_per_concept_ignoring_case():
    concept = ConceptFactory()
    services.network_create(concept=concept, name="KMN-Treffen")
    with pytest.raises(ValidationError) as caught:
        services.network_create(concept=concept, name="kmn-treffen")
    assert caught.value.message_dict["name"] == [
        "Ein Netzwerk mit diesem Namen gibt es in diesem Konzept schon."
    ]
    # Another district may use the same name.
    services.network_create(concept=ConceptFactory(), name="KMN-Treffen")


def test_network_refuses_organisations_of_another_concept():
    concept = ConceptFactory()
    foreign = OrganisationFactory()
    with pytest.raises(ValidationError) as caught:
        services.network_create(concept=concept, name="N", coordinator=foreign)
    assert "coordinator" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.network_create(concept=concept, name="N", members=[foreign])
    assert "members" in caught.value.message_dict
    assert Network.objects.count() == 0


def test_organisation_create_update_and_conflict():
    concept = ConceptFactory()
    organisation = services.organisation_create(concept=concept, name="Jobcenter Vechta")
    assert organisation.is_public is False  # public only when someone says so
    services.organisation_update(
        organisation=organisation,
        expected_version=1,
        name="Jobcenter Landkreis Vechta",
        short_name="JC",
        kind=Organisation.Kind.EMPLOYMENT,
        website="https://jobcenter.example",
        is_public=False,
    )
    stale = Organisation.objects.get(pk=organisation.pk)
    stale.version = 1
    with pytest.raises(StaleVersion):
        services.organisation_update(
            organisation=stale,
            expected_version=1,
            name="Überschrieben",
            short_name="",
            kind=Organisation.Kind.OTHER,
            website="",
            is_public=True,
        )
    organisation.refresh_from_db()
    assert (organisation.name, organisation.is_public, organisation.version) == (
        "Jobcenter Landkreis Vechta",
        False,
        2,
    )
    with pytest.raises(ValidationError) as caught:
        services.organisation_create(concept=concept, name="jobcenter landkreis vechta")
    assert "name" in caught.value.message_dict


def test_meeting_create_and_update():
    network = services.network_create(concept=ConceptFactory(), name="Steuerungsgruppe")
    meeting = services.meeting_create(
        network=network, date=dt.date(2025, 6, 4), topic=" Zwischenbilanz ", minutes="Kurz."
    )
    assert meeting.topic == "Zwischenbilanz"
    services.meeting_update(
        meeting=meeting,
        expected_version=meeting.version,
        date=dt.date(2025, 6, 5),
        topic="Bilanz",
        presented="Dashboard",
        minutes="",
    )
    meeting.refresh_from_db()
    assert (meeting.date, meeting.topic, meeting.presented) == (
        dt.date(2025, 6, 5),
        "Bilanz",
        "Dashboard",
    )
    with pytest.raises(ValidationError) as caught:
        services.meeting_create(network=network, date=dt.date(2025, 1, 1), topic="")
    assert "topic" in caught.value.message_dict


def test_meeting_moves_only_within_its_concept():
    concept = ConceptFactory()
    committee = services.network_create(concept=concept, name="Steuerungsgruppe")
    other = services.network_create(concept=concept, name="HVB-Konferenz")
    foreign = services.network_create(concept=ConceptFactory(), name="Fremdes Gremium")
    meeting = services.meeting_create(network=committee, date=dt.date(2025, 6, 4), topic="Bilanz")
    fields = {"date": meeting.date, "topic": "Bilanz", "presented": "", "minutes": ""}
    with pytest.raises(ValidationError) as caught:
        services.meeting_update(meeting=meeting, expected_version=1, network=foreign, **fields)
    assert caught.value.message_dict == {
        "network": ["Das Netzwerk gehört zu einem anderen Konzept."]
    }
    services.meeting_update(meeting=meeting, expected_version=1, network=other, **fields)
    meeting.refresh_from_db()
    assert (meeting.network, meeting.version) == (other, 2)


# --- History ------------------------------------------------------------------------------


def _member_names(record):
    members = record.members.model.objects.filter(history_id=record.history_id)
    return sorted(row.organisation.name for row in members)


def test_network_history_records_who_why_and_the_members_in_one_entry_per_change():
    concept = ConceptFactory()
    user = UserFactory()
    jobcenter = OrganisationFactory(concept=concept, name="Jobcenter")
    caritas = OrganisationFactory(concept=concept, name="Caritas")
    network = services.network_create(
        concept=concept, name="Runder Tisch", members=[jobcenter], user=user, reason="Neu"
    )
    services.network_update(
        network=network,
        expected_version=1,
        name="Runder Tisch",
        kind=Network.Kind.NETWORK,
        purpose="Austausch",
        coordinator=None,
        members=[jobcenter, caritas],
        meeting_cadence="",
        platform_url="",
        statement=None,
        is_public=False,
        user=user,
        reason="Datenimport „netzwerke.csv“",
    )
    records = list(network.history.order_by("history_date", "history_id"))
    # Created, its members added, then the update: one record, members included.
    assert [r.history_type for r in records] == ["+", "~", "~"]
    assert all(r.history_user == user for r in records)
    latest = records[-1]
    assert latest.purpose == "Austausch" and latest.version == 2
    assert latest.history_change_reason == "Datenimport „netzwerke.csv“"
    assert _member_names(latest) == ["Caritas", "Jobcenter"]
    assert _member_names(records[-2]) == ["Jobcenter"]


def test_organisation_history_records_user_and_reason():
    concept = ConceptFactory()
    user = UserFactory()
    organisation = services.organisation_create(concept=concept, name="VHS", user=user)
    services.organisation_update(
        organisation=organisation,
        expected_version=1,
        name="VHS Vechta",
        short_name="VHS",
        kind=Organisation.Kind.EDUCATION,
        website="",
        is_public=True,
        user=user,
        reason="Datenimport „akteure.xlsx“",
    )
    created, changed = organisation.history.order_by("history_date", "history_id")
    assert (created.history_type, created.name, created.history_change_reason) == ("+", "VHS", None)
    assert (changed.name, changed.kind, changed.history_user) == ("VHS Vechta", "education", user)
    assert changed.history_change_reason == "Datenimport „akteure.xlsx“"


def test_first_change_of_an_entry_without_history_keeps_its_previous_state():
    """Fixtures and rows from before the history have no record; the first change adds one
    for the stored state first, so the change can be shown from … to …."""
    concept = ConceptFactory()
    organisation = OrganisationFactory(concept=concept, name="Alt", short_name="A")
    organisation.history.all().delete()
    services.organisation_update(
        organisation=organisation,
        expected_version=1,
        name="Alt",
        short_name="B",
        kind=Organisation.Kind.OTHER,
        website="",
        is_public=True,
    )
    baseline, changed = organisation.history.order_by("history_date", "history_id")
    assert (baseline.short_name, baseline.history_user, baseline.version) == ("A", None, 1)
    assert (changed.short_name, changed.version) == ("B", 2)

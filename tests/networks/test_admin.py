import pytest
from django.urls import reverse

from networks.models import Network, Organisation
from tests.factories import ConceptFactory, NetworkFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_change_in_the_admin_moves_the_version_on(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    concept = ConceptFactory()
    network = NetworkFactory(concept=concept, name="KMN-Treffen")
    response = client.post(
        reverse("admin:networks_network_change", args=[network.pk]),
        {
            "concept": concept.pk,
            "name": "KMN-Treffen",
            "kind": "network",
            "purpose": "Neu im Admin",
            "position": 6,
            "meetings-TOTAL_FORMS": 0,
            "meetings-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    network = Network.objects.get(pk=network.pk)
    assert (network.purpose, network.version) == ("Neu im Admin", 2)


def test_admin_changes_are_in_the_history_shown_by_the_admin(client, db):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    concept = ConceptFactory()
    NetworkFactory(concept=concept)
    organisation = OrganisationFactory(
        concept=concept, name="Jobcenter", kind=Organisation.Kind.EMPLOYMENT
    )
    response = client.post(
        reverse("admin:networks_organisation_change", args=[organisation.pk]),
        {"concept": concept.pk, "name": "Jobcenter", "short_name": "JC", "kind": "employment"},
    )
    assert response.status_code == 302
    record = organisation.history.latest()
    assert (record.short_name, record.history_user) == ("JC", admin_user)
    for name, pk in [
        ("admin:networks_organisation_history", organisation.pk),
        ("admin:networks_network_history", concept.networks.first().pk),
    ]:
        assert client.get(reverse(name, args=[pk])).status_code == 200

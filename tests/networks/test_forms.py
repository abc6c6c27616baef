"""The network forms report the model's rules together with the fields' errors."""

import pytest

from networks.forms import NetworkForm, OrganisationForm
from networks.models import Network, Organisation
from tests.factories import ConceptFactory, NetworkFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_network_name_taken_comes_with_the_other_errors():
    concept = ConceptFactory()
    NetworkFactory(concept=concept, name="KMN-Treffen")
    form = NetworkForm(
        {"name": "KMN-Treffen", "kind": "x", "platform_url": "kein link"},
        concept=concept,
        instance=Network(concept=concept),
    )
    assert not form.is_valid()
    assert set(form.errors) == {"name", "kind", "platform_url"}
    assert form.errors["name"] == ["Ein Netzwerk mit diesem Namen gibt es in diesem Konzept schon."]


def test_organisation_name_taken_comes_with_the_other_errors():
    concept = ConceptFactory()
    OrganisationFactory(concept=concept, name="Jobcenter")
    form = OrganisationForm(
        {"name": "Jobcenter", "kind": "x", "website": "kein link"},
        instance=Organisation(concept=concept),
    )
    assert not form.is_valid()
    assert set(form.errors) == {"name", "kind", "website"}


def test_editing_keeps_its_own_name():
    concept = ConceptFactory()
    network = NetworkFactory(concept=concept, name="KMN-Treffen")
    form = NetworkForm(
        {"name": "KMN-Treffen", "kind": network.kind, "version": network.version},
        concept=concept,
        instance=network,
    )
    assert form.is_valid(), form.errors

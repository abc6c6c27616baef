"""The admin of statistics sources: installation-wide, so Administration only; readings are
shown, never edited."""

import pytest
from django.test import Client
from django.urls import reverse

from concept import roles
from tests.factories import ConceptFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db


def staff(concept, role):
    client = Client()
    client.force_login(add_member(concept, UserFactory(is_staff=True), role))
    return client


def test_sources_are_for_administration_only():
    concept = ConceptFactory()
    url = reverse("admin:goals_statisticssource_changelist")
    assert staff(concept, roles.COORDINATION).get(url).status_code == 403
    assert staff(concept, roles.ADMINISTRATION).get(url).status_code == 200


def test_readings_cannot_be_added():
    concept = ConceptFactory()
    client = staff(concept, roles.ADMINISTRATION)
    assert client.get(reverse("admin:goals_statisticsimport_changelist")).status_code == 200
    assert client.get(reverse("admin:goals_statisticsimport_add")).status_code == 403

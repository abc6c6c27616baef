"""The dashboard shows a running Sachstandsabfrage's progress, per goal and per person."""

import pytest
from django.utils import timezone

from concept import roles
from measures import services
from tests.factories import ConceptFactory, MeasureFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db


def test_dashboard_shows_running_campaign_per_person_with_filtered_links(client):
    concept = ConceptFactory()
    coordinator = add_member(concept, UserFactory(), roles.COORDINATION)
    owner = UserFactory(first_name="Olga", last_name="Owner", email="o@example.org")
    measure = MeasureFactory(concept=concept)
    measure.responsible_users.add(owner)
    today = timezone.localdate()
    campaign, _ = services.campaign_open(
        concept=concept, user=coordinator, reference_date=today, deadline=today
    )
    client.force_login(coordinator)
    page = client.get(f"/konzepte/{concept.slug}/").text
    assert campaign.label in page and "Olga Owner" in page
    assert f"abfrage={campaign.pk}&amp;verantwortlich={owner.pk}&amp;abfrage_stand=offen" in page

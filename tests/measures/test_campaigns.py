"""Sachstandsabfragen: one mail per responsible person, answers are ordinary Sachstände,
one reminder per person and day."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from concept import roles
from concept.models import MailLog
from measures import queries, services
from tests.factories import (
    ConceptFactory,
    MeasureFactory,
    ProgressEntryFactory,
    UserFactory,
    add_member,
)

pytestmark = pytest.mark.django_db


def test_open_answer_and_remind_once_a_day():
    concept = ConceptFactory()
    coordinator = add_member(concept, UserFactory(), roles.COORDINATION)
    owner = UserFactory(email="owner@example.org")
    first, second = MeasureFactory(concept=concept), MeasureFactory(concept=concept)
    first.responsible_users.add(owner)
    second.responsible_users.add(owner)
    today = timezone.localdate()
    campaign, sent = services.campaign_open(
        concept=concept,
        user=coordinator,
        reference_date=today - dt.timedelta(days=5),
        deadline=today + dt.timedelta(days=30),
    )
    assert sent == 1
    log = MailLog.objects.get(kind="campaign")
    assert first.label in log.body_text and second.label in log.body_text
    ProgressEntryFactory(measure=first, text="Läuft.")
    (progress,) = queries.campaign_progress(concept, [campaign])
    assert (progress.total.answered, progress.total.pending) == (1, 1)
    assert services.campaign_remind(campaign=campaign, user=coordinator) == 1
    assert services.campaign_remind(campaign=campaign, user=coordinator) == 0
    reminder = MailLog.objects.get(kind="campaign_reminder")
    assert second.label in reminder.body_text and first.label not in reminder.body_text


def test_only_koordination_opens():
    concept = ConceptFactory()
    steering = add_member(concept, UserFactory(), roles.STEERING_GROUP)
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        services.campaign_open(
            concept=concept,
            user=steering,
            reference_date=today,
            deadline=today,
            measures=[MeasureFactory(concept=concept)],
        )


def test_pages_check_permissions_and_show_progress(client):
    concept = ConceptFactory()
    coordinator = add_member(concept, UserFactory(), roles.COORDINATION)
    steering = add_member(concept, UserFactory(), roles.STEERING_GROUP)
    owner = UserFactory(first_name="Olga", last_name="Owner", email="o@example.org")
    measure = MeasureFactory(concept=concept)
    measure.responsible_users.add(owner)
    today = timezone.localdate()
    campaign, _sent = services.campaign_open(
        concept=concept, user=coordinator, reference_date=today, deadline=today
    )
    base = f"/konzepte/{concept.slug}/abfragen/"
    detail, remind, create = (
        f"{base}{campaign.pk}/",
        f"{base}{campaign.pk}/erinnern/",
        f"{base}neu/",
    )
    assert client.get(detail).status_code == 302  # anonymous: login
    client.force_login(steering)
    page = client.get(detail)
    assert page.status_code == 200 and "Olga Owner" in page.text
    assert client.get(create).status_code == 403
    assert client.post(remind).status_code == 403
    client.force_login(coordinator)
    assert client.get(base).status_code == 200
    assert client.get(create).status_code == 200
    assert client.post(remind).status_code == 302
    assert MailLog.objects.filter(kind="campaign_reminder").count() == 1
    response = client.post(
        create,
        {"reference_date": "01.01.2020", "deadline": "02.01.2020", "measures": [measure.pk]},
    )
    assert response.status_code == 200 and "Die Frist liegt in der Vergangenheit." in response.text
    listed = client.get(
        f"/konzepte/{concept.slug}/massnahmen/?abfrage={campaign.pk}&abfrage_stand=offen"
    )
    assert listed.status_code == 200 and measure.label in listed.text


def test_my_measures_shows_what_a_running_campaign_asks_for(client):
    concept = ConceptFactory()
    coordinator = add_member(concept, UserFactory(), roles.COORDINATION)
    owner = add_member(concept, UserFactory(email="o@example.org"), roles.MEASURE_OWNERS)
    measure = MeasureFactory(concept=concept)
    measure.responsible_users.add(owner)
    today = timezone.localdate()
    services.campaign_open(concept=concept, user=coordinator, reference_date=today, deadline=today)
    client.force_login(owner)
    page = client.get(f"/konzepte/{concept.slug}/massnahmen/meine/").text
    assert f"Sachstandsabfrage: bis {today:%d.%m.%Y}" in page
    ProgressEntryFactory(measure=measure, text="Läuft.")
    page = client.get(f"/konzepte/{concept.slug}/massnahmen/meine/").text
    assert "Sachstandsabfrage: bis" not in page


def test_admin_shows_only_the_persons_concepts(client):
    concept, other = ConceptFactory(), ConceptFactory()
    coordinator = add_member(concept, UserFactory(is_staff=True), roles.COORDINATION)
    foreign = add_member(other, UserFactory(), roles.COORDINATION)
    today = timezone.localdate()
    mine, _ = services.campaign_open(
        concept=concept, user=coordinator, reference_date=today, deadline=today,
        measures=[MeasureFactory(concept=concept)],
    )  # fmt: skip
    theirs, _ = services.campaign_open(
        concept=other, user=foreign, reference_date=today, deadline=today,
        measures=[MeasureFactory(concept=other)],
    )  # fmt: skip
    client.force_login(coordinator)
    assert client.get(f"/admin/measures/campaign/{mine.pk}/change/").status_code == 200
    assert client.get(f"/admin/measures/campaign/{theirs.pk}/change/").status_code in (
        302,
        403,
        404,
    )

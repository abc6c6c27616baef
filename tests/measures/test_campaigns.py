"""Sachstandsabfragen: one mail per responsible person, answers are ordinary Sachstände,
one reminder per person and day."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from concept import locking, roles
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


def _opened(concept, coordinator, owner):
    measure = MeasureFactory(concept=concept)
    measure.responsible_users.add(owner)
    today = timezone.localdate()
    campaign, _sent = services.campaign_open(
        concept=concept,
        user=coordinator,
        reference_date=today,
        deadline=today + dt.timedelta(days=14),
    )
    return campaign, measure


def test_closing_a_campaign_ends_the_asking_and_keeps_its_ruecklauf(client):
    concept = ConceptFactory()
    coordinator = add_member(
        concept, UserFactory(first_name="Kim", last_name="Kuhn"), roles.COORDINATION
    )
    owner = add_member(concept, UserFactory(email="o@example.org"), roles.MEASURE_OWNERS)
    campaign, measure = _opened(concept, coordinator, owner)
    base = f"/konzepte/{concept.slug}/abfragen/{campaign.pk}/"
    mine = f"/konzepte/{concept.slug}/massnahmen/meine/"
    dashboard = f"/konzepte/{concept.slug}/"
    client.force_login(coordinator)
    assert campaign.label in client.get(dashboard).text
    detail = client.get(base).text
    assert 'id="abfrage-beenden"' in detail and "Alle mit offenen Maßnahmen erinnern" in detail

    confirm = client.get(f"{base}beenden/")
    assert confirm.status_code == 200
    assert "Beantwortet sind 0 von 1 Maßnahmen; 1 ist noch offen." in confirm.text
    recorded = campaign.history.count()
    response = client.post(f"{base}beenden/", {"version": campaign.version}, follow=True)
    assert "ist beendet" in response.text
    campaign.refresh_from_db()
    assert campaign.is_closed and campaign.closed_by == coordinator
    assert campaign.history.first().history_user == coordinator

    detail = client.get(base).text
    assert f"Beendet am {timezone.localdate():%d.%m.%Y} von Kim Kuhn" in detail
    assert "Alle mit offenen Maßnahmen erinnern" not in detail
    assert 'id="abfrage-beenden"' not in detail
    assert "Frist abgelaufen" not in detail
    # The Rücklauf stays readable: the pending measure is still listed.
    assert measure.label in detail
    # It asks nobody any more: not on the dashboard, not on "Meine Maßnahmen", no reminders.
    assert campaign.label not in client.get(dashboard).text
    client.force_login(owner)
    assert "Sachstandsabfrage: bis" not in client.get(mine).text
    client.force_login(coordinator)
    refused = client.post(f"{base}erinnern/", follow=True)
    assert "Die Sachstandsabfrage ist beendet; es wird niemand mehr erinnert." in refused.text
    assert not MailLog.objects.filter(kind="campaign_reminder").exists()
    with pytest.raises(ValidationError):
        services.campaign_remind(campaign=campaign, user=coordinator)
    # Ending it again says so and changes nothing.
    again = client.post(f"{base}beenden/", {"version": campaign.version}, follow=True)
    assert "bereits beendet" in again.text
    with pytest.raises(ValidationError, match="bereits beendet"):
        services.campaign_close(
            campaign=campaign, user=coordinator, expected_version=campaign.version
        )
    assert campaign.history.count() == recorded + 1


def test_closing_refuses_a_campaign_changed_meanwhile_and_only_koordination_closes(client):
    concept = ConceptFactory()
    coordinator = add_member(concept, UserFactory(), roles.COORDINATION)
    steering = add_member(concept, UserFactory(), roles.STEERING_GROUP)
    campaign, _measure = _opened(concept, coordinator, UserFactory(email="o@example.org"))
    close = f"/konzepte/{concept.slug}/abfragen/{campaign.pk}/beenden/"
    client.force_login(steering)
    assert client.get(close).status_code == 403
    assert client.post(close, {"version": campaign.version}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.campaign_close(campaign=campaign, user=steering, expected_version=None)

    seen = campaign.version
    # Meanwhile someone corrects the deadline (as the admin does, claiming the version).
    with transaction.atomic():
        locking.claim(campaign, seen)
        campaign.deadline += dt.timedelta(days=7)
        campaign.save()
    client.force_login(coordinator)
    response = client.post(close, {"version": seen})
    assert response.status_code == 409
    campaign.refresh_from_db()
    assert not campaign.is_closed
    # Confirmed again on the current version, it ends.
    response = client.post(close, {"version": campaign.version})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.is_closed

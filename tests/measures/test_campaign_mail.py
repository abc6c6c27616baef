"""A Sachstandsabfrage's mails through the django-tasks worker to a real SMTP server
(aiosmtpd): one per person with their measures, the reminder only for what is pending, a
refused reminder retried."""

import datetime as dt

import pytest
from django.utils import timezone

from concept import roles
from concept.models import MailLog
from measures import services
from tests.factories import (
    ConceptFactory,
    MeasureFactory,
    ProgressEntryFactory,
    UserFactory,
    add_member,
)

# The worker sees only committed rows, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

SITE = "https://integration.landkreis.example"


@pytest.fixture
def mail_settings(settings):
    settings.DEFAULT_FROM_EMAIL = "portal@landkreis.example"
    settings.PORTAL_BASE_URL = SITE
    settings.PORTAL_MAIL_RETRY_DELAYS = [0, 0]
    return settings


def subject(message):
    # A long encoded subject is folded onto the next header line; readers unfold it.
    return message["Subject"].strip()


def bodies(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_campaign_mails_and_reminders_reach_each_person_by_smtp(
    smtp_server, mail_settings, run_worker
):
    concept = ConceptFactory(slug="lk-test")
    coordinator = add_member(concept, UserFactory(), roles.COORDINATION)
    anna = UserFactory(first_name="Anna", last_name="Berg", email="anna@lk.example")
    ben = UserFactory(first_name="Ben", last_name="Kaya", email="ben@lk.example")
    kita = MeasureFactory(concept=concept, title="Sprachförderung in Kitas & Familien")
    job = MeasureFactory(concept=concept, title="Jobbörse")
    club = MeasureFactory(concept=concept, title="Sportvereine öffnen")
    kita.responsible_users.add(anna)
    job.responsible_users.add(anna, ben)
    club.responsible_users.add(ben)
    today = timezone.localdate()
    campaign, queued = services.campaign_open(
        concept=concept,
        user=coordinator,
        reference_date=today - dt.timedelta(days=3),
        deadline=today + dt.timedelta(days=28),
        message="Die Angaben gehen in den Jahresbericht.",
    )
    assert queued == 2
    assert smtp_server.envelopes == []  # queued for the worker, not sent in the request
    run_worker()

    messages = zip(smtp_server.envelopes, smtp_server.messages(), strict=True)
    received = {tuple(envelope.rcpt_tos): message for envelope, message in messages}
    assert set(received) == {("anna@lk.example",), ("ben@lk.example",)}
    message = received[("anna@lk.example",)]
    assert subject(message) == f"Sachstandsabfrage: {campaign.label}"
    text, html = bodies(message)
    assert text.startswith("Guten Tag Anna Berg,")
    deadline = f"{campaign.deadline:%d.%m.%Y}"
    assert f"bis zum {deadline}" in text
    assert f"- {kita.label}: Sprachförderung in Kitas & Familien" in text
    assert f"{SITE}/konzepte/lk-test/massnahmen/{kita.label}/sachstand/" in text
    assert f"{SITE}/konzepte/lk-test/massnahmen/{job.label}/sachstand/" in text
    assert club.label not in text
    assert "Die Angaben gehen in den Jahresbericht." in text
    assert "Sprachförderung in Kitas &amp; Familien" in html
    assert f'href="{SITE}/konzepte/lk-test/massnahmen/meine/"' in html
    assert MailLog.objects.filter(kind="campaign", status=MailLog.Status.SENT).count() == 2

    # Anna answers both of hers; the reminder goes to Ben alone, for his pending ones. The
    # server refuses it once: retried, then delivered.
    ProgressEntryFactory(measure=kita, text="Läuft.")
    ProgressEntryFactory(measure=job, text="Läuft.")
    smtp_server.refuse = 1
    assert services.campaign_remind(campaign=campaign, user=coordinator) == 1
    run_worker()
    assert len(smtp_server.refused) == 1
    reminder = smtp_server.messages()[-1]
    assert smtp_server.envelopes[-1].rcpt_tos == ["ben@lk.example"]
    assert subject(reminder) == f"Erinnerung: {campaign.label}"
    text, _html = bodies(reminder)
    assert f"- {club.label}: Sportvereine öffnen" in text and job.label not in text
    row = MailLog.objects.get(kind="campaign_reminder")
    assert row.status == MailLog.Status.SENT and row.attempts == 2

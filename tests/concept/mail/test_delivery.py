"""Mail from the queue to a real SMTP server (aiosmtpd), through the django-tasks database
worker, as in production: delivered, retried after a refusal, logged as failed."""

import pytest

from concept.mail import send
from concept.models import MailLog
from tests.factories import UserFactory

# The worker sees only committed rows, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mail_settings(settings):
    settings.DEFAULT_FROM_EMAIL = "portal@landkreis.example"
    settings.PORTAL_BASE_URL = "https://integration.landkreis.example"
    settings.PORTAL_MAIL_RETRY_DELAYS = [0, 0]
    return settings


def message_args(**extra):
    return {
        "subject": "Sachstände fällig",
        "template": "mail/message",
        "context": {
            "paragraphs": ["Schule & Beruf: bitte den Sachstand <ergänzen>."],
            "link": "https://integration.landkreis.example/konzepte/lk/massnahmen/S1/",
            "link_label": "Zur Maßnahme",
        },
        **extra,
    }


def test_mail_goes_out_by_smtp_as_german_text_with_an_html_alternative(
    smtp_server, mail_settings, run_worker
):
    anna = UserFactory(
        username="anna", first_name="Anna", last_name="Berg", email="anna@lk.example"
    )
    [row] = send([anna], kind="reminder", key="2026-12-05", **message_args())
    assert row.status == MailLog.Status.QUEUED
    assert smtp_server.envelopes == []  # queued, not sent in the caller's request

    run_worker()

    [envelope] = smtp_server.envelopes
    assert envelope.mail_from == "portal@landkreis.example"
    assert envelope.rcpt_tos == ["anna@lk.example"]
    [message] = smtp_server.messages()
    assert message["Subject"] == "Sachstände fällig"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert text.startswith("Guten Tag Anna Berg,")
    # Plain text is not HTML-escaped; the HTML part is.
    assert "Schule & Beruf: bitte den Sachstand <ergänzen>." in text
    assert "Schule &amp; Beruf: bitte den Sachstand &lt;ergänzen&gt;." in html
    assert "https://integration.landkreis.example/konzepte/lk/massnahmen/S1/" in text
    assert 'href="https://integration.landkreis.example/konzepte/lk/massnahmen/S1/"' in html
    row.refresh_from_db()
    assert row.status == MailLog.Status.SENT
    assert row.attempts == 1 and row.sent_at is not None and row.error == ""


def test_same_recipient_kind_and_key_is_sent_once(smtp_server, mail_settings, run_worker):
    anna = UserFactory(username="anna", email="anna@lk.example")
    assert len(send([anna], kind="reminder", key="2026-12-05", **message_args())) == 1
    assert send([anna], kind="reminder", key="2026-12-05", **message_args()) == []
    # Another key, another kind: new mails.
    assert len(send([anna], kind="reminder", key="2026-12-06", **message_args())) == 1
    assert len(send([anna], kind="campaign", key="2026-12-05", **message_args())) == 1
    run_worker()
    assert len(smtp_server.envelopes) == 3


def test_refused_mail_is_retried_and_then_delivered(smtp_server, mail_settings, run_worker):
    anna = UserFactory(username="anna", email="anna@lk.example")
    smtp_server.refuse = 1
    [row] = send([anna], kind="reminder", key="k", **message_args())
    run_worker()
    assert len(smtp_server.refused) == 1
    assert len(smtp_server.envelopes) == 1
    row.refresh_from_db()
    assert row.status == MailLog.Status.SENT and row.attempts == 2


def test_mail_refused_every_time_is_retried_then_logged_as_failed(
    smtp_server, mail_settings, run_worker
):
    anna = UserFactory(username="anna", email="anna@lk.example")
    smtp_server.refuse = 10
    [row] = send([anna], kind="reminder", key="k", **message_args())
    run_worker()
    # The first attempt and the two retries of PORTAL_MAIL_RETRY_DELAYS, then no more.
    assert len(smtp_server.refused) == 3
    assert smtp_server.envelopes == []
    row.refresh_from_db()
    assert row.status == MailLog.Status.FAILED
    assert row.attempts == 3
    assert "550" in row.error and "Nachricht abgelehnt" in row.error


def test_retry_waits_for_the_configured_delay(smtp_server, mail_settings, run_worker):
    mail_settings.PORTAL_MAIL_RETRY_DELAYS = [60, 600]
    anna = UserFactory(username="anna", email="anna@lk.example")
    smtp_server.refuse = 1
    [row] = send([anna], kind="reminder", key="k", **message_args())
    run_worker()
    row.refresh_from_db()
    # The retry is queued for a minute later: the worker leaves it until then.
    assert row.status == MailLog.Status.RETRYING and row.attempts == 1
    assert 55 <= (row.next_attempt_at - row.last_attempt_at).total_seconds() <= 65
    assert len(smtp_server.refused) == 1 and smtp_server.envelopes == []


def test_unreachable_server_is_logged_as_failed(settings, mail_settings, run_worker):
    from tests.smtp_servers import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    [row] = send(["stelle@lk.example"], kind="notice", **message_args())
    run_worker()
    row.refresh_from_db()
    assert row.status == MailLog.Status.FAILED and row.attempts == 3
    assert "ConnectionRefusedError" in row.error

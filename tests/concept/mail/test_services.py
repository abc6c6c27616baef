"""Writing the mail log: one row per recipient, keys, people without an address. The
worker is Django's immediate backend here, the mail backend the in-memory one."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from concept import roles
from concept.mail import absolute_url, mail_log_resend, send
from concept.models import MailLog
from tests.factories import ConceptFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def immediate(settings, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    settings.PORTAL_MAIL_RETRY_DELAYS = [0, 0]

    def sending(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return send(*args, **kwargs)

    return sending


def args(**extra):
    return {
        "subject": "Hinweis",
        "template": "mail/message",
        "context": {"paragraphs": ["Text"]},
        **extra,
    }


def test_tests_send_to_memory_not_to_a_server(settings):
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"


def test_one_row_and_one_mail_per_recipient(immediate):
    anna = UserFactory(username="anna", email="anna@lk.example")
    rows = immediate([anna, "Stelle@LK.example"], kind="notice", **args())
    assert [row.recipient_key for row in rows] == [f"user:{anna.pk}", "stelle@lk.example"]
    assert sorted(m.to[0] for m in mail.outbox) == ["Stelle@LK.example", "anna@lk.example"]
    assert MailLog.objects.filter(status=MailLog.Status.SENT).count() == 2


def test_without_key_every_call_sends(immediate):
    immediate(["stelle@lk.example"], kind="notice", **args())
    immediate(["stelle@lk.example"], kind="notice", **args())
    assert len(mail.outbox) == 2


def test_key_holds_per_person_even_when_two_share_an_address(immediate):
    anna = UserFactory(username="anna", email="team@lk.example")
    ben = UserFactory(username="ben", email="team@lk.example")
    immediate([anna, ben], kind="reminder", key="2026-W49", **args())
    immediate([anna, ben], kind="reminder", key="2026-W49", **args())
    assert len(mail.outbox) == 2


def test_inactive_people_get_nothing(immediate):
    gone = UserFactory(username="gone", email="gone@lk.example", is_active=False)
    assert immediate([gone], kind="notice", **args()) == []
    assert mail.outbox == [] and not MailLog.objects.exists()


def test_person_without_address_is_logged_as_failed_not_dropped(immediate):
    nobody = UserFactory(username="nobody", email="")
    [row] = immediate([nobody], kind="notice", **args())
    assert row.status == MailLog.Status.FAILED
    assert row.error == "Keine E-Mail-Adresse hinterlegt."
    assert mail.outbox == []


def test_links_are_built_from_the_configured_site_address(settings):
    settings.PORTAL_BASE_URL = "https://integration.landkreis.example"
    assert absolute_url("/konzepte/") == "https://integration.landkreis.example/konzepte/"


def test_mail_is_queued_only_when_the_transaction_commits(
    settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send(["stelle@lk.example"], kind="notice", **args())
    assert mail.outbox == [] and len(callbacks) == 1


def failed_row(immediate, settings, user):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nobody listens on discard
    settings.EMAIL_TIMEOUT = 2
    [row] = immediate([user], kind="notice", key="x", **args())
    row.refresh_from_db()
    assert row.status == MailLog.Status.FAILED and row.attempts == 3
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return row


def test_administration_sends_a_failed_mail_again_to_the_current_address(
    immediate, settings, django_capture_on_commit_callbacks
):
    concept = ConceptFactory()
    admin = add_member(concept, UserFactory(username="admin"), roles.ADMINISTRATION)
    anna = UserFactory(username="anna", email="alt@lk.example")
    row = failed_row(immediate, settings, anna)
    anna.email = "neu@lk.example"
    anna.save()
    with django_capture_on_commit_callbacks(execute=True):
        mail_log_resend(log=row, user=admin)
    row.refresh_from_db()
    assert row.status == MailLog.Status.SENT and row.address == "neu@lk.example"
    assert row.resent_by == admin and row.attempts == 1
    assert [m.to for m in mail.outbox] == [["neu@lk.example"]]


def test_a_sent_mail_is_not_sent_again(immediate):
    concept = ConceptFactory()
    admin = add_member(concept, UserFactory(username="admin"), roles.ADMINISTRATION)
    [row] = immediate(["stelle@lk.example"], kind="notice", **args())
    with pytest.raises(ValidationError, match="nicht fehlgeschlagen"):
        mail_log_resend(log=row, user=admin)
    assert len(mail.outbox) == 1


def test_only_administration_sends_again(immediate, settings):
    concept = ConceptFactory()
    coordination = add_member(concept, UserFactory(username="ko"), roles.COORDINATION)
    row = failed_row(immediate, settings, UserFactory(username="anna", email="a@lk.example"))
    with pytest.raises(PermissionDenied):
        mail_log_resend(log=row, user=coordination)

"""Writing, queueing and delivering mail. Every mail is a MailLog row first; the worker
then delivers it (tasks.deliver_mail_task), retrying after PORTAL_MAIL_RETRY_DELAYS."""

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from concept import roles
from concept.models import MailLog, ReminderSetting

logger = logging.getLogger(__name__)

# A row that has been "wird gesendet" this long was dropped by a worker that died while
# sending; it may be sent again by hand.
STALE_SENDING = dt.timedelta(minutes=15)


def absolute_url(path: str) -> str:
    """A link for a mail: the configured site address (PORTAL_BASE_URL) and the path, never
    the Host header of whatever request happened to trigger the mail."""
    return f"{settings.PORTAL_BASE_URL}{path}"


def _recipient(recipient):
    """(user or None, address, recipient_key) for a user or a plain address."""
    if isinstance(recipient, str):
        address = recipient.strip()
        return None, address, address.lower()
    return recipient, (recipient.email or "").strip(), f"user:{recipient.pk}"


def _render(template, context, *, autoescape):
    # The plain-text part is not HTML: "Schule & Beruf" stays as it is.
    return get_template(template).template.render(Context(context, autoescape=autoescape)).strip()


def render_mail(template, context, *, recipient=None, subject=""):
    """(text, html) of `<template>.txt` and `<template>.html`, in the portal's language,
    with `base_url`, `recipient` and `subject` in the context."""
    full = {
        "base_url": settings.PORTAL_BASE_URL,
        "recipient": recipient,
        "subject": subject,
        **context,
    }
    with translation.override(settings.LANGUAGE_CODE):
        text = _render(f"{template}.txt", full, autoescape=False)
        html = _render(f"{template}.html", full, autoescape=True)
    return text + "\n", html


def send(recipients, subject, template, context, *, kind, key=None, concept=None):
    """Queue one mail per recipient (users or addresses); returns the new MailLog rows.

    `template` is a base name: `<template>.txt` (German plain text) and `<template>.html`
    (the HTML alternative) are rendered with `context` plus `base_url` and `recipient`.
    `kind` says what the mail is about ("reminder", "campaign"); with a `key`, the same
    (recipient, kind, key) is sent only once, however often this is called. Inactive
    accounts get nothing; a person without an address gets a row that says so (failed).
    The worker sends after the surrounding transaction commits."""
    if not kind or len(kind) > MailLog._meta.get_field("kind").max_length:
        raise ValueError(f"Mail kind {kind!r} is empty or too long.")
    key = "" if key is None else str(key)
    if len(key) > MailLog._meta.get_field("key").max_length:
        raise ValueError(f"Mail key {key!r} is too long.")
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(str(subject).split())[: MailLog._meta.get_field("subject").max_length]
    created = []
    for recipient in recipients:
        user, address, recipient_key = _recipient(recipient)
        if user is not None and not user.is_active:
            continue
        if key and MailLog.objects.filter(recipient_key=recipient_key, kind=kind, key=key).exists():
            continue
        text, html = render_mail(template, context, recipient=user, subject=subject)
        row = MailLog(
            recipient=user,
            recipient_key=recipient_key,
            address=address,
            concept=concept,
            kind=kind,
            key=key,
            subject=subject,
            body_text=text,
            body_html=html,
        )
        if not address:
            row.status = MailLog.Status.FAILED
            row.error = _("Keine E-Mail-Adresse hinterlegt.")
        try:
            # A savepoint: a concurrent run that wrote the same key first wins, this one
            # leaves the caller's transaction intact.
            with transaction.atomic():
                row.save()
        except IntegrityError:
            if not key:
                raise
            continue
        if row.status == MailLog.Status.QUEUED:
            _enqueue_on_commit(row.pk)
        else:
            logger.warning("Mail %s to %s not sent: %s", row.pk, recipient_key, row.error)
        created.append(row)
    return created


def _enqueue(log_id, *, run_after=None):
    from concept.mail.tasks import deliver_mail_task

    task = deliver_mail_task
    if run_after is not None and task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    task.enqueue(log_id)


def _enqueue_on_commit(log_id, *, run_after=None):
    transaction.on_commit(lambda: _enqueue(log_id, run_after=run_after), robust=True)


def _message(row):
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.address],
        connection=get_connection(fail_silently=False),
    )
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    return message


def retry_delays():
    return [int(delay) for delay in settings.PORTAL_MAIL_RETRY_DELAYS]


def deliver(log_id) -> MailLog | None:
    """Send one logged mail (run by the worker). The row is claimed atomically, so two
    workers never send it twice; a failure is recorded and retried after the next delay
    of PORTAL_MAIL_RETRY_DELAYS, and after the last one the row stays "fehlgeschlagen"."""
    now = timezone.now()
    claimed = MailLog.objects.filter(
        pk=log_id, status__in=[MailLog.Status.QUEUED, MailLog.Status.RETRYING]
    ).update(
        status=MailLog.Status.SENDING,
        attempts=F("attempts") + 1,
        last_attempt_at=now,
        next_attempt_at=None,
    )
    if not claimed:
        return None
    row = MailLog.objects.get(pk=log_id)
    try:
        _message(row).send()
    except Exception as error:  # SMTP refusals, timeouts, DNS: all recorded, then retried
        delays = retry_delays()
        row.error = f"{type(error).__name__}: {error}"[:2000]
        if row.attempts <= len(delays):
            row.status = MailLog.Status.RETRYING
            row.next_attempt_at = timezone.now() + dt.timedelta(seconds=delays[row.attempts - 1])
            row.save(update_fields=["status", "error", "next_attempt_at"])
            logger.warning(
                "Mail %s to %s failed (attempt %s), retrying: %s",
                row.pk,
                row.address,
                row.attempts,
                row.error,
            )
            _enqueue(row.pk, run_after=row.next_attempt_at)
        else:
            row.status = MailLog.Status.FAILED
            row.save(update_fields=["status", "error"])
            logger.error(
                "Mail %s to %s failed after %s attempts: %s",
                row.pk,
                row.address,
                row.attempts,
                row.error,
            )
        return row
    row.status = MailLog.Status.SENT
    row.sent_at = timezone.now()
    row.error = ""
    row.save(update_fields=["status", "sent_at", "error"])
    return row


def resendable_q(now=None):
    """Rows that may be sent again by hand: failed ones, and those a dead worker left in
    "wird gesendet"."""
    now = now or timezone.now()
    return Q(status=MailLog.Status.FAILED) | Q(
        status=MailLog.Status.SENDING, last_attempt_at__lt=now - STALE_SENDING
    )


def mail_log_resend(*, log: MailLog, user) -> MailLog:
    """Queue a failed mail again, to its person's current address (Administration)."""
    if not roles.is_administrator(user):
        raise PermissionDenied(_("Nur die Administration sendet E-Mails erneut."))
    with transaction.atomic():
        row = MailLog.objects.select_for_update().get(pk=log.pk)
        if not MailLog.objects.filter(resendable_q(), pk=row.pk).exists():
            raise ValidationError(
                _("Diese E-Mail ist nicht fehlgeschlagen und wird nicht erneut gesendet.")
            )
        if row.recipient is not None:
            row.address = (row.recipient.email or "").strip()
        if not row.address:
            raise ValidationError(
                _("Für „%(person)s“ ist keine E-Mail-Adresse hinterlegt.")
                % {"person": row.recipient}
            )
        row.status = MailLog.Status.QUEUED
        row.attempts = 0
        row.next_attempt_at = None
        row.resent_by = user
        row.resent_at = timezone.now()
        row.save(
            update_fields=[
                "address",
                "status",
                "attempts",
                "next_attempt_at",
                "resent_by",
                "resent_at",
            ]
        )
        _enqueue_on_commit(row.pk)
    return row


def reminder_setting_set(*, user, frequency: str) -> ReminderSetting:
    """A person's own choice how to be reminded (only they change it)."""
    if frequency not in ReminderSetting.Frequency.values:
        raise ValidationError({"frequency": _("Bitte eine der angebotenen Möglichkeiten wählen.")})
    with transaction.atomic():
        setting, _created = ReminderSetting.objects.select_for_update().get_or_create(user=user)
        setting.frequency = frequency
        setting.full_clean()
        setting.save()
    return setting


def reminder_frequency(user) -> str:
    setting = ReminderSetting.objects.filter(user=user).first()
    return setting.frequency if setting else ReminderSetting.Frequency.IMMEDIATE

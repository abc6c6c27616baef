"""E-mail from the portal: German plain text with an HTML alternative, sent by the
django-tasks worker with retries, every mail logged in MailLog (docs/mail.md).

    from concept.mail import send
    send([user], _("Sachstände fällig"), "measures/mail/reminder", {"rows": rows},
         kind="reminder", key="2026-12-05")
"""

from concept.mail.services import absolute_url, deliver, mail_log_resend, send

__all__ = ["absolute_url", "deliver", "mail_log_resend", "send"]

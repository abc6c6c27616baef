"""The worker's part of sending mail (django-tasks; `manage.py db_worker` runs it)."""

from django_tasks import task


@task()
def deliver_mail_task(log_id: int) -> None:
    from concept.mail.services import deliver

    deliver(log_id)

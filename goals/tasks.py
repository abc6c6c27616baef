"""The worker's part of refreshing official statistics (django-tasks; `manage.py db_worker`
runs it). The task refreshes what is due and queues itself again for the next due time, so
one call of schedule_refresh() (`manage.py refresh_statistics --schedule`, `make run`)
keeps the schedule going."""

from django_tasks import task

from goals.statistics.refresh import next_run, refresh_due


@task()
def refresh_statistics_task() -> int:
    try:
        outcomes = refresh_due()
    finally:
        schedule_refresh(force=True)
    return sum(1 for outcome in outcomes if not outcome.error)


def pending_refresh() -> bool:
    """Whether the task waits in the database queue or runs already."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=refresh_statistics_task.module_path, status__in=["READY", "RUNNING"]
    ).exists()


def schedule_refresh(*, force: bool = False) -> bool:
    """Queue the refresh for when the next source falls due. Only on a backend that can run
    a task later (the database queue); once (force: the task queuing its successor)."""
    backend = refresh_statistics_task.get_backend()
    if not backend.supports_defer:
        return False
    if not force and pending_refresh():
        return False
    refresh_statistics_task.using(run_after=next_run()).enqueue()
    return True

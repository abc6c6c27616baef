"""Background rendering of the yearly report (django-tasks, database backend in production).

A rendering takes seconds to tens of seconds (WeasyPrint), so web requests only queue it;
the status page polls the ReportRender row, which this task keeps up to date."""

import logging

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from reporting.models import ReportRender

logger = logging.getLogger(__name__)


def _step(job, progress, step, **fields):
    job.progress = progress
    job.step = step
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=["progress", "step", *fields])


def run_render(job: ReportRender) -> ReportRender:
    from reporting.report.completeness import fingerprint
    from reporting.report.pdf import render_pdf
    from reporting.report.services import annual_report_finalise
    from reporting.report.snapshot import build_snapshot

    report = job.report
    _step(job, 10, _("Daten werden zusammengestellt …"), state=ReportRender.State.RUNNING)
    try:
        if job.kind == ReportRender.Kind.FINAL:

            def render(snapshot):
                _step(job, 30, _("PDF wird gesetzt …"))
                return render_pdf(snapshot)

            report = annual_report_finalise(
                report=report,
                user=job.requested_by,
                render=render,
                override_reason=job.override_reason,
            )
            pdf = None
        else:
            snapshot = build_snapshot(report)
            # What "Ich habe die Vorschau geprüft" refers to when the report is finalised.
            job.fingerprint = fingerprint(snapshot)
            _step(job, 30, _("PDF wird gesetzt …"))
            pdf = render_pdf(snapshot)
    except ValidationError as error:
        _step(
            job,
            100,
            _("fehlgeschlagen"),
            state=ReportRender.State.FAILED,
            error=" ".join(error.messages),
            finished_at=timezone.now(),
        )
        return job
    except Exception:
        logger.exception("Rendering report %s failed", report.pk)
        _step(
            job,
            100,
            _("fehlgeschlagen"),
            state=ReportRender.State.FAILED,
            error=_("Das PDF konnte nicht erstellt werden. Bitte später erneut versuchen."),
            finished_at=timezone.now(),
        )
        return job
    _step(
        job,
        100,
        _("fertig"),
        state=ReportRender.State.DONE,
        pdf=pdf,
        fingerprint=job.fingerprint,
        finished_at=timezone.now(),
    )
    return job


@task()
def render_report_task(job_id: int) -> None:
    job = (
        ReportRender.objects.select_related("report__concept", "requested_by")
        .filter(pk=job_id, state=ReportRender.State.QUEUED)
        .first()
    )
    if job is not None:
        run_render(job)

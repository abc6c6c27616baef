"""Writes of the yearly report: the draft narrative, finalising (freezing), publishing,
corrections and PDF renderings. A final report's content never changes: every write of it
here refuses it; only its publication (on the public pages or not) may change."""

import hashlib
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concept import formatting, locking
from reporting.models import (
    EDITABLE_FIELDS,
    AnnualReport,
    GoalAssessment,
    ReportRender,
    report_years,
)
from reporting.report import completeness
from reporting.report.snapshot import build_snapshot

logger = logging.getLogger(__name__)


def _refuse_final(report):
    if report.is_final:
        raise ValidationError(
            _(
                "Der Bericht ist final und kann nicht mehr geändert werden. "
                "Legen Sie eine korrigierte Fassung an."
            )
        )


def check_report_year(concept, year, today=None):
    """A German error at `year` unless a report can be created for it (report_years)."""
    years = report_years(concept, today)
    if year in years:
        return
    if not years:
        message = _(
            "Das Konzept wird erst %(year)s beschlossen; Berichte gibt es ab diesem Jahr."
        ) % {"year": years.start}
    elif year > years[-1]:
        message = _(
            "Für %(year)s kann noch kein Bericht angelegt werden: Berichtsjahre reichen "
            "höchstens bis zum laufenden Jahr %(last)s."
        ) % {"year": year, "last": years[-1]}
    elif concept.adopted_on:
        message = _(
            "%(year)s liegt vor dem Beschluss des Konzepts (%(first)s). Berichtsjahre reichen "
            "von %(first)s bis %(last)s."
        ) % {"year": year, "first": years.start, "last": years[-1]}
    else:
        message = _(
            "%(year)s liegt zu weit zurück. Berichtsjahre reichen von %(first)s bis %(last)s; "
            "mit einem Beschlussdatum des Konzepts beginnen sie in dessen Jahr."
        ) % {"year": year, "first": years.start, "last": years[-1]}
    raise ValidationError({"year": message})


def annual_report_create(*, concept, year: int) -> AnnualReport:
    check_report_year(concept, year)
    if AnnualReport.objects.filter(concept=concept, year=year).exists():
        raise ValidationError(
            {"year": _("Für %(year)s gibt es schon einen Bericht.") % {"year": year}}
        )
    report = AnnualReport(concept=concept, year=year)
    with transaction.atomic():
        report.full_clean()
        report.save()
    return report


def annual_report_delete(*, report: AnnualReport, expected_version: int | None, user) -> None:
    """Delete a draft (with its assessments and renderings) if it is still at
    expected_version. A final report is never deleted; a draft whose PDF is being rendered
    waits until the rendering has finished."""
    with transaction.atomic():
        locked = AnnualReport.objects.get(pk=report.pk)
        if locked.is_final:
            raise ValidationError(
                _(
                    "Ein finaler Bericht kann nicht gelöscht werden. Legen Sie eine korrigierte "
                    "Fassung an."
                )
            )
        pending = ReportRender.objects.filter(
            report=locked, state__in=[ReportRender.State.QUEUED, ReportRender.State.RUNNING]
        )
        if pending.exists():
            raise ValidationError(
                _(
                    "Für diesen Bericht wird gerade ein PDF erstellt. Bitte löschen Sie ihn, "
                    "wenn die Erstellung abgeschlossen ist."
                )
            )
        locking.claim(locked, expected_version)
        locked._history_user = user
        locked.delete()


def annual_report_update(
    *,
    report: AnnualReport,
    expected_version: int | None,
    data: dict,
    assessments: dict,
    user=None,
) -> AnnualReport:
    """Save the narrative (data: field → text) and the assessments (goal id → text), if the
    report is still at expected_version (its edit_version; concept.locking)."""
    with transaction.atomic():
        report = AnnualReport.objects.get(pk=report.pk)
        _refuse_final(report)
        for name in EDITABLE_FIELDS:
            if name in data:
                setattr(report, name, data[name])
        if "correction_note" in data and report.supersedes_id:
            report.correction_note = data["correction_note"]
        report.full_clean()
        locking.claim(report, expected_version)
        # The assessments first, so the report's history record carries them.
        existing = {a.goal_id: a for a in report.assessments.all()}
        for goal_id, text in assessments.items():
            assessment = existing.get(goal_id) or GoalAssessment(report=report, goal_id=goal_id)
            if assessment.pk is None and not text:
                continue
            assessment.text = text
            assessment.full_clean()
            assessment.save()
        report._history_user = user
        report.save()
    return report


@dataclass
class ReportCheck:
    """A draft's state before "Final setzen": the completeness check's findings and whether
    the newest preview shows the current data."""

    snapshot: dict
    findings: list
    fingerprint: str
    preview: ReportRender | None

    @property
    def preview_is_current(self):
        return self.preview is not None and self.preview.fingerprint == self.fingerprint

    def groups(self):
        return completeness.grouped(self.findings, self.snapshot["report"]["year"])


def latest_preview(report):
    return (
        ReportRender.objects.filter(
            report=report, kind=ReportRender.Kind.PREVIEW, state=ReportRender.State.DONE
        )
        .defer("pdf")
        .order_by("-finished_at", "-pk")
        .first()
    )


def annual_report_check(report: AnnualReport, *, final=False) -> ReportCheck:
    """The completeness check of the report's current data and its newest preview."""
    snapshot = build_snapshot(report, final=final)
    return ReportCheck(
        snapshot=snapshot,
        findings=completeness.findings(snapshot),
        fingerprint=completeness.fingerprint(snapshot),
        preview=latest_preview(report),
    )


def _require_ready(check: ReportCheck, override_reason: str):
    """Refuse to finalise without a preview of the current data, or with findings of the
    completeness check unless an override reason is given."""
    if check.preview is None:
        raise ValidationError(
            _(
                "Es gibt keine fertige Vorschau dieses Berichts. Erstellen und prüfen Sie eine "
                "PDF-Vorschau, bevor Sie den Bericht final setzen."
            )
        )
    if not check.preview_is_current:
        raise ValidationError(
            _(
                "Seit der Vorschau vom %(date)s haben sich die Daten des Berichts geändert. "
                "Erstellen und prüfen Sie eine neue Vorschau, bevor Sie den Bericht final setzen."
            )
            % {"date": formatting.datetime(check.preview.finished_at or check.preview.created_at)}
        )
    if check.findings and not override_reason.strip():
        raise ValidationError(
            {
                "override_reason": ngettext(
                    "Der Bericht hat %(count)s offenen Punkt (siehe Vollständigkeit). Ergänzen "
                    "Sie ihn oder setzen Sie den Bericht mit Begründung trotzdem final.",
                    "Der Bericht hat %(count)s offene Punkte (siehe Vollständigkeit). Ergänzen "
                    "Sie sie oder setzen Sie den Bericht mit Begründung trotzdem final.",
                    len(check.findings),
                )
                % {"count": len(check.findings)}
            }
        )


def annual_report_finalise(
    *, report: AnnualReport, user, render=None, override_reason: str = ""
) -> AnnualReport:
    """Freeze the report: take the snapshot, render the PDF, store both with its SHA-256.

    Only with a finished preview of exactly the current data, and, if the completeness check
    finds something, only with `override_reason` (stored with the report and its findings,
    so its history shows both). `render` (snapshot → PDF bytes) defaults to
    reporting.report.pdf.render_pdf."""
    if render is None:
        from reporting.report.pdf import render_pdf as render
    _refuse_final(report)
    if report.supersedes_id and not report.correction_note.strip():
        raise ValidationError(
            {"correction_note": _("Eine korrigierte Fassung braucht den Grund der Korrektur.")}
        )
    check = annual_report_check(report, final=True)
    _require_ready(check, override_reason)
    snapshot = check.snapshot
    pdf = render(snapshot)
    with transaction.atomic():
        locked = AnnualReport.objects.get(pk=report.pk)
        _refuse_final(locked)
        try:
            locking.claim(locked, report.edit_version)
        except locking.StaleVersion:
            raise ValidationError(
                _("Der Bericht wurde während der Erstellung geändert. Bitte erneut finalisieren.")
            ) from None
        locked.snapshot = snapshot
        locked.pdf = pdf
        locked.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        locked.status = AnnualReport.Status.FINAL
        locked.finalised_at = timezone.now()
        locked.finalised_by = user
        if check.findings:
            locked.override_reason = override_reason.strip()
            locked.override_findings = [[finding.kind, finding.text] for finding in check.findings]
        locked.full_clean()
        locked._history_user = user
        locked.save()
        # The frozen PDF replaces the previews; beside it they would only mislead.
        ReportRender.objects.filter(report=locked, kind=ReportRender.Kind.PREVIEW).delete()
    return locked


def annual_report_correct(*, report: AnnualReport, correction_note: str) -> AnnualReport:
    """A new draft version of a final report, with its narrative; the old one stays."""
    if not report.is_final:
        raise ValidationError(_("Nur ein finaler Bericht kann korrigiert werden."))
    if not correction_note.strip():
        raise ValidationError({"correction_note": _("Bitte den Grund der Korrektur angeben.")})
    with transaction.atomic():
        if AnnualReport.objects.filter(supersedes=report).exists():
            raise ValidationError(_("Zu dieser Fassung gibt es schon eine Korrektur."))
        newest = (
            AnnualReport.objects.filter(concept=report.concept, year=report.year)
            .order_by("-version")
            .first()
        )
        correction = AnnualReport(
            concept=report.concept,
            year=report.year,
            version=newest.version + 1,
            supersedes=report,
            correction_note=correction_note,
            **{name: getattr(report, name) for name in EDITABLE_FIELDS},
        )
        correction.full_clean()
        correction.save()
        GoalAssessment.objects.bulk_create(
            GoalAssessment(report=correction, goal_id=a.goal_id, text=a.text)
            for a in report.assessments.all()
        )
    return correction


def annual_report_publish(*, report: AnnualReport, user) -> AnnualReport:
    """Put a final report on the public pages. Finalising does not: the district takes the
    report through its committees first and publishes it when they have seen it."""
    with transaction.atomic():
        locked = AnnualReport.objects.select_for_update().get(pk=report.pk)
        if not locked.is_final:
            raise ValidationError(_("Nur ein finaler Bericht kann veröffentlicht werden."))
        if locked.is_published:
            raise ValidationError(_("Der Bericht ist schon veröffentlicht."))
        locked.published_at = timezone.now()
        locked.published_by = user
        locked.full_clean()
        locked.save(update_fields=["published_at", "published_by", "updated_at"])
    return locked


def annual_report_withdraw(*, report: AnnualReport, user) -> AnnualReport:
    """Take a published report off the public pages again (e.g. published by mistake). The
    report stays final and its PDF frozen; members still download it, and it can be
    published again."""
    with transaction.atomic():
        locked = AnnualReport.objects.select_for_update().get(pk=report.pk)
        if not locked.is_published:
            raise ValidationError(_("Der Bericht ist nicht veröffentlicht."))
        locked.published_at = None
        locked.published_by = None
        locked.full_clean()
        locked.save(update_fields=["published_at", "published_by", "updated_at"])
    logger.info(
        "Report %s withdrawn from the public pages by user %s", locked.pk, getattr(user, "pk", None)
    )
    return locked


def report_render_request(
    *, report: AnnualReport, user, kind: str, override_reason: str = ""
) -> ReportRender:
    """Queue a rendering (preview or finalisation) in the background. A finalisation is
    queued only when it would pass annual_report_finalise's checks now (the task checks
    again on the data it freezes)."""
    from reporting.tasks import render_report_task

    # A final report has its frozen PDF; a preview beside it would only mislead.
    _refuse_final(report)
    fingerprint = ""
    if kind == ReportRender.Kind.FINAL:
        check = annual_report_check(report)
        _require_ready(check, override_reason)
        fingerprint = check.fingerprint
    else:
        override_reason = ""
    with transaction.atomic():
        if kind == ReportRender.Kind.PREVIEW:
            # Earlier finished previews are superseded by this one; don't keep their PDFs.
            # (A finalisation keeps the preview it was checked against: it checks again.)
            ReportRender.objects.filter(
                report=report,
                kind=ReportRender.Kind.PREVIEW,
                state__in=[ReportRender.State.DONE, ReportRender.State.FAILED],
            ).delete()
        job = ReportRender(
            report=report,
            kind=kind,
            requested_by=user,
            step=_("wartet"),
            fingerprint=fingerprint,
            override_reason=override_reason.strip(),
        )
        job.full_clean()
        job.save()
        transaction.on_commit(lambda: render_report_task.enqueue(job.pk))
    return job

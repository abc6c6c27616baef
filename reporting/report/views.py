"""The yearly report in the portal: list, narrative editing, preview, finalising, publishing,
corrections, downloads. Every member reads and downloads final reports; the Koordination (and
Administration, superusers) writes, previews, finalises, publishes and corrects."""

import hashlib
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concept import roles
from concept.access import get_concept_for_view
from concept.fields import add_service_errors
from concept.history import object_history
from concept.locking import StaleVersion
from goals.models import StrategicGoal
from reporting.models import AnnualReport, ReportRender
from reporting.report import completeness
from reporting.report.forms import (
    CorrectionForm,
    DeleteForm,
    FinaliseForm,
    PublishForm,
    ReportCreateForm,
    ReportForm,
)
from reporting.report.services import (
    annual_report_check,
    annual_report_correct,
    annual_report_create,
    annual_report_delete,
    annual_report_publish,
    annual_report_update,
    annual_report_withdraw,
    report_render_request,
)

logger = logging.getLogger(__name__)


# --- access --------------------------------------------------------------------------------


def get_report_for_view(user, slug, pk):
    concept = get_concept_for_view(user, slug)
    report = get_object_or_404(
        AnnualReport.objects.select_related("supersedes", "finalised_by", "published_by").defer(
            "pdf", "snapshot", "supersedes__pdf", "supersedes__snapshot"
        ),
        pk=pk,
        concept=concept,
    )
    return concept, report


def _require_editor(user, concept):
    if not roles.can_edit_concept(user, concept):
        raise PermissionDenied(_("Berichte erstellt und bearbeitet die Koordination."))


def get_report_for_edit(user, slug, pk):
    concept, report = get_report_for_view(user, slug, pk)
    _require_editor(user, concept)
    return concept, report


def get_render_for_view(user, slug, job):
    concept = get_concept_for_view(user, slug)
    _require_editor(user, concept)
    render_job = get_object_or_404(
        ReportRender.objects.select_related("report").defer("pdf"),
        pk=job,
        report__concept=concept,
    )
    return concept, render_job


def _pdf_response(data, filename):
    response = HttpResponse(bytes(data), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- pages ---------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def report_list(request, slug):
    concept = get_concept_for_view(request.user, slug)
    can_edit = roles.can_edit_concept(request.user, concept)
    form = ReportCreateForm(request.POST or None, concept=concept)
    if request.method == "POST":
        _require_editor(request.user, concept)
        if form.is_valid():
            try:
                report = annual_report_create(concept=concept, year=form.cleaned_data["year"])
            except ValidationError as error:
                form.add_error("year", error.message_dict.get("year", error.messages))
            else:
                messages.success(
                    request, _("Der Bericht %(year)s ist angelegt.") % {"year": report.year}
                )
                return redirect("reports:edit", slug=concept.slug, pk=report.pk)
    reports = list(
        AnnualReport.objects.filter(concept=concept)
        .select_related("supersedes")
        .defer("pdf", "snapshot", "supersedes__pdf", "supersedes__snapshot")
        .order_by("-year", "-version")
    )
    return render(
        request,
        "reporting/report/report_list.html",
        {"concept": concept, "reports": reports, "form": form, "can_edit": can_edit},
    )


# What the report page's history lists (the narrative's edits are in the admin's history).
HISTORY_FIELDS = ["status", "override_reason", "published_at"]


def _detail_page(request, concept, report, *, finalise_form=None):
    can_edit = roles.can_edit_concept(request.user, concept)
    renders, check = [], None
    if can_edit:
        renders = list(report.renders.defer("pdf").order_by("-created_at", "-pk")[:5])
        if not report.is_final:
            # What "Final setzen" would find: the completeness check and the preview's state.
            check = annual_report_check(report)
    correction = AnnualReport.objects.filter(supersedes=report).only("pk", "version").first()
    return render(
        request,
        "reporting/report/report_detail.html",
        {
            "concept": concept,
            "report": report,
            "can_edit": can_edit,
            "renders": renders,
            "check": check,
            "override_findings": completeness.grouped(
                [completeness.Finding(kind, text) for kind, text in report.override_findings],
                report.year,
            )
            if report.override_findings
            else [],
            "correction": correction,
            "history": object_history(report, HISTORY_FIELDS),
            "finalise_form": finalise_form or FinaliseForm(),
            "publish_form": PublishForm(),
            "correction_form": CorrectionForm(),
        },
    )


@require_safe
@login_required
def report_detail(request, slug, pk):
    concept, report = get_report_for_view(request.user, slug, pk)
    return _detail_page(request, concept, report)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def report_edit(request, slug, pk):
    concept, report = get_report_for_edit(request.user, slug, pk)
    if report.is_final:
        messages.error(request, _("Der Bericht ist final und kann nicht mehr geändert werden."))
        return redirect("reports:detail", slug=concept.slug, pk=report.pk)
    goals = list(StrategicGoal.objects.filter(concept=concept).order_by("number"))
    assessments = {a.goal_id: a.text for a in report.assessments.all()}
    form = ReportForm(request.POST or None, instance=report, goals=goals, assessments=assessments)
    conflict, mine = None, []
    if request.method == "POST" and form.is_valid():
        try:
            annual_report_update(
                report=report,
                expected_version=form.cleaned_data["version"],
                data=form.narrative(),
                assessments=form.assessments(),
                user=request.user,
            )
        except StaleVersion as error:
            conflict, mine = error, form.rebase(error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Der Bericht ist gespeichert."))
            return redirect("reports:detail", slug=concept.slug, pk=report.pk)
    return render(
        request,
        "reporting/report/report_form.html",
        {"concept": concept, "report": report, "form": form, "conflict": conflict, "mine": mine},
        status=409 if conflict else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def report_delete(request, slug, pk):
    """Delete a draft: a confirmation page (GET), the deletion (POST)."""
    concept, report = get_report_for_edit(request.user, slug, pk)
    if report.is_final:
        messages.error(request, _("Ein finaler Bericht kann nicht gelöscht werden."))
        return redirect("reports:detail", slug=concept.slug, pk=report.pk)
    form = DeleteForm(request.POST or None, versioned=report)
    conflict, mine = None, []
    if request.method == "POST" and form.is_valid():
        try:
            annual_report_delete(
                report=report, expected_version=form.cleaned_data["version"], user=request.user
            )
        except StaleVersion as error:
            conflict, mine = error, form.rebase(error)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("reports:detail", slug=concept.slug, pk=report.pk)
        else:
            messages.success(
                request,
                _("Der Entwurf des Berichts %(year)s ist gelöscht.") % {"year": report.year},
            )
            return redirect("reports:list", slug=concept.slug)
    return render(
        request,
        "reporting/report/report_delete.html",
        {"concept": concept, "report": report, "form": form, "conflict": conflict, "mine": mine},
        status=409 if conflict else 200,
    )


@require_POST
@login_required
def report_preview(request, slug, pk):
    concept, report = get_report_for_edit(request.user, slug, pk)
    try:
        job = report_render_request(
            report=report, user=request.user, kind=ReportRender.Kind.PREVIEW
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reports:detail", slug=concept.slug, pk=report.pk)
    return redirect("reports:render_status", slug=concept.slug, job=job.pk)


@require_POST
@login_required
def report_finalise(request, slug, pk):
    concept, report = get_report_for_edit(request.user, slug, pk)
    if report.is_final:
        messages.error(request, _("Der Bericht ist schon final."))
        return redirect("reports:detail", slug=concept.slug, pk=report.pk)
    form = FinaliseForm(request.POST)
    if form.is_valid():
        try:
            job = report_render_request(
                report=report,
                user=request.user,
                kind=ReportRender.Kind.FINAL,
                override_reason=form.chosen_reason(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("reports:render_status", slug=concept.slug, job=job.pk)
    # The page again, with the errors beside the form and the person's reason kept.
    return _detail_page(request, concept, report, finalise_form=form)


@require_POST
@login_required
def report_publish(request, slug, pk):
    concept, report = get_report_for_edit(request.user, slug, pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("confirm", []):
            messages.error(request, error)
        return redirect("reports:detail", slug=concept.slug, pk=report.pk)
    try:
        annual_report_publish(report=report, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Der Bericht ist veröffentlicht und steht auf den öffentlichen Seiten.")
        )
    return redirect("reports:detail", slug=concept.slug, pk=report.pk)


@require_POST
@login_required
def report_withdraw(request, slug, pk):
    concept, report = get_report_for_edit(request.user, slug, pk)
    try:
        annual_report_withdraw(report=report, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "Die Veröffentlichung ist zurückgenommen: Der Bericht steht nicht mehr auf den "
                "öffentlichen Seiten. Er bleibt final und für Mitglieder abrufbar."
            ),
        )
    return redirect("reports:detail", slug=concept.slug, pk=report.pk)


@require_POST
@login_required
def report_correct(request, slug, pk):
    concept, report = get_report_for_edit(request.user, slug, pk)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            correction = annual_report_correct(
                report=report, correction_note=form.cleaned_data["correction_note"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Fassung %(version)s ist als Entwurf angelegt.")
                % {"version": correction.version},
            )
            return redirect("reports:edit", slug=concept.slug, pk=correction.pk)
    else:
        for error in form.errors.get("correction_note", []):
            messages.error(request, error)
    return redirect("reports:detail", slug=concept.slug, pk=report.pk)


@require_safe
@login_required
def report_download(request, slug, pk):
    """The frozen PDF of a final report, exactly the bytes stored when it became final."""
    concept = get_concept_for_view(request.user, slug)
    report = get_object_or_404(
        AnnualReport.objects.only("pk", "year", "version", "status", "pdf", "pdf_sha256"),
        pk=pk,
        concept=concept,
        status=AnnualReport.Status.FINAL,
    )
    data = bytes(report.pdf)
    if hashlib.sha256(data).hexdigest() != report.pdf_sha256:
        logger.error("Stored PDF of report %s does not match its SHA-256", report.pk)
        return HttpResponseServerError(
            _("Das gespeicherte PDF stimmt nicht mit seiner Prüfsumme überein."),
            content_type="text/plain; charset=utf-8",
        )
    return _pdf_response(
        data, f"controlling-bericht-{concept.slug}-{report.year}-fassung-{report.version}.pdf"
    )


@require_safe
@login_required
def render_status(request, slug, job):
    concept, render_job = get_render_for_view(request.user, slug, job)
    template = "reporting/report/render_status.html"
    if request.htmx:
        template += "#status"
    return render(
        request, template, {"concept": concept, "job": render_job, "report": render_job.report}
    )


@require_safe
@login_required
def render_download(request, slug, job):
    concept, render_job = get_render_for_view(request.user, slug, job)
    render_job = get_object_or_404(
        ReportRender.objects.only("pk", "pdf", "report__year"),
        pk=render_job.pk,
        state=ReportRender.State.DONE,
        kind=ReportRender.Kind.PREVIEW,
    )
    return _pdf_response(
        render_job.pdf, f"vorschau-controlling-bericht-{concept.slug}-{render_job.report.year}.pdf"
    )

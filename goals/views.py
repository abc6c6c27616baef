import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Prefetch, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concept import formatting, locking, roles
from concept.access import get_concept_for_edit, get_concept_for_view
from concept.history import HISTORY_LIMIT
from concept.locking import StaleVersion
from concept.uploads import PendingUploads
from goals import series, services
from goals.forms import IndicatorValueForm, StatisticsRefreshForm, StatisticsUploadForm
from goals.models import (
    Indicator,
    IndicatorValue,
    StatisticsImport,
    StatisticsRegion,
    StatisticsSource,
)
from goals.statistics.base import StatisticsFileError
from goals.statistics.files import location_folder, upload_folder
from goals.statistics.plan import plan_folder

logger = logging.getLogger(__name__)

VALUE_FIELDS = ["reference_date", "value", "breakdown", "period", "source", "note"]


@require_safe
@login_required
def indicator_list(request, slug):
    concept = get_concept_for_view(request.user, slug)
    indicators = (
        Indicator.objects.filter(concept=concept)
        .select_related("sub_goal__goal")
        .prefetch_related(
            Prefetch("values", queryset=IndicatorValue.objects.order_by("-reference_date"))
        )
        .order_by("sub_goal__goal__number", "sub_goal__number", "position", "name")
    )
    return render(
        request,
        "goals/indicator_list.html",
        {
            "concept": concept,
            "indicators": indicators,
            "can_edit": roles.can_edit_concept(request.user, concept),
        },
    )


def _indicator_context(request, concept, indicator, form):
    # Each record with its predecessor's value and date, so a change reads "alt → neu".
    previous = IndicatorValue.history.filter(
        id=OuterRef("id"), history_date__lt=OuterRef("history_date")
    ).order_by("-history_date", "-history_id")
    history = (
        IndicatorValue.history.filter(indicator_id=indicator.pk)
        .select_related("history_user")
        .annotate(
            previous_value=Subquery(previous.values("value")[:1]),
            previous_date=Subquery(previous.values("reference_date")[:1]),
        )
        .order_by("-history_date", "-history_id")[:HISTORY_LIMIT]
    )
    return {
        "concept": concept,
        "indicator": indicator,
        "series": series.series(indicator, series.values_for_series().filter(indicator=indicator)),
        "values": indicator.values.order_by("-reference_date", "position", "breakdown"),
        "form": form,
        "history": history,
        "can_edit": roles.can_edit_concept(request.user, concept),
    }


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def indicator_detail(request, slug, pk):
    if request.method == "POST":
        concept = get_concept_for_edit(request.user, slug)
    else:
        concept = get_concept_for_view(request.user, slug)
    indicator = get_object_or_404(
        Indicator.objects.select_related("sub_goal__goal"), pk=pk, concept=concept
    )
    form = IndicatorValueForm(request.POST or None, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.indicator_value_create(
                indicator=indicator, user=request.user, **{f: data[f] for f in VALUE_FIELDS}
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("Wert zum %(date)s gespeichert.")
                % {"date": formatting.date(data["reference_date"])},
            )
            return redirect("goals:indicator_detail", slug=concept.slug, pk=indicator.pk)
    return render(
        request,
        "goals/indicator_detail.html",
        _indicator_context(request, concept, indicator, form),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def indicator_value_edit(request, slug, pk, value_pk):
    concept = get_concept_for_edit(request.user, slug)
    values = IndicatorValue.objects.select_related("indicator")
    item = get_object_or_404(values, pk=value_pk, indicator_id=pk, indicator__concept=concept)
    form = IndicatorValueForm(request.POST or None, instance=item, indicator=item.indicator)
    conflict, mine = None, []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.indicator_value_update(
                item=item,
                user=request.user,
                expected_version=data["version"],
                **{f: data[f] for f in VALUE_FIELDS},
            )
        except StaleVersion as error:
            conflict, mine = error, form.rebase(error)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Wert geändert."))
            return redirect("goals:indicator_detail", slug=concept.slug, pk=pk)
    return render(
        request,
        "goals/indicator_value_form.html",
        {
            "concept": concept,
            "indicator": item.indicator,
            "item": item,
            "form": form,
            "conflict": conflict,
            "mine": mine,
        },
        status=409 if conflict else 200,
    )


# The uploaded statistics between preview and confirmation.
STATISTICS_UPLOADS = PendingUploads("statistics_imports")
STATISTICS_KIND = "statistics"


def _statistics_page(request, concept, *, upload_form=None, refresh_form=None, error=None):
    regions = StatisticsRegion.objects.filter(concept=concept).select_related("source")
    readings = (
        StatisticsImport.objects.filter(concept=concept)
        .select_related("source", "user")
        .prefetch_related("files")
        .order_by("-read_at")[:10]
    )
    return render(
        request,
        "goals/statistics.html",
        {
            "concept": concept,
            "regions": regions,
            "readings": readings,
            "upload_form": upload_form or StatisticsUploadForm(concept=concept),
            "refresh_form": refresh_form or StatisticsRefreshForm(concept=concept),
            "error": error,
        },
        status=400 if error else 200,
    )


@require_safe
@login_required
def statistics(request, slug):
    concept = get_concept_for_edit(request.user, slug)
    return _statistics_page(request, concept)


def _plan_from(concept, meta, data):
    """The plan for what a preview stashed: an upload's bytes or a configured source."""
    source = StatisticsSource.objects.get(pk=meta["source"])
    if meta.get("configured"):
        folder = location_folder(source.location)
    else:
        folder = upload_folder(data, meta["name"])
    with folder as path:
        return plan_folder(
            concept=concept, source=source, region_key=meta["region_key"], folder=path
        )


def _preview(request, concept, meta, data, *, changed_meanwhile=False):
    plan = _plan_from(concept, meta, data)
    token = None
    if plan.has_changes:
        meta = {**meta, "fingerprint": plan.fingerprint()}
        token = STATISTICS_UPLOADS.stash(request, data, **meta)
    return render(
        request,
        "goals/statistics_preview.html",
        {
            "concept": concept,
            "plan": plan,
            "token": token,
            "name": meta["name"],
            "changed_meanwhile": changed_meanwhile,
        },
    )


@require_POST
@login_required
def statistics_preview(request, slug):
    concept = get_concept_for_edit(request.user, slug)
    if "file" in request.FILES or request.POST.get("action") == "upload":
        form = StatisticsUploadForm(request.POST, request.FILES, concept=concept)
        if not form.is_valid():
            return _statistics_page(request, concept, upload_form=form)
        upload = form.cleaned_data["file"]
        data = upload.read()
        meta = {
            "kind": STATISTICS_KIND,
            "concept": concept.pk,
            "source": form.cleaned_data["source"].pk,
            "region_key": form.cleaned_data["region_key"],
            "name": upload.name,
        }
    else:
        form = StatisticsRefreshForm(request.POST, concept=concept)
        if not form.is_valid():
            return _statistics_page(request, concept, refresh_form=form)
        region = form.cleaned_data["region"]
        data = b""
        meta = {
            "kind": STATISTICS_KIND,
            "concept": concept.pk,
            "source": region.source_id,
            "region_key": region.region_key,
            "name": region.source.name,
            "configured": True,
        }
    try:
        return _preview(request, concept, meta, data)
    except StatisticsFileError as error:
        return _statistics_page(request, concept, error=error.message)


@require_POST
@login_required
def statistics_confirm(request, slug):
    concept = get_concept_for_edit(request.user, slug)
    token = request.POST.get("token", "")
    pending = STATISTICS_UPLOADS.take(request, token, kind=STATISTICS_KIND, concept=concept.pk)
    if pending is None:
        messages.error(
            request,
            _(
                "Diese Vorschau ist nicht mehr gültig (abgelaufen oder schon verwendet). Bitte "
                "erneut hochladen oder die Quelle erneut wählen."
            ),
        )
        return redirect("goals:statistics", slug=concept.slug)
    meta, data = pending
    try:
        plan = _plan_from(concept, meta, data)
        if plan.fingerprint() != meta["fingerprint"]:
            # The source or the stored values moved since the preview: show what would
            # happen now instead of writing something nobody has seen.
            STATISTICS_UPLOADS.discard(request, token)
            meta = {k: v for k, v in meta.items() if k != "fingerprint"}
            return _preview(request, concept, meta, data, changed_meanwhile=True)
        locking.claim_token(token, user=request.user, purpose="statistics")
        origin = (
            StatisticsImport.Origin.CONFIGURED
            if meta.get("configured")
            else StatisticsImport.Origin.UPLOAD
        )
        reading = services.statistics_import_apply(plan=plan, user=request.user, origin=origin)
    except StatisticsFileError as error:
        STATISTICS_UPLOADS.discard(request, token)
        return _statistics_page(request, concept, error=error.message)
    except (StaleVersion, ValidationError) as error:
        text = error.message if isinstance(error, StaleVersion) else " ".join(error.messages)
        messages.error(request, _("Es wurde nichts gespeichert: %(reason)s") % {"reason": text})
        return redirect("goals:statistics", slug=concept.slug)
    STATISTICS_UPLOADS.discard(request, token)
    messages.success(
        request,
        _("„%(name)s“ eingelesen: %(summary)s.") % {"name": meta["name"], "summary": plan.summary},
    )
    logger.info("Statistics reading %s for %s stored", reading.pk, concept.slug)
    return redirect("goals:statistics", slug=concept.slug)

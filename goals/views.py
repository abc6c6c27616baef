from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Prefetch, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from concept import formatting, roles
from concept.access import get_concept_for_edit, get_concept_for_view
from concept.history import HISTORY_LIMIT
from concept.locking import StaleVersion
from goals import services
from goals.forms import IndicatorValueForm
from goals.models import Indicator, IndicatorValue

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
        request, "goals/indicator_list.html", {"concept": concept, "indicators": indicators}
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

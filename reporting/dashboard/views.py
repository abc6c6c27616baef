"""Dashboards of a concept: overview, goal page, mind map, changes."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from concept import formatting, roles
from concept.access import get_concept_for_view
from concept.exchange.writing import CSV_CONTENT_TYPE, write_csv
from goals import series as time_series
from goals.models import StrategicGoal
from measures.access import can_record_decisions
from measures.filters import ATTENTION, DONE, list_url
from measures.models import Campaign, TrafficLight
from measures.queries import campaign_progress
from reporting.dashboard import changes, charts, queries
from reporting.dashboard.forms import ChangesSinceForm
from reporting.dashboard.structure import concept_structure


@require_safe
@login_required
def dashboard(request, slug):
    concept = get_concept_for_view(request.user, slug)

    def fill():
        # Only when the page is not cached for this data version (concept.pagecache).
        data = queries.dashboard(concept)
        for figure in data.situation:
            figure.chart = charts.situation_chart(
                figure, chart_id=f"ausgangslage-{figure.indicator.pk}"
            )
        return {
            "data": data,
            "status_overall": charts.status_overall(data.overall),
            "status_by_goal": charts.status_by_goal(data.goals),
            "lights_by_goal": charts.lights_by_goal(data.goals),
            "can_record": can_record_decisions(request.user, concept),
            # The measure list filtered to exactly the measures of "Handlungsbedarf".
            "attention_url": list_url(concept, ampel=ATTENTION, sortierung="ampel"),
            "done_filter": DONE,
            # Running Sachstandsabfragen (deadline not passed, not ended) with their progress.
            "can_remind": roles.can_edit_concept(request.user, concept),
            "campaigns": campaign_progress(
                concept, Campaign.objects.filter(concept=concept).running(data.today)
            ),
        }

    return render(
        request,
        "reporting/concept_dashboard.html",
        {"concept": concept, "cache_fill": fill},
    )


@require_safe
@login_required
def goal_detail(request, slug, number):
    concept = get_concept_for_view(request.user, slug)
    # All goals of the concept (a handful): the page's goal and its neighbours in one query.
    goals = list(StrategicGoal.objects.filter(concept=concept).order_by("number"))
    index = next((i for i, g in enumerate(goals) if g.number == number), None)
    if index is None:
        raise Http404(_("Dieses Ziel gibt es in diesem Konzept nicht."))
    goal = goals[index]

    def fill():
        page = queries.goal_page(goal)
        for sub_goal in page.sub_goals:
            for indicator in sub_goal.indicator_list:
                indicator.chart = charts.indicator_line(
                    indicator, indicator.totals, chart_id=f"kennzahl-{indicator.pk}"
                )
                indicator.series = time_series.series(indicator, indicator.totals)
        return {
            "page": page,
            "status_chart": charts.status_overall(page.tally, chart_id="status-ziel"),
        }

    return render(
        request,
        "reporting/goal_detail.html",
        {
            "concept": concept,
            "goal": goal,
            "cache_fill": fill,
            "previous_goal": goals[index - 1] if index > 0 else None,
            "next_goal": goals[index + 1] if index + 1 < len(goals) else None,
        },
    )


@require_safe
@login_required
def mind_map(request, slug):
    concept = get_concept_for_view(request.user, slug)
    return render(
        request,
        "reporting/concept_mindmap.html",
        {
            "concept": concept,
            "cache_fill": lambda: {"map": queries.mind_map(concept)},
            "lights": TrafficLight.choices,
        },
    )


def _since(request, concept):
    """The day of ?seit= (German or ISO), else the default; with the form and what was
    wrong with the given date ("future", "invalid"; None when nothing)."""
    default = changes.default_since(concept)
    form = ChangesSinceForm(request.GET or None, initial={"seit": default})
    since, since_error = default, None
    if form.is_bound and form.is_valid():
        since = form.cleaned_data["seit"] or default
    elif form.is_bound:
        codes = [error.code for error in form.errors.as_data().get("seit", [])]
        since_error = "future" if "future" in codes else "invalid"
    return since, since_error, form, default


def _period_query(since):
    """The query string that names the period, for the file and the print view."""
    return "?" + urlencode({"seit": formatting.date(since)})


@require_safe
@login_required
def changes_page(request, slug):
    concept = get_concept_for_view(request.user, slug)
    since, since_error, form, default = _since(request, concept)
    pages = {kind.key: request.GET.get(kind.page_param) for kind in changes.KINDS}

    def fill():
        data = changes.changes_since(concept, since, pages=pages)
        return {
            "changes": data,
            "sections": [
                (section, _pager(request, section.page, section.kind)) for section in data.sections
            ],
        }

    return render(
        request,
        "reporting/concept_changes.html",
        {
            "concept": concept,
            "form": form,
            "since": since,
            "default_since": default,
            "since_error": since_error,
            "cache_fill": fill,
            "period_query": _period_query(since),
        },
    )


def _pager(request, page, kind):
    """Links to the newer and older page of one kind of change, keeping the other
    parameters."""

    def link(number):
        query = request.GET.copy()
        query[kind.page_param] = number
        return f"?{query.urlencode()}#{kind.anchor}"

    return {
        "page": page,
        "newer": link(page.previous_page_number()) if page.has_previous() else None,
        "older": link(page.next_page_number()) if page.has_next() else None,
        "older_count": page.paginator.count - page.end_index(),
    }


def _back_to_page(concept, request):
    """A file or print view asked for with an unreadable date: the page, which names the
    mistake at the date field (a file for another period than asked would mislead)."""
    url = reverse("reporting:changes", kwargs={"slug": concept.slug})
    return redirect(f"{url}?{request.GET.urlencode()}")


@require_safe
@login_required
def changes_csv(request, slug):
    concept = get_concept_for_view(request.user, slug)
    since, since_error, _form, _default = _since(request, concept)
    if since_error:
        return _back_to_page(concept, request)
    headers, rows = changes.csv_table(changes.changes_since(concept, since, paged=False))
    response = HttpResponse(write_csv(headers, rows), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"aenderungen-{concept.slug}-seit-{since:%Y-%m-%d}.csv"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
@login_required
def changes_print(request, slug):
    concept = get_concept_for_view(request.user, slug)
    since, since_error, _form, _default = _since(request, concept)
    if since_error:
        return _back_to_page(concept, request)
    return render(
        request,
        "reporting/concept_changes_print.html",
        {
            "concept": concept,
            "changes": changes.changes_since(concept, since, paged=False),
            "printed": timezone.now(),
            "period_query": _period_query(since),
        },
    )


@require_safe
@login_required
def structure(request, slug):
    concept = get_concept_for_view(request.user, slug)
    return render(
        request,
        "reporting/dashboard/structure.html",
        {"concept": concept, "structure": concept_structure(concept)},
    )

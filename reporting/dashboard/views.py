"""Dashboards of a concept: overview, goal page, mind map, changes."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from concept.access import get_concept_for_view
from goals.models import StrategicGoal
from measures.access import can_record_decisions
from measures.filters import ATTENTION, DONE, list_url
from measures.models import TrafficLight
from reporting.dashboard import charts, queries
from reporting.dashboard.forms import ChangesSinceForm
from reporting.dashboard.structure import concept_structure


@require_safe
@login_required
def dashboard(request, slug):
    concept = get_concept_for_view(request.user, slug)
    data = queries.dashboard(concept)
    for figure in data.situation:
        figure.chart = charts.situation_chart(
            figure, chart_id=f"ausgangslage-{figure.indicator.pk}"
        )
    return render(
        request,
        "reporting/concept_dashboard.html",
        {
            "concept": concept,
            "data": data,
            "status_overall": charts.status_overall(data.overall),
            "status_by_goal": charts.status_by_goal(data.goals),
            "lights_by_goal": charts.lights_by_goal(data.goals),
            "can_record": can_record_decisions(request.user, concept),
            # The measure list filtered to exactly the measures of "Handlungsbedarf".
            "attention_url": list_url(concept, ampel=ATTENTION, sortierung="ampel"),
            "done_filter": DONE,
        },
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
    page = queries.goal_page(goal)
    for sub_goal in page.sub_goals:
        for indicator in sub_goal.indicator_list:
            indicator.chart = charts.indicator_line(
                indicator, indicator.totals, chart_id=f"kennzahl-{indicator.pk}"
            )
    return render(
        request,
        "reporting/goal_detail.html",
        {
            "concept": concept,
            "goal": goal,
            "page": page,
            "status_chart": charts.status_overall(page.tally, chart_id="status-ziel"),
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
            "map": queries.mind_map(concept),
            "lights": TrafficLight.choices,
        },
    )


# The page parameter of each list on the changes page.
CHANGES_PAGE_PARAMS = {
    "status": "seite_statuswechsel",
    "entries": "seite_sachstaende",
    "decisions": "seite_beschluesse",
}


@require_safe
@login_required
def changes(request, slug):
    concept = get_concept_for_view(request.user, slug)
    default = queries.default_since(concept)
    form = ChangesSinceForm(request.GET or None, initial={"seit": default})
    since, since_error = default, None
    if form.is_bound and form.is_valid():
        since = form.cleaned_data["seit"] or default
    elif form.is_bound:
        codes = [error.code for error in form.errors.as_data().get("seit", [])]
        since_error = "future" if "future" in codes else "invalid"
    pages = {key: request.GET.get(param) for key, param in CHANGES_PAGE_PARAMS.items()}
    data = queries.changes_since(concept, since, pages=pages)
    return render(
        request,
        "reporting/concept_changes.html",
        {
            "concept": concept,
            "form": form,
            "default_since": default,
            "since_error": since_error,
            "changes": data,
            "pagers": {
                key: _pager(request, getattr(data, attr), CHANGES_PAGE_PARAMS[key], anchor)
                for key, attr, anchor in [
                    ("status", "status_changes", "statuswechsel"),
                    ("entries", "entries", "sachstaende"),
                    ("decisions", "decisions", "beschluesse"),
                ]
            },
        },
    )


def _pager(request, page, param, anchor):
    """Links to the newer and older page of one list, keeping the other parameters."""

    def link(number):
        query = request.GET.copy()
        query[param] = number
        return f"?{query.urlencode()}#{anchor}"

    return {
        "page": page,
        "newer": link(page.previous_page_number()) if page.has_previous() else None,
        "older": link(page.next_page_number()) if page.has_next() else None,
        "older_count": page.paginator.count - page.end_index(),
    }


@require_safe
@login_required
def structure(request, slug):
    concept = get_concept_for_view(request.user, slug)
    return render(
        request,
        "reporting/dashboard/structure.html",
        {"concept": concept, "structure": concept_structure(concept)},
    )

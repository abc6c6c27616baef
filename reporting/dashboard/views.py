"""The read-only structure of a concept: goals → Teilziele → measures, with its Ausgangslage."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from concept.access import get_concept_for_view
from reporting.dashboard.structure import concept_structure


@require_safe
@login_required
def structure(request, slug):
    concept = get_concept_for_view(request.user, slug)
    return render(
        request,
        "reporting/dashboard/structure.html",
        {"concept": concept, "structure": concept_structure(concept)},
    )

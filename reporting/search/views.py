from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from concept.access import get_concept_for_view
from reporting.search import queries
from reporting.search.forms import SearchForm


@require_safe
@login_required
def search(request, slug):
    """The search page: empty without a query, else the hits, best first."""
    concept = get_concept_for_view(request.user, slug)
    form = SearchForm(request.GET)
    results = None
    if form.is_valid() and form.cleaned_data["q"]:
        results = queries.search(concept, form.cleaned_data["q"])
    return render(
        request,
        "reporting/search/results.html",
        {
            "concept": concept,
            "form": form,
            "results": results,
            "limit": queries.LIMIT_PER_KIND,
            "search_text": form.cleaned_data.get("q", "") if form.is_valid() else "",
        },
    )

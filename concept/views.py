from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from concept import roles
from concept.models import Concept


@require_safe
@login_required
def home(request):
    concepts = list(Concept.objects.for_user(request.user)[:2])
    if len(concepts) == 1:
        if (
            roles.role_in(request.user, concepts[0]) == roles.MEASURE_OWNERS
            and request.user.responsible_measures.filter(concept=concepts[0]).exists()
        ):
            # They come to update their measures; everything else they only read.
            return redirect("measures:mine", slug=concepts[0].slug)
        return redirect(concepts[0])
    return redirect("concept:list")


@require_safe
@login_required
def concept_list(request):
    concepts = Concept.objects.for_user(request.user).order_by("district", "title")
    return render(request, "concept/concept_list.html", {"concepts": concepts})

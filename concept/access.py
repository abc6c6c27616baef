"""Access helpers that fetch *and* authorise, so no view can forget the check."""

from django.shortcuts import get_object_or_404

from concept.models import Concept


def get_concept_for_view(user, slug):
    """The concept with this slug if the user may see it; 404 otherwise (a concept of
    another district is not even confirmed to exist)."""
    return get_object_or_404(Concept.objects.for_user(user), slug=slug)

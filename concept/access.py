"""Access helpers that fetch *and* authorise, so no view can forget the check."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from concept import roles
from concept.models import Concept


def get_concept_for_view(user, slug):
    """The concept with this slug if the user may see it; 404 otherwise (a concept of
    another district is not even confirmed to exist)."""
    return get_object_or_404(Concept.objects.for_user(user), slug=slug)


def get_concept_for_edit(user, slug):
    """The concept, if the user may edit everything in it (Administration, Koordination)."""
    concept = get_concept_for_view(user, slug)
    if not roles.can_edit_concept(user, concept):
        raise PermissionDenied(_("Diese Funktion ist der Koordination vorbehalten."))
    return concept

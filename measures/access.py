"""Fetch-and-authorise helpers for measures: no view can forget the check."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from concept import roles
from concept.access import get_concept_for_view
from concept.models import Concept
from measures.models import Decision, Measure


def measure_lookup(key):
    """A measure is addressed by its code, or by its outline number if it has none."""
    return Q(code=key) | Q(code="", number=key)


def can_edit_measure(user, measure):
    role = roles.role_in(user, measure.concept_id)
    if role in roles.EDITORS:
        return True
    if role == roles.MEASURE_OWNERS:
        return measure.responsible_users.filter(pk=user.pk).exists()
    return False


def get_measure_for_view(user, slug, key, queryset=None):
    """The measure with its concept and goal, in one query, if the user may see the
    concept; 404 otherwise (a concept of another district is not even confirmed to exist)."""
    queryset = queryset if queryset is not None else Measure.objects.all()
    visible = Concept.objects.for_user(user)
    try:
        return queryset.select_related("concept", "goal").get(
            measure_lookup(key), concept__slug=slug, concept__in=visible
        )
    except Measure.DoesNotExist:
        get_concept_for_view(user, slug)
        raise Http404(_("Diese Maßnahme gibt es in diesem Konzept nicht.")) from None


def get_measure_for_edit(user, slug, key, queryset=None):
    measure = get_measure_for_view(user, slug, key, queryset)
    if not can_edit_measure(user, measure):
        raise PermissionDenied(_("Sie dürfen diese Maßnahme nicht bearbeiten."))
    return measure


def can_record_decisions(user, concept):
    """Every member reads the committees and their decisions; the Koordination records them."""
    return roles.can_edit_concept(user, concept)


def get_decision_for_edit(user, slug, pk):
    concept = get_concept_for_view(user, slug)
    if not can_record_decisions(user, concept):
        raise PermissionDenied(_("Beschlüsse erfasst die Koordination."))
    decision = get_object_or_404(
        Decision.objects.select_related("meeting__network"),
        pk=pk,
        meeting__network__concept=concept,
    )
    decision.meeting.network.concept = concept
    return decision

"""Fetch-and-authorise helpers for the dashboards and the evaluation cycle.

Every member of a concept reads its dashboards and committee pages; only the Koordination
(and Administration, superusers) records meetings and decisions.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from concept import roles
from concept.access import get_concept_for_view
from measures.models import Decision
from networks.models import Meeting, Network


def can_record_decisions(user, concept):
    return roles.can_edit_concept(user, concept)


def get_concept_for_committee_edit(user, slug):
    """The concept, if the user may record meetings and decisions in it."""
    concept = get_concept_for_view(user, slug)
    if not can_record_decisions(user, concept):
        raise PermissionDenied(_("Sitzungen und Beschlüsse erfasst die Koordination."))
    return concept


def get_meeting_for_edit(user, slug, pk):
    concept = get_concept_for_committee_edit(user, slug)
    meeting = get_object_or_404(
        Meeting.objects.select_related("network"),
        pk=pk,
        network__concept=concept,
        network__kind=Network.Kind.COMMITTEE,
    )
    return concept, meeting


def get_decision_for_edit(user, slug, pk):
    concept = get_concept_for_committee_edit(user, slug)
    decision = get_object_or_404(
        Decision.objects.select_related("meeting__network"),
        pk=pk,
        meeting__network__concept=concept,
    )
    return concept, decision

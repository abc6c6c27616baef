"""Fetch-and-authorise helpers for networks, organisations and meetings.

Every member of a concept reads its networks directory and committees; Koordination and
Administration (or a superuser) maintain them and record meetings. A concept of another
district is never confirmed to exist.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from concept import roles
from concept.access import get_concept_for_view
from concept.models import Statement
from networks.models import Meeting, Network, Organisation


def can_edit_networks(user, concept):
    return roles.can_edit_concept(user, concept)


def get_concept_for_network_edit(user, slug):
    concept = get_concept_for_view(user, slug)
    if not can_edit_networks(user, concept):
        raise PermissionDenied(_("Netzwerke, Akteure und Sitzungen pflegt die Koordination."))
    return concept


def get_network_for_view(user, slug, pk, queryset=None):
    concept = get_concept_for_view(user, slug)
    queryset = Network.objects.all() if queryset is None else queryset
    network = get_object_or_404(queryset, concept=concept, pk=pk)
    network.concept = concept
    return network


def get_network_for_edit(user, slug, pk, queryset=None):
    concept = get_concept_for_network_edit(user, slug)
    queryset = Network.objects.all() if queryset is None else queryset
    network = get_object_or_404(queryset, concept=concept, pk=pk)
    network.concept = concept
    return network


def get_meeting_for_edit(user, slug, pk, queryset=None):
    """The meeting `pk` of the concept, if the user may edit it; `queryset` narrows where
    it is looked for (one network's meetings, or `Meeting.objects.of_committees()`)."""
    concept = get_concept_for_network_edit(user, slug)
    queryset = Meeting.objects.all() if queryset is None else queryset
    meeting = get_object_or_404(queryset.select_related("network"), network__concept=concept, pk=pk)
    meeting.network.concept = concept
    return meeting


def get_organisation_for_view(user, slug, pk, queryset=None):
    concept = get_concept_for_view(user, slug)
    queryset = Organisation.objects.all() if queryset is None else queryset
    organisation = get_object_or_404(queryset, concept=concept, pk=pk)
    organisation.concept = concept
    return organisation


def get_organisation_for_edit(user, slug, pk):
    concept = get_concept_for_network_edit(user, slug)
    organisation = get_object_or_404(Organisation, concept=concept, pk=pk)
    organisation.concept = concept
    return organisation


def get_statement_for_split(user, slug, pk):
    """A statement of the concept that still holds a list of networks as one line."""
    concept = get_concept_for_network_edit(user, slug)
    statement = get_object_or_404(Statement, concept=concept, pk=pk, needs_split=True)
    statement.concept = concept
    return statement

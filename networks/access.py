"""Fetch-and-authorise helpers for networks, organisations and meetings.

Every member of a concept reads its networks directory; Koordination and Administration
(or a superuser) maintain it. A concept of another district is never confirmed to exist.
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
        raise PermissionDenied(_("Netzwerke und Akteure pflegt die Koordination."))
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


def get_meeting_for_edit(user, slug, network_pk, pk):
    network = get_network_for_edit(user, slug, network_pk)
    meeting = get_object_or_404(Meeting, network=network, pk=pk)
    meeting.network = network
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

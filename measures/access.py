"""Fetch-and-authorise helpers for measures: no view can forget the check."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from concept import roles
from concept.access import get_concept_for_view
from concept.models import Concept
from measures.models import Campaign, Decision, Measure, ProgressEntry


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


# Maßnahmenverantwortliche correct or withdraw a Sachstand they recorded themselves within
# this many days (counted from when it was recorded, not from its date); Koordination and
# Administration any Sachstand of their concept (docs/pages.md).
OWN_ENTRY_CORRECTION_DAYS = 30


def correctable_entry_ids(user, measure, entries, now=None) -> set:
    """The pks of those of `entries` (Sachstände of `measure`) the user may correct or
    withdraw: every one not withdrawn for Koordination and Administration; for the
    measure's Maßnahmenverantwortliche those they recorded in the last
    OWN_ENTRY_CORRECTION_DAYS days. At most one query, whatever the number of entries."""
    entries = [e for e in entries if not e.is_withdrawn]
    role = roles.role_in(user, measure.concept_id)
    if role in roles.EDITORS:
        return {e.pk for e in entries}
    if role != roles.MEASURE_OWNERS:
        return set()
    since = (now or timezone.now()) - dt.timedelta(days=OWN_ENTRY_CORRECTION_DAYS)
    own = [e for e in entries if e.author_id == user.pk and e.created_at >= since]
    if not own or not can_edit_measure(user, measure):
        return set()
    return {e.pk for e in own}


def get_entry_for_correction(user, slug, key, pk):
    """The measure and its Sachstand pk (not withdrawn: 404) if the user may correct or
    withdraw it (correctable_entry_ids; 403 otherwise)."""
    measure = get_measure_for_view(user, slug, key)
    entry = get_object_or_404(
        ProgressEntry.objects.select_related("author"), pk=pk, measure=measure
    )
    entry.measure = measure
    if entry.pk not in correctable_entry_ids(user, measure, [entry]):
        if roles.role_in(user, measure.concept_id) == roles.MEASURE_OWNERS:
            raise PermissionDenied(
                _(
                    "Maßnahmenverantwortliche korrigieren nur eigene Sachstände der letzten "
                    "%(days)s Tage; bitte wenden Sie sich an die Koordination."
                )
                % {"days": OWN_ENTRY_CORRECTION_DAYS}
            )
        raise PermissionDenied(_("Sie dürfen diesen Sachstand nicht korrigieren."))
    return measure, entry


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


def get_campaign_for_view(user, slug, pk):
    """A Sachstandsabfrage of a concept the user may see (its progress is read by every
    member, like the dashboard); 404 for another concept's."""
    concept = get_concept_for_view(user, slug)
    campaign = get_object_or_404(Campaign.objects.all(), pk=pk, concept=concept)
    campaign.concept = concept
    return campaign


def get_campaign_for_edit(user, slug, pk):
    """The campaign, if the user may open and remind (Koordination, Administration)."""
    campaign = get_campaign_for_view(user, slug, pk)
    if not roles.can_edit_concept(user, campaign.concept):
        raise PermissionDenied(_("Sachstandsabfragen führt die Koordination."))
    return campaign

"""The roles of the portal. A role belongs to a membership: a person can be Koordination in one
concept and Steuerungsgruppe in another. Every check of what a person may do in a concept goes
through `role_in` (portal views, services, the admin and the commands alike)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATION = "administration", _("Administration")
    COORDINATION = "coordination", _("Koordination")
    MEASURE_OWNERS = "measure_owner", _("Maßnahmenverantwortliche")
    STEERING_GROUP = "steering_group", _("Steuerungsgruppe")


ADMINISTRATION = Role.ADMINISTRATION
COORDINATION = Role.COORDINATION
MEASURE_OWNERS = Role.MEASURE_OWNERS
STEERING_GROUP = Role.STEERING_GROUP

ALL = tuple(Role)

# Roles whose members edit everything in their concept.
EDITORS = (ADMINISTRATION, COORDINATION)


def memberships(user):
    """{concept id: role} of the user's memberships, cached on the user object for the
    request (one query however often a page asks)."""
    if not user.is_authenticated:
        return {}
    cached = getattr(user, "_portal_memberships", None)
    if cached is None:
        cached = dict(user.memberships.values_list("concept_id", "role"))
        user._portal_memberships = cached
    return cached


def forget(user):
    """Drop the cached memberships, after they changed."""
    user.__dict__.pop("_portal_memberships", None)


def _concept_id(concept):
    return concept if isinstance(concept, int) else concept.pk


def role_in(user, concept):
    """The user's role in the concept (a Concept or its id); None for non-members.
    Superusers act as Administration everywhere."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return ADMINISTRATION
    return memberships(user).get(_concept_id(concept))


def has_role_in(user, concept, *names):
    return role_in(user, concept) in names


def can_edit_concept(user, concept):
    """Edit everything in the concept: its Administration and Koordination."""
    return has_role_in(user, concept, *EDITORS)


def administers(user, concept):
    """Manage the concept's members and their roles."""
    return has_role_in(user, concept, ADMINISTRATION)


def concept_ids_with(user, *names):
    """Ids of the concepts in which the user holds one of these roles (not for superusers,
    who hold every role everywhere: callers check `is_superuser` first)."""
    return {pk for pk, role in memberships(user).items() if role in names}


def edits_any_concept(user):
    """Editor somewhere: may start a new concept and use the admin."""
    return user.is_authenticated and (user.is_superuser or bool(concept_ids_with(user, *EDITORS)))


def is_administrator(user):
    """Installation-wide tasks: legal pages, unlocking accounts, the mail log."""
    return user.is_authenticated and (
        user.is_superuser or bool(concept_ids_with(user, ADMINISTRATION))
    )


def role_labels(user):
    """The German names of the user's roles, for the header."""
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return [str(Role.ADMINISTRATION.label)]
    return sorted({str(Role(role).label) for role in memberships(user).values()})

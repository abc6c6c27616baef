from django.utils.functional import SimpleLazyObject

from concept import roles, sso
from concept.legal import can_edit_legal_pages


def _responsible_concept_ids(user):
    """The concepts in which the user is responsible for a measure ("Meine Maßnahmen" in
    the navigation). One query, only on pages that show the navigation and only for
    Maßnahmenverantwortliche; editors find "Meine Maßnahmen" beside the measure list."""
    owned = roles.concept_ids_with(user, roles.MEASURE_OWNERS)
    if not owned:
        return frozenset()
    return frozenset(
        user.responsible_measures.filter(concept_id__in=owned)
        .values_list("concept_id", flat=True)
        .distinct()
    )


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "user_roles": roles.role_labels(user),
        # Editors of a concept use the admin and may start a new concept from an outline.
        "is_editor": roles.edits_any_concept(user),
        "can_edit_legal_pages": can_edit_legal_pages(user),
        "is_administrator": roles.is_administrator(user),
        "responsible_concept_ids": SimpleLazyObject(lambda: _responsible_concept_ids(user)),
        "second_factor_required": SimpleLazyObject(lambda: sso.requires_second_factor(user)),
    }

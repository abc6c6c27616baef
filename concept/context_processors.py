from concept import roles
from concept.legal import can_edit_legal_pages


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "user_roles": sorted(roles.role_names(user)),
        "can_edit_legal_pages": can_edit_legal_pages(user),
    }

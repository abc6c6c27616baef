"""The roles of the portal. They are Django groups that exist on every installation
(created by a migration); membership in a concept scopes them to that concept."""

from django.utils.translation import gettext_lazy as _

ADMINISTRATION = "Administration"
COORDINATION = "Koordination"
MEASURE_OWNERS = "Maßnahmenverantwortliche"
STEERING_GROUP = "Steuerungsgruppe"

ALL = (ADMINISTRATION, COORDINATION, MEASURE_OWNERS, STEERING_GROUP)

DESCRIPTIONS = {
    ADMINISTRATION: _("Benutzer, Rollen und Einstellungen; bearbeitet das ganze Konzept."),
    COORDINATION: _("Pflegt Konzept, Maßnahmen und Netzwerke und erstellt den Jahresbericht."),
    MEASURE_OWNERS: _("Aktualisiert die Maßnahmen, für die die Person verantwortlich ist."),
    STEERING_GROUP: _("Liest Dashboards und Berichte; bearbeitet nichts."),
}

# Groups whose members edit everything in their concepts.
EDITORS = (ADMINISTRATION, COORDINATION)


def role_names(user):
    """The user's role names, cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._portal_roles = cached
    return cached


def has_role(user, *names):
    return bool(role_names(user).intersection(names))


def can_edit_concept(user):
    """Edit everything in a concept the user is a member of (checked separately)."""
    return user.is_superuser or has_role(user, *EDITORS)


def is_administrator(user):
    """Installation-wide tasks: legal pages, unlocking accounts, the mail log."""
    return user.is_authenticated and (user.is_superuser or has_role(user, ADMINISTRATION))


DOMAIN_APPS = ("concept", "goals", "measures", "networks", "reporting")


def sync_role_permissions(sender=None, using="default", **kwargs):
    """Give the roles their admin permissions; runs after every migrate, idempotent."""
    from django.contrib.auth.models import Group, Permission

    domain = Permission.objects.using(using).filter(content_type__app_label__in=DOMAIN_APPS)
    accounts = Permission.objects.using(using).filter(
        content_type__app_label="auth", content_type__model__in=["user", "group"]
    )
    wanted = {
        ADMINISTRATION: list(domain) + list(accounts),
        COORDINATION: list(domain.exclude(codename="delete_concept")),
        MEASURE_OWNERS: [],
        STEERING_GROUP: [],
    }
    for name, permissions in wanted.items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        group.permissions.set(permissions)

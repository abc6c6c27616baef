from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """Django's admin with the portal's site (`concept.admin_site`)."""

    default_site = "concept.admin_site.PortalAdminSite"

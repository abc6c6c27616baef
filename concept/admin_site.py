"""The portal's admin site: for the editors of a concept (Administration, Koordination), each
seeing only the concepts in which they hold that role (see `concept.admin.ConceptScopedAdmin`).
Django's model permissions play no part: the roles of the memberships decide."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from concept import roles


class PortalAdminSite(admin.AdminSite):
    site_header = _("Integrationsportal – Verwaltung")
    site_title = _("Integrationsportal")
    index_title = _("Daten und Benutzer")

    def has_permission(self, request):
        user = request.user
        return user.is_active and roles.edits_any_concept(user)

    def login(self, request, extra_context=None):
        # One login for the whole portal, with its lockout and password reset.
        if request.user.is_authenticated:
            # Signed in but no editor anywhere: the portal, not a second login form.
            return redirect("home")
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect_to_login(next_url)

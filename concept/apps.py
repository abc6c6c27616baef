from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConceptConfig(AppConfig):
    name = "concept"
    verbose_name = _("Integrationskonzepte")

    def ready(self):
        # The roles from the OpenID provider's groups at every login.
        from concept import sso  # noqa: F401

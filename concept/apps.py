from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConceptConfig(AppConfig):
    name = "concept"
    verbose_name = _("Integrationskonzepte")

    def ready(self):
        # The roles from the OpenID provider's groups at every login.
        from concept import dataversion, sso  # noqa: F401

        # Every save, delete and relation change of a concept's rows moves its data version.
        dataversion.connect()

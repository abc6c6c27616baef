from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ConceptConfig(AppConfig):
    name = "concept"
    verbose_name = _("Integrationskonzepte")

    def ready(self):
        from concept.roles import sync_role_permissions

        # Permissions exist only after migrate has created them, so the roles get theirs here.
        post_migrate.connect(sync_role_permissions, dispatch_uid="concept.sync_role_permissions")

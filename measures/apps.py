from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasuresConfig(AppConfig):
    name = "measures"
    verbose_name = _("Maßnahmen")

    def ready(self):
        from django.db.backends.signals import connection_created
        from simple_history.signals import pre_create_historical_record

        from measures.models import Measure, record_assignments

        pre_create_historical_record.connect(record_assignments, sender=Measure.history.model)
        connection_created.connect(register_sqlite_functions)


def register_sqlite_functions(sender, connection, **kwargs):
    """SQLite's LOWER() folds only ASCII; the free-text search needs "Ü" → "ü" too."""
    if connection.vendor == "sqlite":
        from measures.filters import sqlite_lower

        connection.connection.create_function("PORTAL_LOWER", 1, sqlite_lower, deterministic=True)

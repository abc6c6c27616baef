from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Berichtswesen")

    def ready(self):
        from django.db.backends.signals import connection_created
        from simple_history.signals import pre_create_historical_record

        from reporting.models import AnnualReport, record_assessments
        from reporting.search.queries import register_sqlite_functions

        pre_create_historical_record.connect(record_assessments, sender=AnnualReport.history.model)
        connection_created.connect(register_sqlite_functions)

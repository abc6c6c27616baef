from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Berichtswesen")

    def ready(self):
        from simple_history.signals import pre_create_historical_record

        from reporting.models import AnnualReport, record_assessments

        pre_create_historical_record.connect(record_assessments, sender=AnnualReport.history.model)

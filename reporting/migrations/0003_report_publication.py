"""Publishing a yearly report becomes its own step after finalising.

Until now a final report was public at once. Reports that are already final stay public
(published when they became final, by whoever finalised them), so nothing disappears from
the public pages; from now on finalising no longer publishes.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def publish_existing_final_reports(apps, schema_editor):
    AnnualReport = apps.get_model("reporting", "AnnualReport")
    AnnualReport.objects.filter(status="final").update(
        published_at=F("finalised_at"), published_by=F("finalised_by")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("concept", "0003_legal_pages"),
        ("reporting", "0002_report_render"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="annualreport",
            name="published_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="veröffentlicht am"
            ),
        ),
        migrations.AddField(
            model_name="annualreport",
            name="published_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="veröffentlicht von",
            ),
        ),
        # Reverse: the fields go away with the reversed AddField operations.
        migrations.RunPython(publish_existing_final_reports, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="annualreport",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("published_at__isnull", True), ("status", "final"), _connector="OR"
                ),
                name="report_published_is_final",
            ),
        ),
    ]

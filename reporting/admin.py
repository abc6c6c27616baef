from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from concept.admin import (
    ConceptScopedAdmin,
    ConceptScopedInline,
    HistoryAdmin,
    VersionedAdminMixin,
)
from reporting.models import AnnualReport, GoalAssessment
from reporting.report.services import check_report_year


class GoalAssessmentInline(ConceptScopedInline, admin.StackedInline):
    concept_path = "report__concept"
    model = GoalAssessment
    extra = 0


class AnnualReportAdminForm(forms.ModelForm):
    """A new report only for a plausible year, as in the portal (check_report_year)."""

    def clean(self):
        cleaned = super().clean()
        concept, year = cleaned.get("concept"), cleaned.get("year")
        if self.instance.pk is None and concept is not None and year is not None:
            try:
                check_report_year(concept, year)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


@admin.register(AnnualReport)
class AnnualReportAdmin(ConceptScopedAdmin, VersionedAdminMixin, HistoryAdmin):
    form = AnnualReportAdminForm
    list_display = [
        "concept",
        "year",
        "version",
        "status",
        "finalised_at",
        "published_at",
        "pdf_sha256",
    ]
    list_filter = ["status", "concept", "year"]
    search_fields = ["concept__title", "summary"]
    # Finalising freezes data and PDF with its checks (reporting.report.services); only the
    # portal's "Bericht final stellen" does that, so the admin never changes the status.
    readonly_fields = [
        "status",
        "version",
        "supersedes",
        "published_at",
        "pdf_sha256",
        "finalised_at",
        "finalised_by",
    ]
    inlines = [GoalAssessmentInline]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["concept", "year"]
        return fields

    def has_change_permission(self, request, obj=None):
        # A final report is frozen: not even the admin changes it.
        if obj is not None and obj.is_final:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_final:
            return False
        return super().has_delete_permission(request, obj)

from django.contrib import admin

from concept.admin import HistoryAdmin, VersionedAdminMixin
from reporting.models import AnnualReport, GoalAssessment


class GoalAssessmentInline(admin.StackedInline):
    model = GoalAssessment
    extra = 0


@admin.register(AnnualReport)
class AnnualReportAdmin(VersionedAdminMixin, HistoryAdmin):
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
    readonly_fields = ["pdf_sha256", "finalised_at", "finalised_by"]
    inlines = [GoalAssessmentInline]

    def has_change_permission(self, request, obj=None):
        # A final report is frozen: not even the admin changes it.
        if obj is not None and obj.is_final:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_final:
            return False
        return super().has_delete_permission(request, obj)

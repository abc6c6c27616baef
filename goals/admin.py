from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from concept.admin import (
    AdministrationOnly,
    ConceptScopedAdmin,
    ConceptScopedInline,
    HistoryAdmin,
    VersionedAdminMixin,
)
from concept.exchange.admin import ConceptImportExportMixin
from goals.models import (
    Indicator,
    IndicatorValue,
    SourceFile,
    StatisticsImport,
    StatisticsRegion,
    StatisticsSource,
    StrategicGoal,
    SubGoal,
)
from goals.resources import IndicatorValueResource


class GoalListFilter(admin.RelatedFieldListFilter):
    """Strategic goals named with their concept ("Strategisches Ziel 1: Sprache" exists once
    per concept); once a concept is chosen, only its goals."""

    concept_parameter = "concept__id__exact"

    def field_choices(self, field, request, model_admin):
        goals = (
            StrategicGoal.objects.filter(concept__in=model_admin.scoped_concepts(request))
            .select_related("concept")
            .order_by("concept__title", "number")
        )
        concept = request.GET.get(self.concept_parameter, "")
        if concept.isdigit():
            goals = goals.filter(concept_id=concept)
        return [(goal.pk, f"{goal} ({goal.concept.title})") for goal in goals]


class SubGoalGoalListFilter(GoalListFilter):
    concept_parameter = "goal__concept__id__exact"


class SubGoalInline(ConceptScopedInline, admin.TabularInline):
    concept_path = "goal__concept"
    model = SubGoal
    extra = 0
    fields = ["number", "text"]


@admin.register(StrategicGoal)
class StrategicGoalAdmin(ConceptScopedAdmin, admin.ModelAdmin):
    list_display = ["number", "short_title", "title", "concept", "sub_goal_count"]
    list_display_links = ["number", "short_title"]
    list_filter = ["concept"]
    search_fields = ["title", "short_title", "aim"]
    inlines = [SubGoalInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_sub_goals=Count("sub_goals"))
            .order_by("concept", "number")
        )

    @admin.display(description=_("Teilziele"), ordering="n_sub_goals")
    def sub_goal_count(self, obj):
        return obj.n_sub_goals


@admin.register(SubGoal)
class SubGoalAdmin(ConceptScopedAdmin, admin.ModelAdmin):
    concept_path = "goal__concept"
    list_display = ["label", "text", "goal"]
    list_filter = ["goal__concept", ("goal", SubGoalGoalListFilter)]
    search_fields = ["text"]
    list_select_related = ["goal", "goal__concept"]


class IndicatorValueInline(ConceptScopedInline, admin.TabularInline):
    concept_path = "indicator__concept"
    model = IndicatorValue
    extra = 0
    fields = ["reference_date", "period", "breakdown", "value", "source", "is_demo"]


@admin.register(Indicator)
class IndicatorAdmin(ConceptScopedAdmin, admin.ModelAdmin):
    list_display = [
        "name",
        "unit",
        "sub_goal",
        "baseline_value",
        "target_value",
        "target_year",
        "is_public",
        "is_demo",
    ]
    list_filter = ["concept", "direction", "is_public", "is_demo"]
    search_fields = ["name", "description", "source"]
    autocomplete_fields = ["sub_goal"]
    list_select_related = ["sub_goal", "sub_goal__goal"]
    inlines = [IndicatorValueInline]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(
    ConceptScopedAdmin, ConceptImportExportMixin, VersionedAdminMixin, HistoryAdmin
):
    concept_path = "indicator__concept"
    resource_classes = [IndicatorValueResource]
    list_display = ["indicator", "reference_date", "breakdown", "value", "source", "is_demo"]
    list_filter = ["indicator__concept", "is_demo", "reference_date"]
    search_fields = ["indicator__name", "breakdown", "source"]
    date_hierarchy = "reference_date"
    list_select_related = ["indicator"]


@admin.register(StatisticsSource)
class StatisticsSourceAdmin(AdministrationOnly, admin.ModelAdmin):
    """Sources are shared by concepts and name a place on the server: Administration only."""

    list_display = ["name", "publisher", "format", "location"]
    search_fields = ["name", "publisher", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    # An address typed without a scheme is a web address of the publisher: https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(StatisticsRegion)
class StatisticsRegionAdmin(ConceptScopedAdmin, admin.ModelAdmin):
    list_display = ["source", "concept", "region_key", "refresh_days", "read_at"]
    list_filter = ["concept"]
    list_select_related = ["source", "concept"]
    readonly_fields = ["read_at"]


class SourceFileInline(ConceptScopedInline, admin.TabularInline):
    concept_path = "statistics_import__concept"
    model = SourceFile
    extra = 0
    fields = ["name", "size", "sha256"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(StatisticsImport)
class StatisticsImportAdmin(ConceptScopedAdmin, admin.ModelAdmin):
    """Readings are a record of what was read: shown, never edited."""

    list_display = [
        "read_at",
        "source",
        "concept",
        "region_key",
        "origin",
        "values_created",
        "values_changed",
        "values_removed",
    ]
    list_filter = ["concept", "origin"]
    list_select_related = ["source", "concept"]
    inlines = [SourceFileInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

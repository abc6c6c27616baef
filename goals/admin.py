from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from concept.admin import (
    ConceptScopedAdmin,
    ConceptScopedInline,
    HistoryAdmin,
    VersionedAdminMixin,
)
from concept.exchange.admin import ConceptImportExportMixin
from goals.models import Indicator, IndicatorValue, StrategicGoal, SubGoal
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

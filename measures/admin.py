from django.contrib import admin
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from concept.admin import (
    ConceptScopedAdmin,
    ConceptScopedInline,
    HistoryAdmin,
    VersionedAdminMixin,
)
from concept.exchange.admin import ConceptImportExportMixin
from goals.admin import GoalListFilter
from measures.models import (
    Campaign,
    Decision,
    Evidence,
    Measure,
    MeasureOrganisation,
    ProgressEntry,
    assignments_snapshot,
)
from measures.resources import MeasureResource, ProgressEntryResource


class InvolvementInline(ConceptScopedInline, admin.TabularInline):
    concept_path = "measure__concept"
    model = MeasureOrganisation
    extra = 0
    autocomplete_fields = ["organisation"]


# A Sachstand's date and state are what the measure's state was taken from: they are
# recorded in the portal (progress_entry_create) and never changed afterwards; the admin
# corrects texts and figures only (as progress_entry_correct does) and deletes nothing.
ENTRY_FIXED_FIELDS = [
    "measure",
    "date",
    "status",
    "traffic_light",
    "progress",
    "decision",
    "author",
    "is_demo",
]


class ProgressEntryInline(ConceptScopedInline, admin.StackedInline):
    concept_path = "measure__concept"
    model = ProgressEntry
    extra = 0
    can_delete = False
    readonly_fields = [f for f in ENTRY_FIXED_FIELDS if f != "measure"]
    fields = [
        ("date", "period"),
        ("status", "traffic_light", "progress"),
        "text",
        "next_steps",
        ("participants", "staff", "cost", "funding"),
        "author",
        "is_demo",
    ]
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Measure)
class MeasureAdmin(ConceptScopedAdmin, ConceptImportExportMixin, VersionedAdminMixin, HistoryAdmin):
    resource_classes = [MeasureResource]
    list_display = ["label", "title", "goal", "status", "traffic_light", "progress", "concept"]
    list_display_links = ["label", "title"]
    list_filter = ["concept", ("goal", GoalListFilter), "status", "traffic_light", "is_public"]
    search_fields = ["code", "number", "title", "description", "target_group"]
    list_select_related = ["goal", "concept"]
    autocomplete_fields = ["goal", "sub_goals", "networks"]
    inlines = [InvolvementInline, ProgressEntryInline]
    # Status, Ampel and Fortschritt change only with a Sachstand (measure_set_state and
    # progress_entry_create in the portal), so that every change leaves an entry.
    readonly_fields = [
        "status",
        "traffic_light",
        "progress",
        "state_in_portal",
        "version",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["concept", ("code", "number"), "title", "description", "target_group"]}),
        (_("Zuordnung"), {"fields": ["goal", "sub_goals", "networks", "responsible_users"]}),
        (
            _("Stand"),
            {
                "fields": [
                    ("status", "traffic_light", "progress"),
                    "state_in_portal",
                    "status_reason",
                    "update_cadence",
                ]
            },
        ),
        (_("Zeitplan"), {"fields": [("start_date", "end_date")]}),
        (
            _("Sonstiges"),
            {"fields": ["is_public", "position", "version", "created_at", "updated_at"]},
        ),
    ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The measure was saved (and its history recorded) before its Teilziele, Akteure …
        # were: record them as they are now, so the change shows up as the admin's.
        record = form.instance.history.order_by("-history_date", "-history_id").first()
        if record is not None:
            record.assignments = assignments_snapshot(form.instance)
            record.save(update_fields=["assignments"])

    @admin.display(description=_("Stand ändern"))
    def state_in_portal(self, obj):
        message = _(
            "Umsetzungsstand, Ampel und Fortschritt ändern sich nur mit einem Sachstand im "
            "Portal, damit jede Änderung nachvollziehbar bleibt."
        )
        if obj is None or obj.pk is None:
            return message
        return format_html(
            '{} <a href="{}">{}</a>',
            message,
            obj.get_absolute_url(),
            _("Maßnahme im Portal öffnen"),
        )


class EvidenceInline(ConceptScopedInline, admin.TabularInline):
    concept_path = "entry__measure__concept"
    model = Evidence
    extra = 0
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(ProgressEntry)
class ProgressEntryAdmin(
    ConceptScopedAdmin, ConceptImportExportMixin, VersionedAdminMixin, HistoryAdmin
):
    concept_path = "measure__concept"
    resource_classes = [ProgressEntryResource]
    list_display = ["measure", "date", "status", "traffic_light", "progress", "author", "is_demo"]
    list_filter = ["measure__concept", "status", "traffic_light", "is_demo"]
    search_fields = ["measure__code", "measure__title", "text", "next_steps"]
    date_hierarchy = "date"
    list_select_related = ["measure", "author"]
    readonly_fields = [*ENTRY_FIXED_FIELDS, "record_in_portal"]
    inlines = [EvidenceInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Sachstand erfassen"))
    def record_in_portal(self, obj):
        return format_html(
            '{} <a href="{}">{}</a>',
            _(
                "Neue Sachstände erfassen Sie im Portal. Dort korrigieren Sie einen "
                "Sachstand auch in Datum und Stand oder ziehen ihn zurück, jeweils mit Grund."
            ),
            obj.measure.get_absolute_url(),
            _("Maßnahme im Portal öffnen"),
        )


@admin.register(Decision)
class DecisionAdmin(ConceptScopedAdmin, VersionedAdminMixin, HistoryAdmin):
    concept_path = "meeting__network__concept"
    list_display = ["short_text", "kind", "meeting", "follow_up_date", "follow_up_done"]
    list_filter = ["kind", "follow_up_done", "meeting__network"]
    search_fields = ["text"]
    autocomplete_fields = ["measures"]
    list_select_related = ["meeting", "meeting__network"]

    @admin.display(description=_("Beschluss"))
    def short_text(self, obj):
        return obj.text[:100]


@admin.register(Campaign)
class CampaignAdmin(ConceptScopedAdmin, VersionedAdminMixin, HistoryAdmin):
    """Sachstandsabfragen of the person's concepts: corrections of title, dates and note.
    They are opened in the portal (the mails go out there)."""

    list_display = ["label", "reference_date", "deadline", "reminded_on", "closed_at", "concept"]
    list_filter = ["concept"]
    search_fields = ["title"]
    list_select_related = ["concept"]
    fields = ["concept", "title", "reference_date", "deadline", "message", "measures"]
    readonly_fields = ["concept"]
    autocomplete_fields = ["measures"]

    def has_add_permission(self, request):
        return False

from django.contrib import admin
from django.db import models

from concept.admin import (
    ConceptScopedAdmin,
    ConceptScopedInline,
    HistoryAdmin,
    VersionedAdminMixin,
)
from concept.exchange.admin import ConceptImportExportMixin
from networks.models import Meeting, Network, Organisation
from networks.resources import NetworkResource, OrganisationResource


class VersionedAdmin(ConceptScopedAdmin, VersionedAdminMixin, HistoryAdmin):
    """A change here moves the version on (VersionedAdminMixin); "Verlauf" shows the
    history, as for measures."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Organisation)
class OrganisationAdmin(ConceptImportExportMixin, VersionedAdmin):
    resource_classes = [OrganisationResource]
    list_display = ["name", "short_name", "kind", "concept", "is_public"]
    list_filter = ["kind", "is_public", "concept"]
    search_fields = ["name", "short_name"]


class MeetingInline(ConceptScopedInline, admin.TabularInline):
    """Meetings are listed here and changed on their own page, which guards them against
    lost updates (VersionedAdminMixin)."""

    concept_path = "network__concept"
    model = Meeting
    extra = 0
    fields = ["date", "topic", "presented", "minutes"]
    readonly_fields = fields
    show_change_link = True


@admin.register(Network)
class NetworkAdmin(ConceptImportExportMixin, VersionedAdmin):
    resource_classes = [NetworkResource]
    list_display = ["name", "kind", "coordinator", "meeting_cadence", "concept", "is_public"]
    list_filter = ["kind", "is_public", "concept"]
    search_fields = ["name", "purpose"]
    autocomplete_fields = ["coordinator", "members"]
    list_select_related = ["coordinator", "concept"]
    inlines = [MeetingInline]


@admin.register(Meeting)
class MeetingAdmin(ConceptScopedAdmin, VersionedAdminMixin, HistoryAdmin):
    concept_path = "network__concept"
    list_display = ["date", "network", "topic", "presented"]
    list_filter = ["network__kind", "network"]
    search_fields = ["topic", "minutes", "presented"]
    date_hierarchy = "date"
    list_select_related = ["network"]

from django.contrib import admin

from networks.models import Meeting, Network, Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "concept", "is_public"]
    list_filter = ["kind", "is_public", "concept"]
    search_fields = ["name", "short_name"]


class MeetingInline(admin.TabularInline):
    model = Meeting
    extra = 0
    fields = ["date", "topic", "presented", "minutes"]


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "coordinator", "meeting_cadence", "concept", "is_public"]
    list_filter = ["kind", "is_public", "concept"]
    search_fields = ["name", "purpose"]
    autocomplete_fields = ["coordinator", "members"]
    list_select_related = ["coordinator", "concept"]
    inlines = [MeetingInline]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["date", "network", "topic", "presented"]
    list_filter = ["network__kind", "network"]
    search_fields = ["topic", "minutes", "presented"]
    date_hierarchy = "date"
    list_select_related = ["network"]

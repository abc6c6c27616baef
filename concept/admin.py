from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from concept.models import Concept, Statement


class StatementInline(admin.TabularInline):
    model = Statement
    extra = 0
    fields = ["section", "number", "text", "needs_split", "position"]


@admin.register(Concept)
class ConceptAdmin(admin.ModelAdmin):
    list_display = ["title", "district", "slug", "status", "adopted_on", "version_label"]
    list_filter = ["status", "district"]
    search_fields = ["title", "district", "slug"]
    prepopulated_fields = {"slug": ["district"]}
    autocomplete_fields = ["predecessor"]
    filter_horizontal = ["members"]
    inlines = [StatementInline]
    fieldsets = [
        (None, {"fields": ["title", "district", "slug", "version_label"]}),
        (_("Beschluss"), {"fields": ["status", "adopted_on", "predecessor"]}),
        (_("Mitglieder"), {"fields": ["members"]}),
    ]


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ["number", "short_text", "section", "concept", "needs_split"]
    list_filter = ["section", "needs_split", "concept"]
    search_fields = ["number", "text"]
    list_select_related = ["concept"]

    @admin.display(description=_("Text"))
    def short_text(self, obj):
        return obj.text[:100]

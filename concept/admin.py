from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from concept import roles
from concept.locking import StaleVersion, claim, stale_version, version_field, version_of
from concept.models import Concept, LegalPage, Statement


def _locked_form(base, obj):
    """The admin's form for obj with the version the admin loaded, checked on validation (so
    a stale form comes back with the conflict and the input kept)."""

    class LockedForm(base):
        locked_version = forms.IntegerField(
            widget=forms.HiddenInput, initial=version_of(obj), required=False
        )

        def clean(self):
            cleaned = super().clean()
            expected = cleaned.get("locked_version")
            stored = type(obj)._base_manager.filter(pk=obj.pk)
            now = stored.values_list(version_field(type(obj)), flat=True).first()
            if expected is not None and now is not None and expected != now:
                raise forms.ValidationError(
                    stale_version(stored.get(), expected).message, code="stale"
                )
            return cleaned

    return LockedForm


class VersionedAdminMixin:
    """The admin's change form under the portal's guard (concept.locking): it carries the
    version the admin loaded, and saving claims it like every portal form does, so neither
    side overwrites the other silently. The history record of the change carries the new
    version, as those of the portal do."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            kwargs["form"] = _locked_form(kwargs.get("form", self.form), obj)
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        shown = {name for _title, options in fieldsets for name in flatten(options["fields"])}
        if obj is None or "locked_version" in shown:
            return fieldsets
        return [*fieldsets, (None, {"fields": ["locked_version"], "classes": ["hidden"]})]

    def save_model(self, request, obj, form, change):
        if change:
            # The admin's change view runs in a transaction: the claimed row stays locked
            # until the change commits.
            claim(obj, form.cleaned_data.get("locked_version"))
        super().save_model(request, obj, form, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleVersion as conflict:
            # Someone saved between the form's check and this save; the change was rolled back.
            self.message_user(request, conflict.message, messages.ERROR)
            return HttpResponseRedirect(request.path)


class HistoryAdmin(SimpleHistoryAdmin):
    """simple-history's admin, for reading the history. Its "revert to this version" would
    write an old state past the services (a status without Sachstand, an old version number):
    SIMPLE_HISTORY_REVERT_DISABLED hides the button, and this refuses the POST itself."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


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


@admin.register(LegalPage)
class LegalPageAdmin(VersionedAdminMixin, HistoryAdmin):
    """Impressum, Datenschutz, Barrierefreiheit: only Administration may change them."""

    list_display = ["heading", "kind", "updated_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["kind", "title", "body"]}),
        (_("Kontakt"), {"fields": ["contact_email", "contact_phone", "contact_address"]}),
        (_("Schlichtungsverfahren"), {"fields": ["arbitration_text", "arbitration_url"]}),
    ]

    def _is_administration(self, request):
        return roles.is_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return self._is_administration(request)

    def has_add_permission(self, request):
        return self._is_administration(request)

    def has_change_permission(self, request, obj=None):
        return self._is_administration(request)

    def has_delete_permission(self, request, obj=None):
        return self._is_administration(request)


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    """Django's user admin, with each person's role (group) in the list."""

    list_display = ["username", "first_name", "last_name", "email", "role_names", "is_active"]
    list_filter = ["groups", "is_active", "is_staff", "is_superuser"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("Rolle"))
    def role_names(self, obj):
        return ", ".join(sorted(group.name for group in obj.groups.all())) or "–"

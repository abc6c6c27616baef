from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from concept import roles
from concept.models import Concept, LegalPage, Statement


class VersionedAdminMixin:
    """For models with optimistic locking (a `version` the portal's services claim): a
    change here moves the version on, so a portal form opened before is refused instead of
    overwriting it. Taken under a row lock and set before saving, so the history record of
    the change carries the new version as those of the portal do."""

    def save_model(self, request, obj, form, change):
        if change:
            # The admin's change view runs in a transaction, so the lock holds until commit.
            current = (
                type(obj)
                .objects.select_for_update()
                .values_list("version", flat=True)
                .get(pk=obj.pk)
            )
            obj.version = current + 1
        super().save_model(request, obj, form, change)


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
class LegalPageAdmin(admin.ModelAdmin):
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


# django-axes' records (login attempts with their form data, access logs) are for the
# installation's operators: superusers only, not the Administration role.
def _superusers_only(admin_class):
    class SuperuserOnlyAdmin(admin_class):
        def has_module_permission(self, request):
            return request.user.is_superuser

        def has_view_permission(self, request, obj=None):
            return request.user.is_superuser

        def has_add_permission(self, request):
            return False

        def has_change_permission(self, request, obj=None):
            return request.user.is_superuser and super().has_change_permission(request, obj)

        def has_delete_permission(self, request, obj=None):
            return request.user.is_superuser

    SuperuserOnlyAdmin.__name__ = admin_class.__name__
    return SuperuserOnlyAdmin


for _model in (AccessAttempt, AccessFailureLog, AccessLog):
    if admin.site.is_registered(_model):
        _registered = type(admin.site.get_model_admin(_model))
        admin.site.unregister(_model)
        admin.site.register(_model, _superusers_only(_registered))

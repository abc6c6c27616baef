from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten, get_fields_from_path
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from concept import roles
from concept.locking import StaleVersion, claim, stale_version, version_field, version_of
from concept.models import Abbreviation, Concept, LegalPage, Membership, Statement

User = get_user_model()


def concept_id_of(obj, path):
    """The id of the concept an object belongs to, following `path` ("measure__concept")."""
    if not path:
        return obj.pk
    *steps, last = path.split("__")
    for step in steps:
        obj = getattr(obj, step, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


class ConceptScope:
    """What an admin page may show and change: the objects of the concepts in which the
    person is Administration or Koordination (superusers: all). Shared by model admins and
    inlines; `concept_path` leads from the model to its concept ("" for Concept itself)."""

    concept_path = "concept"

    def scoped_concepts(self, request):
        return Concept.objects.editable_by(request.user)

    def scope(self, queryset, request):
        if request.user.is_superuser:
            return queryset
        lookup = f"{self.concept_path}__in" if self.concept_path else "pk__in"
        return queryset.filter(**{lookup: self.scoped_concepts(request)})

    def may_edit(self, request, obj):
        if obj is None:
            return roles.edits_any_concept(request.user)
        concept_id = concept_id_of(obj, self.concept_path)
        return concept_id is not None and roles.can_edit_concept(request.user, concept_id)

    def get_queryset(self, request):
        return self.scope(super().get_queryset(request), request)

    def related_choices(self, request, model, queryset):
        """Foreign-key and many-to-many choices: only what the person's concepts hold."""
        if request.user.is_superuser:
            return queryset
        if model is Concept:
            return queryset.filter(pk__in=self.scoped_concepts(request))
        if model is User:
            return queryset.filter(
                memberships__concept__in=self.scoped_concepts(request)
            ).distinct()
        related_admin = self.admin_site._registry.get(model)
        if isinstance(related_admin, ConceptScope):
            return related_admin.scope(queryset, request)
        return queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = self.related_choices(
                request, db_field.remote_field.model, field.queryset
            )
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = self.related_choices(
                request, db_field.remote_field.model, field.queryset
            )
        return field


class ConceptScopedAdmin(ConceptScope):
    """Mixin for a ModelAdmin: lists, change pages, history, filters, choices, autocomplete
    and import/export all see only the person's concepts; the roles of the memberships
    decide, not Django's model permissions."""

    def has_module_permission(self, request):
        return roles.edits_any_concept(request.user)

    def has_view_permission(self, request, obj=None):
        return self.may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.may_edit(request, obj)

    def has_add_permission(self, request):
        return roles.edits_any_concept(request.user)

    def has_delete_permission(self, request, obj=None):
        return self.may_edit(request, obj)

    def get_list_filter(self, request):
        # A filter on a relation offers only what the visible rows refer to (never the names
        # of another district's concepts, goals or networks).
        scoped = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str):
                field = get_fields_from_path(self.model, entry)[-1]
                if field.is_relation:
                    entry = (entry, admin.RelatedOnlyFieldListFilter)
            scoped.append(entry)
        return scoped


class ConceptScopedInline(ConceptScope):
    """Mixin for an inline: its rows and choices follow the concept scope; Django passes the
    parent object to an inline's permission checks, so they follow the parent's concept."""

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return roles.edits_any_concept(request.user)
        parent_admin = self.admin_site._registry[self.parent_model]
        concept_id = concept_id_of(obj, parent_admin.concept_path)
        return concept_id is not None and roles.can_edit_concept(request.user, concept_id)

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)


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


class StatementInline(ConceptScopedInline, admin.TabularInline):
    model = Statement
    extra = 0
    fields = ["section", "number", "text", "needs_split", "position"]


class MembershipInline(ConceptScopedInline, admin.TabularInline):
    """Who works with the concept, in which role: kept by the concept's Administration."""

    model = Membership
    extra = 0
    fields = ["user", "role"]
    autocomplete_fields = ["user"]

    def has_view_permission(self, request, obj=None):
        return obj is not None and roles.administers(request.user, obj)

    def related_choices(self, request, model, queryset):
        if model is User:
            # Administration adds anyone it may see in the user admin: the members of its
            # concepts and people not yet in any concept.
            return visible_users(request.user, queryset)
        return super().related_choices(request, model, queryset)


@admin.register(Concept)
class ConceptAdmin(ConceptScopedAdmin, admin.ModelAdmin):
    concept_path = ""
    list_display = ["title", "district", "slug", "status", "adopted_on", "version_label"]
    list_filter = ["status", "district"]
    search_fields = ["title", "district", "slug"]
    prepopulated_fields = {"slug": ["district"]}
    autocomplete_fields = ["predecessor"]
    inlines = [MembershipInline, StatementInline]
    fieldsets = [
        (None, {"fields": ["title", "district", "slug", "version_label"]}),
        (_("Beschluss"), {"fields": ["status", "adopted_on", "predecessor"]}),
        (_("Erinnerungen per E-Mail"), {"fields": ["reminders_mandatory"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        # Whether people may switch reminders off is the Administration's decision.
        if obj is not None and not roles.administers(request.user, obj):
            readonly.append("reminders_mandatory")
        return readonly

    def has_add_permission(self, request):
        return roles.is_administrator(request.user)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return roles.is_administrator(request.user)
        return roles.administers(request.user, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        concept = form.instance
        if not change and not request.user.is_superuser:
            # Whoever creates a concept administers it, or it would vanish from their view.
            Membership.objects.update_or_create(
                concept=concept, user=request.user, defaults={"role": roles.ADMINISTRATION}
            )
            roles.forget(request.user)


@admin.register(Statement)
class StatementAdmin(ConceptScopedAdmin, admin.ModelAdmin):
    list_display = ["number", "short_text", "section", "concept", "needs_split"]
    list_filter = ["section", "needs_split", "concept"]
    search_fields = ["number", "text"]
    list_select_related = ["concept"]

    @admin.display(description=_("Text"))
    def short_text(self, obj):
        return obj.text[:100]


@admin.register(Abbreviation)
class AbbreviationAdmin(ConceptScopedAdmin, VersionedAdminMixin, HistoryAdmin):
    """The concept's abbreviations: the search expands one form into the other."""

    list_display = ["short_form", "long_form", "concept"]
    list_filter = ["concept"]
    search_fields = ["short_form", "long_form"]
    list_select_related = ["concept"]
    fields = ["concept", "short_form", "long_form"]


class AdministrationOnly:
    """Installation-wide pages and accounts: Administration (of any concept) and superusers.
    (Inlines pass the parent object to `has_add_permission` too.)"""

    def has_module_permission(self, request):
        return roles.is_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return roles.is_administrator(request.user)

    def has_add_permission(self, request, obj=None):
        return roles.is_administrator(request.user)

    def has_change_permission(self, request, obj=None):
        return roles.is_administrator(request.user)

    def has_delete_permission(self, request, obj=None):
        return roles.is_administrator(request.user)


@admin.register(LegalPage)
class LegalPageAdmin(AdministrationOnly, VersionedAdminMixin, HistoryAdmin):
    """Impressum, Datenschutz, Barrierefreiheit: one of each per installation."""

    list_display = ["heading", "kind", "updated_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["kind", "title", "body"]}),
        (_("Kontakt"), {"fields": ["contact_email", "contact_phone", "contact_address"]}),
        (_("Schlichtungsverfahren"), {"fields": ["arbitration_text", "arbitration_url"]}),
    ]


def visible_users(user, queryset):
    """The accounts an Administration sees: members of the concepts it administers and
    people in no concept yet (new accounts, waiting for a role); never superusers."""
    if user.is_superuser:
        return queryset
    administered = Concept.objects.administered_by(user)
    return (
        queryset.filter(is_superuser=False)
        .filter(models.Q(memberships__concept__in=administered) | models.Q(memberships=None))
        .distinct()
    )


def manages_account(user, account):
    """Change an account (name, password, active): a superuser, or an Administration that
    administers every concept the account works in — otherwise a password reset in one
    district would open the account's other districts."""
    if user.is_superuser:
        return True
    if not roles.is_administrator(user) or account.is_superuser:
        return False
    concept_ids = set(account.memberships.values_list("concept_id", flat=True))
    return concept_ids <= roles.concept_ids_with(user, roles.ADMINISTRATION)


class UserMembershipInline(AdministrationOnly, admin.TabularInline):
    """A person's roles in the concepts the Administration keeps (others stay hidden)."""

    model = Membership
    extra = 0
    fields = ["concept", "role"]
    verbose_name_plural = _("Rollen in Konzepten")

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("concept")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(concept__in=Concept.objects.administered_by(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "concept":
            field.queryset = Concept.objects.administered_by(request.user)
        return field


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(AdministrationOnly, UserAdmin):
    """Accounts, for Administration: the people of its concepts, with their roles there.
    Only superusers grant superuser status or Django permissions; roles are memberships."""

    list_display = ["username", "first_name", "last_name", "email", "role_list", "is_active"]
    list_filter = ["is_active", ("memberships__role", admin.ChoicesFieldListFilter)]
    inlines = [UserMembershipInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("memberships__concept")
        return visible_users(request.user, queryset)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        hidden = {"is_staff", "is_superuser", "groups", "user_permissions"}
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
            for name, options in fieldsets
        ]

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return roles.is_administrator(request.user)
        return manages_account(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        # Accounts are deactivated, not deleted: their Sachstände keep their author.
        return request.user.is_superuser

    @admin.display(description=_("Rollen"))
    def role_list(self, obj):
        return (
            ", ".join(
                f"{membership.get_role_display()} ({membership.concept.slug})"
                for membership in obj.memberships.all()
            )
            or "–"
        )

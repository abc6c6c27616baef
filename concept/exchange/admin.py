"""The data exchange in the Django admin: the portal's file formats and resources on
django-import-export's import and export screens, with a concept chooser."""

import contextvars
import logging

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ConfirmImportForm, ImportForm, SelectableFieldsExportForm

from concept import roles
from concept.exchange.errors import ExchangeFileError
from concept.exchange.reading import read_rows
from concept.exchange.writing import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, write_csv, write_xlsx
from concept.models import Concept

logger = logging.getLogger(__name__)


class AdminFormat(base_formats.Format):
    """The portal's file handling for the admin's import and export screens."""

    extension = ""
    content_type = ""

    def __init__(self, encoding=None):
        self.encoding = encoding

    def get_title(self):
        return self.extension

    def get_extension(self):
        return self.extension

    def get_content_type(self):
        return self.content_type

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def can_import(self):
        return True

    def can_export(self):
        return True

    def create_dataset(self, in_stream, **kwargs):
        data = in_stream if isinstance(in_stream, bytes) else str(in_stream).encode("utf-8")
        # A file without data rows is refused here, before django-import-export says so in
        # its informal German.
        return read_rows(f"upload.{self.extension}", data).dataset()


class GermanCSV(AdminFormat):
    extension = "csv"
    content_type = CSV_CONTENT_TYPE

    def export_data(self, dataset, **kwargs):
        return write_csv(dataset.headers, dataset)


class SafeXLSX(AdminFormat):
    extension = "xlsx"
    content_type = XLSX_CONTENT_TYPE

    def export_data(self, dataset, **kwargs):
        return write_xlsx(dataset.headers, dataset, title=dataset.title or "Daten")


class ConceptField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=Concept.objects.none(),
            label=gettext_lazy("Konzept"),
            help_text=gettext_lazy("Die Zeilen der Datei gehören zu diesem Konzept."),
            **kwargs,
        )


class AdminImportForm(ImportForm):
    concept = ConceptField()

    def __init__(self, formats, resources, user=None, **kwargs):
        super().__init__(formats, resources, **kwargs)
        if user is not None:
            self.fields["concept"].queryset = Concept.objects.editable_by(user)


class AdminConfirmImportForm(ConfirmImportForm):
    concept = forms.ModelChoiceField(queryset=Concept.objects.all(), widget=forms.HiddenInput)


# django-import-export builds its export form without the request; the person exporting
# reaches the form through this variable, set around the two export views only.
_exporting_user = contextvars.ContextVar("exporting_user", default=None)


class AdminExportForm(SelectableFieldsExportForm):
    concept = ConceptField()

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        user = _exporting_user.get()
        if user is not None:
            self.fields["concept"].queryset = Concept.objects.editable_by(user)


class ConceptImportExportMixin(ImportExportMixin):
    """Import and export in the admin through the portal's resources and file formats.

    Every row belongs to one concept: the import and export forms ask for it (only concepts
    the person is a member of); the resource then resolves codes and names in that concept.
    """

    import_formats = [GermanCSV, SafeXLSX]
    export_formats = [GermanCSV, SafeXLSX]
    import_template_name = "admin/exchange/import.html"  # formal German
    import_form_class = AdminImportForm
    confirm_form_class = AdminConfirmImportForm
    export_form_class = AdminExportForm

    def has_import_permission(self, request):
        return roles.edits_any_concept(request.user) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def export_action(self, request):
        token = _exporting_user.set(request.user)
        try:
            return super().export_action(request)
        finally:
            _exporting_user.reset(token)

    def export_admin_action(self, request, queryset):
        token = _exporting_user.set(request.user)
        try:
            return super().export_admin_action(request, queryset)
        finally:
            _exporting_user.reset(token)

    def _concept_for(self, request, form):
        concept = None
        if form is not None and form.is_bound and hasattr(form, "cleaned_data"):
            concept = form.cleaned_data.get("concept")
        if (
            concept is not None
            and not Concept.objects.editable_by(request.user).filter(pk=concept.pk).exists()
        ):
            raise PermissionDenied
        return concept

    def get_import_form_kwargs(self, request):
        return {**super().get_import_form_kwargs(request), "user": request.user}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["concept"] = import_form.cleaned_data["concept"].pk
        return initial

    def get_import_resource_kwargs(self, request, **kwargs):
        return {"concept": self._concept_for(request, kwargs.get("form")), "user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {"concept": self._concept_for(request, kwargs.get("export_form"))}

    def get_export_filename(self, request, queryset, file_format):
        slug = self.get_export_resource_classes(request)[0].slug
        return f"{slug}-{timezone.localdate():%Y-%m-%d}.{file_format.get_extension()}"

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ExchangeFileError):
            for message in e.messages:
                form.add_error("import_file", message)
        else:
            logger.info("Unreadable admin upload", exc_info=e)
            form.add_error(
                "import_file",
                _(
                    "Die Datei lässt sich nicht lesen (%(error)s). Bitte prüfen Sie, ob Sie "
                    "das richtige Dateiformat gewählt haben."
                )
                % {"error": type(e).__name__},
            )

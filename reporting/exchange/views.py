"""Data exchange screens: export of every list (members), checked imports (Koordination).

Import is upload → preview (a dry run: the result of every row, nothing written) →
confirmation (the real import, all or nothing) → back to the list with a summary.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concept import formatting, locking, roles
from concept.access import get_concept_for_edit, get_concept_for_view
from concept.exchange.columns import CHECK, EXPORT, KEY
from concept.exchange.errors import ExportFilterError
from concept.exchange.reading import size_refusal
from concept.exchange.table import MAX_ROWS
from concept.forms import PortalForm
from concept.uploads import PendingUploads
from reporting.exchange.export import export_file
from reporting.exchange.importing import run_import
from reporting.exchange.kinds import KINDS, KINDS_BY_SLUG

# The uploaded file between preview and confirmation of a data import.
UPLOADS = PendingUploads("exchange_imports")


def get_kind(slug):
    kind = KINDS_BY_SLUG.get(slug)
    if kind is None:
        raise Http404(_("Diese Datenart gibt es nicht."))
    return kind


class UploadForm(PortalForm):
    file = forms.FileField(
        label=gettext_lazy("Datei (CSV oder Excel-Arbeitsmappe .xlsx)"),
        help_text=gettext_lazy("Höchstens 5 MB und 20.000 Zeilen."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        refusal = size_refusal(upload.size)
        if refusal:
            raise forms.ValidationError(refusal)
        return upload


def _columns(kind):
    """(header, note) of each column for the upload page."""
    resource = kind.resource()
    notes = {}
    for requirement in resource.required_columns:
        names = [str(n) for n in requirement] if isinstance(requirement, tuple | list) else []
        if len(names) > 1:
            for name in names:
                others = " / ".join(f"„{other}“" for other in names if other != name)
                notes[name] = [_("Pflicht (oder %(others)s)") % {"others": others}]
        else:
            notes[str(requirement)] = [_("Pflicht")]
    roles_notes = {
        KEY: _("erkennt die Zeile, wird nicht geändert"),
        CHECK: _("Stand beim Export; schützt neuere Änderungen vor dem Überschreiben"),
        EXPORT: _("nur im Export, wird beim Import übergangen"),
    }
    columns = []
    for column in resource.columns:
        note = notes.get(column.column_name, [])
        if column.widget.hint() and column.role != EXPORT:
            note = [*note, column.widget.hint()]
        if column.role in roles_notes:
            note = [*note, roles_notes[column.role]]
        columns.append((column.column_name, "; ".join(note)))
    return columns


@require_safe
@login_required
def data_overview(request, slug):
    concept = get_concept_for_view(request.user, slug)
    return render(
        request,
        "exchange/data_overview.html",
        {
            "concept": concept,
            "kinds": KINDS,
            "can_import": roles.can_edit_concept(request.user, concept),
        },
    )


@require_safe
@login_required
def export_view(request, slug, kind, fmt):
    concept = get_concept_for_view(request.user, slug)
    kind = get_kind(kind)
    try:
        export = export_file(kind, concept, fmt, params=request.GET)
    except ExportFilterError as error:
        # Not the whole list instead: a file that looks filtered but is not misleads.
        return render(
            request,
            "exchange/export_error.html",
            {
                "concept": concept,
                "kind": kind,
                "errors": error.messages,
                "list_url": reverse(kind.list_url, kwargs={"slug": concept.slug}),
            },
            status=400,
        )
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=export.filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _upload_page(request, concept, kind, form):
    return render(
        request,
        "exchange/import_upload.html",
        {
            "concept": concept,
            "kind": kind,
            "form": form,
            "columns": _columns(kind),
            "limits": {"rows": formatting.number(MAX_ROWS)},
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def import_view(request, slug, kind):
    concept = get_concept_for_edit(request.user, slug)
    kind = get_kind(kind)
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method != "POST" or not form.is_valid():
        return _upload_page(request, concept, kind, form)
    upload = form.cleaned_data["file"]
    data = upload.read()
    report = run_import(
        kind=kind,
        concept=concept,
        user=request.user,
        file_name=upload.name,
        data=data,
        dry_run=True,
    )
    token = None
    if report.ok and report.has_changes:
        token = UPLOADS.stash(request, data, kind=kind.key, concept=concept.pk, name=upload.name)
    return render(
        request,
        "exchange/import_preview.html",
        {
            "concept": concept,
            "kind": kind,
            "report": report,
            "token": token,
            "form": UploadForm(),
            "list_url": reverse(kind.list_url, kwargs={"slug": concept.slug}),
        },
    )


@require_POST
@login_required
def import_confirm(request, slug, kind):
    concept = get_concept_for_edit(request.user, slug)
    kind = get_kind(kind)
    token = request.POST.get("token", "")
    pending = UPLOADS.take(request, token, kind=kind.key, concept=concept.pk)
    if pending is None:
        messages.error(
            request,
            _(
                "Diese Vorschau ist nicht mehr gültig (abgelaufen oder schon verwendet). Bitte "
                "die Datei erneut hochladen."
            ),
        )
        return redirect("exchange:import", slug=concept.slug, kind=kind.slug)
    meta, data = pending
    file_name = meta["name"]
    try:
        # Two confirmations of one preview (a double click, two tabs) import it once.
        locking.claim_token(token, user=request.user, purpose="import")
    except locking.StaleVersion as conflict:
        messages.error(
            request,
            _("Der Import „%(file)s“ wurde nicht noch einmal ausgeführt: %(reason)s")
            % {"file": file_name, "reason": conflict.message},
        )
        return redirect(kind.list_url, slug=concept.slug)
    report = run_import(
        kind=kind, concept=concept, user=request.user, file_name=file_name, data=data, dry_run=False
    )
    UPLOADS.discard(request, token)
    if not report.ok:
        # Someone changed the data between preview and confirmation: nothing was written.
        return render(
            request,
            "exchange/import_preview.html",
            {
                "concept": concept,
                "kind": kind,
                "report": report,
                "token": None,
                "confirm_failed": True,
                "form": UploadForm(),
                "list_url": reverse(kind.list_url, kwargs={"slug": concept.slug}),
            },
        )
    messages.success(
        request,
        _("Import „%(file)s“ gespeichert: %(summary)s.")
        % {"file": file_name, "summary": report.summary},
    )
    return redirect(kind.list_url, slug=concept.slug)

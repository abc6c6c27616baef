"""Import of a concept from its outline file (upload → preview → confirm) and its export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concept import roles
from concept.access import get_concept_for_view
from concept.uploads import PendingUploads
from reporting.outline.export import outline_export
from reporting.outline.forms import OutlineImportForm
from reporting.outline.issues import Issue, OutlineInvalid
from reporting.outline.write import outline_import

# The uploaded outline between preview and confirmation.
UPLOADS = PendingUploads("outline_imports")


def require_importer(user):
    """Koordination and Administration (and superusers) import concepts."""
    if not roles.edits_any_concept(user):
        raise PermissionDenied(_("Konzepte importieren dürfen Koordination und Administration."))


def _stash(request, form):
    replaced = form.result.replaced
    return UPLOADS.stash(
        request,
        form.text.encode(),
        slug=form.result.slug,
        replace=replaced is not None,
        # What the preview said would be deleted; confirming deletes only that.
        replaced=[replaced.concept.pk, replaced.counts] if replaced else None,
        notes=[[note.message, note.line, note.level] for note in form.notes],
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def outline_import_view(request):
    require_importer(request.user)
    if request.method == "POST":
        form = OutlineImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            token = _stash(request, form)
            return render(
                request, "reporting/outline/preview.html", {"result": form.result, "token": token}
            )
    else:
        form = OutlineImportForm(user=request.user)
    return render(
        request, "reporting/outline/import.html", {"form": form, "issues": form.outline_issues}
    )


@require_POST
@login_required
def outline_import_confirm(request):
    require_importer(request.user)
    token = request.POST.get("token", "")
    found = UPLOADS.take(request, token)
    if found is None:
        messages.error(
            request,
            _(
                "Diese Vorschau ist nicht mehr gültig (abgelaufen oder schon verwendet). Bitte "
                "die Datei erneut hochladen."
            ),
        )
        return redirect("concept:outline_import")
    pending, text = found
    notes = [Issue(message, line, level) for message, line, level in pending["notes"]]
    try:
        # Checked again: the slug may have been taken or the concept changed meanwhile.
        result = outline_import(
            text=text.decode(),
            slug=pending["slug"],
            replace=pending["replace"],
            user=request.user,
            notes=notes,
            seen_replaced=pending["replaced"],
        )
    except OutlineInvalid as exc:
        UPLOADS.discard(request, token)
        form = OutlineImportForm(user=request.user, initial={"slug": pending["slug"]})
        return render(
            request,
            "reporting/outline/import.html",
            {"form": form, "issues": exc.issues, "confirm_failed": True},
        )
    UPLOADS.discard(request, token)
    outline = result.outline
    messages.success(
        request,
        _(
            "„%(title)s“ wurde als Entwurf angelegt: %(goals)d strategische Ziele, %(sub_goals)d "
            "Teilziele, %(measures)d Maßnahmen, %(statements)d Aussagen, %(figures)d Kennzahlen."
        )
        % {
            "title": outline.title,
            "goals": len(outline.goals),
            "sub_goals": outline.sub_goal_count,
            "measures": len(outline.measures),
            "statements": len(outline.statements),
            "figures": len(outline.figures),
        },
    )
    return redirect(result.concept)


@require_safe
@login_required
def outline_download(request, slug):
    concept = get_concept_for_view(request.user, slug)
    response = HttpResponse(outline_export(concept), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{concept.slug}-gliederung.txt"
    )
    return response

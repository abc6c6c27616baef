import logging
from contextlib import nullcontext
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import trigger_client_event

from concept import formatting, roles
from concept.access import get_concept_for_edit, get_concept_for_view
from concept.fields import add_service_errors, query_datetime
from concept.locking import StaleVersion
from goals.models import StrategicGoal
from measures import services
from measures.access import (
    can_edit_measure,
    correctable_entry_ids,
    get_entry_for_correction,
    get_measure_for_edit,
    get_measure_for_view,
)
from measures.filters import WITHOUT_GOAL, MeasureFilter
from measures.forms import (
    ACTION,
    NO_CHANGE,
    MeasureForm,
    MeasureGridRowForm,
    MeasureStateForm,
    NoChangeForm,
    ProgressEntryCorrectionForm,
    ProgressEntryForm,
    ProgressEntryWithdrawForm,
)
from measures.models import Evidence, Measure
from measures.queries import (
    entry_timeline,
    measure_detail_queryset,
    measure_entry_queryset,
    measure_history_page,
    measure_list_queryset,
    pending_campaigns,
    sub_goal_indicators,
)

PAGE_SIZE = 100

logger = logging.getLogger(__name__)


def detail_url(measure):
    return reverse("measures:detail", kwargs={"slug": measure.concept.slug, "key": measure.label})


@require_safe
@login_required
def measure_list(request, slug):
    concept = get_concept_for_view(request.user, slug)

    def fill():
        # Only when the page is not cached for this data version (concept.pagecache).
        goals = list(StrategicGoal.objects.filter(concept=concept).order_by("number"))
        filterset = MeasureFilter(
            request.GET or None,
            queryset=measure_list_queryset(concept),
            concept=concept,
            goals=goals,
        )
        page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("seite"))
        return {"filter": filterset, "page": page}

    query = request.GET.copy()
    query.pop("seite", None)
    template = "measures/measure_list.html"
    # Back/forward after an htmx filter change reloads the whole page (base.html's
    # htmx-config), so the form shows the URL's filters again; never just the results.
    if request.htmx and not request.htmx.history_restore_request:
        template += "#results"
    return render(
        request,
        template,
        {
            "concept": concept,
            "cache_fill": fill,
            "query": query.urlencode(),
            "today": timezone.localdate(),
            "can_use_grid": roles.can_edit_concept(request.user, concept),
            "goal_changed": _goal_changed(request),
        },
    )


def _goal_changed(request):
    """Whether an htmx filter request chose another goal than the page shows. The whole
    form triggers the request (HX-Trigger-Name is the form's, not the select's), so the
    goal is compared with the one in the page's URL, which every filter change pushes."""
    if not request.htmx or not request.htmx.current_url:
        return False
    shown = parse_qs(urlsplit(request.htmx.current_url).query).get("ziel", [""])[0]
    return shown != request.GET.get("ziel", "")


@require_safe
@login_required
def my_measures(request, slug):
    concept = get_concept_for_view(request.user, slug)
    today = timezone.localdate()
    measures = list(measure_list_queryset(concept).responsible(request.user))
    asked = pending_campaigns(concept, request.user, today)
    for measure in measures:
        measure.overdue = measure.is_overdue(measure.last_entry_date, today)
        measure.due = measure.next_update_due(measure.last_entry_date)
        measure.asked = asked.get(measure.pk, [])
    # Asked for by a running Sachstandsabfrage first, then overdue, then by due date.
    measures.sort(key=lambda m: (not m.asked, not m.overdue, m.due or today, m.position))
    return render(
        request,
        "measures/my_measures.html",
        {"concept": concept, "measures": measures, "today": today},
    )


def _state_context(measure, state_form, *, last_entry_date, can_edit, entry_form=None, **extra):
    """What the state section (measure_detail.html#state) shows, and nothing more: the
    current state and, for who may edit, the one form to record a Sachstand."""
    if can_edit and entry_form is None:
        entry_form = ProgressEntryForm(measure=measure)
    return {
        "concept": measure.concept,
        "measure": measure,
        "last_entry_date": last_entry_date,
        "overdue": measure.is_overdue(last_entry_date, timezone.localdate()),
        "next_due": measure.next_update_due(last_entry_date),
        "can_edit": can_edit,
        "entry_form": entry_form,
        # A refused POST to stand/ (the quick state change) shows its errors here.
        "state_form": state_form,
        **extra,
    }


def _timeline_context(request, measure, entries):
    """The Sachstände section: every Sachstand, withdrawn ones too (marked), with its
    corrections, and which of them the user may correct or withdraw."""
    return {
        "entries": entries,
        "correctable": correctable_entry_ids(request.user, measure, entries),
    }


def _detail_context(request, measure, state_form=None, **extra):
    entries = entry_timeline(measure)
    counted = [e for e in entries if not e.is_withdrawn]
    state = _state_context(
        measure,
        state_form,
        last_entry_date=counted[0].date if counted else None,
        can_edit=can_edit_measure(request.user, measure),
        **extra,
    )
    return (
        state
        | _timeline_context(request, measure, entries)
        | {"indicators": sub_goal_indicators(measure), **_history_context(measure)}
    )


def _history_context(measure, before=None):
    events, older = measure_history_page(measure, before)
    return {"history": events, "history_older": older}


@require_safe
@login_required
def measure_history(request, slug, key):
    """The whole change history, page by page ("ältere Einträge"); with htmx only the
    section, which the detail page reloads after every change (measureUpdated)."""
    measure = get_measure_for_view(request.user, slug, key)
    try:
        before = query_datetime(request.GET.get("vor"))
    except ValueError:
        return HttpResponseBadRequest(
            _("Ungültiger Zeitpunkt im Parameter „vor“ (erwartet z. B. 2025-06-30T12:00:00).")
        )
    template = "measures/measure_history.html"
    if request.htmx:
        template += "#history"
    context = {"concept": measure.concept, "measure": measure, "before": before}
    return render(request, template, context | _history_context(measure, before))


@require_safe
@login_required
def measure_entries(request, slug, key):
    """The Sachstände of a measure: with htmx the detail page's timeline section, without
    it the detail page at that section."""
    if not request.htmx:
        return redirect(detail_url(get_measure_for_view(request.user, slug, key)) + "#sachstaende")
    measure = get_measure_for_view(request.user, slug, key)
    context = {"concept": measure.concept, "measure": measure} | _timeline_context(
        request, measure, entry_timeline(measure)
    )
    return render(request, "measures/measure_detail.html#entries", context)


@require_safe
@login_required
def measure_detail(request, slug, key):
    measure = get_measure_for_view(request.user, slug, key, measure_detail_queryset())
    return render(request, "measures/measure_detail.html", _detail_context(request, measure))


def _state_response(
    request, measure, form, *, entry=None, conflict=None, mine=(), saved="", status=200
):
    """After a state change: the state section, or (without htmx) a redirect.

    The state section is built from the measure the request loaded (once) and changed, and
    only from what it shows; when a Sachstand was recorded it comes with that Sachstand
    for the top of the timeline (out of band), and the event measureUpdated reloads the
    change history. Only who may edit the measure gets here (get_measure_for_edit)."""
    if request.htmx:
        # The Sachstand just recorded is dated today: the newest (none lies in the future).
        if entry is not None:
            last_entry_date = entry.date
            entry.corrections = []
        else:
            last_entry_date = measure.entries.values_list("date", flat=True).first()
        context = _state_context(
            measure,
            form if conflict is not None or form.errors else None,
            last_entry_date=last_entry_date,
            can_edit=True,
            conflict=conflict,
            mine=mine,
            saved=saved,
            new_entry=entry,
            correctable=correctable_entry_ids(request.user, measure, [entry] if entry else []),
        )
        response = render(request, "measures/measure_detail.html#state_response", context)
        if entry is not None:
            trigger_client_event(response, "measureUpdated", {"code": measure.label})
        return response
    if saved or (conflict is None and not form.errors):
        return redirect(detail_url(measure))
    measure = get_measure_for_view(
        request.user, measure.concept.slug, measure.label, measure_detail_queryset()
    )
    context = _detail_context(request, measure, state_form=form, conflict=conflict, mine=mine)
    return render(request, "measures/measure_detail.html", context, status=status)


@require_POST
@login_required
def measure_update_state(request, slug, key):
    measure = get_measure_for_edit(request.user, slug, key, measure_entry_queryset())
    form = MeasureStateForm(request.POST, instance=measure)
    if not form.is_valid():
        return _state_response(request, measure, form, status=400)
    data = form.cleaned_data
    try:
        entry = services.measure_set_state(
            measure=measure,
            user=request.user,
            expected_version=data["version"],
            status=data["status"],
            traffic_light=data["traffic_light"],
            progress=data["progress"],
            note=data["note"],
            reason=data["reason"],
        )
    except StaleVersion as conflict:
        # The user's input stays (note and reason too); where they kept the state, the
        # current one is shown, and their own changes are marked.
        mine = form.rebase(conflict)
        if not request.htmx:
            messages.error(request, conflict.message)
        current = conflict.obj
        current.concept = measure.concept
        return _state_response(request, current, form, conflict=conflict, mine=mine, status=409)
    except ValidationError as error:
        add_service_errors(form, error)
        # Nothing was written; the measure shows its stored state again.
        measure.refresh_from_db(fields=[*services.STATE_FIELDS, "version"])
        return _state_response(request, measure, form, status=400)
    # The service left the measure as it is stored now.
    fresh_form = MeasureStateForm(instance=measure, initial={"version": measure.version})
    if entry is None:
        text = _("Keine Änderung – es wurde nichts gespeichert.")
    else:
        text = _("Gespeichert: %(text)s") % {"text": entry.text.splitlines()[0]}
    if not request.htmx:
        messages.success(request, text)
    return _state_response(request, measure, fresh_form, entry=entry, saved=text)


def _save_entry(request, measure, form):
    """The one way to record a Sachstand: write what the form holds through the services
    ("Sachstand speichern" or "Keine Änderung seit dem letzten Sachstand").
    Returns (entry, conflict, mine); entry None if nothing was written."""
    if not form.is_valid():
        return None, None, []
    data = form.cleaned_data
    file_errors = [e for f in data["files"] for e in services.evidence_file_errors(f)]
    if file_errors:
        form.add_error("files", file_errors)
        return None, None, []
    try:
        # Evidence is saved with its Sachstand or not at all; without any, the service's own
        # transaction is the one needed.
        together = transaction.atomic() if data["files"] or data["links"] else nullcontext()
        with together:
            if form.no_change:
                entry = services.progress_entry_no_change(
                    measure=measure,
                    user=request.user,
                    expected_version=data["version"],
                    note=data["text"],
                )
            else:
                fields = {k: data[k] for k in ProgressEntryForm.Meta.fields}
                if not fields["text"].strip():
                    # Only a change of state may leave the text empty (ProgressEntryForm.clean):
                    # it says what changed.
                    fields["text"] = services.state_change_text(
                        measure,
                        status=data["status"],
                        traffic_light=data["traffic_light"],
                        progress=data["progress"],
                    )
                entry = services.progress_entry_create(
                    measure=measure,
                    author=request.user,
                    expected_version=data["version"],
                    **fields,
                )
            # Shown with the new Sachstand without reading them back.
            entry.new_evidence = [
                services.evidence_add(entry=entry, upload=upload) for upload in data["files"]
            ] + [services.evidence_add(entry=entry, url=url) for url in data["links"]]
    except StaleVersion as conflict:
        # The state changed meanwhile: show the current one where the user kept it.
        mine = form.rebase(conflict)
        current = conflict.obj
        current.concept = measure.concept
        return None, conflict, mine
    except ValidationError as error:
        add_service_errors(form, error)
        # Nothing was written; the measure shows its stored state again.
        measure.refresh_from_db(fields=[*services.STATE_FIELDS, "version"])
        return None, None, []
    return entry, None, []


def _entry_saved_text(measure, entry, no_change):
    """What the page says after a Sachstand was recorded."""
    if no_change:
        return _("„Keine Änderung“ mit heutigem Datum festgehalten.")
    date = formatting.date(entry.date)
    # None lies in the future: one of today is the newest.
    newer = None
    if entry.date < timezone.localdate():
        newer = measure.entries.filter(date__gt=entry.date).order_by("-date").first()
    if newer is None:
        return _("Sachstand vom %(date)s gespeichert.") % {"date": date}
    return _(
        "Sachstand vom %(date)s gespeichert. Es gibt einen neueren Sachstand (vom %(newer)s); "
        "der aktuelle Stand der Maßnahme bleibt daher unverändert."
    ) % {"date": date, "newer": formatting.date(newer.date)}


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def progress_entry_create(request, slug, key):
    """ "Sachstand erfassen": GET the form as a page of its own; POST (from that page or from
    the form on the measure page, with htmx or without) records it."""
    measure = get_measure_for_edit(request.user, slug, key, measure_entry_queryset())
    no_change = request.POST.get(ACTION) == NO_CHANGE
    form = ProgressEntryForm(
        request.POST or None, request.FILES or None, measure=measure, no_change=no_change
    )
    entry, conflict, mine = None, None, []
    if request.method == "POST":
        entry, conflict, mine = _save_entry(request, measure, form)
        if conflict is not None:
            measure = conflict.obj
    saved = _entry_saved_text(measure, entry, no_change) if entry is not None else ""
    if request.htmx and request.method == "POST":
        return _entry_response(request, measure, form, entry, conflict, mine, saved)
    if entry is not None:
        messages.success(request, saved)
        return redirect(detail_url(measure))
    return render(
        request,
        "measures/progress_entry_form.html",
        {
            "concept": measure.concept,
            "measure": measure,
            "form": form,
            "conflict": conflict,
            "mine": mine,
            "files_dropped": bool(conflict and form.cleaned_data.get("files")),
        },
        status=409 if conflict else 200,
    )


def _entry_response(request, measure, form, entry, conflict, mine, saved):
    """The htmx answer of the form on the measure page: the state section (a fresh form
    after a save, the user's input with its errors or the conflict otherwise) and, after a
    save, the new Sachstand at the top of the timeline (out of band) – or, for one of an
    earlier day than the newest, the whole timeline; measureUpdated reloads the change
    history."""
    context = {}
    last_entry_date = None
    if entry is not None:
        form = None
        if entry.date == timezone.localdate():
            # The newest (none lies in the future): it tops the timeline.
            last_entry_date = entry.date
            entry.corrections = []
            context |= {
                "new_entry": entry,
                "new_evidence": getattr(entry, "new_evidence", []),
                "correctable": correctable_entry_ids(request.user, measure, [entry]),
            }
        else:
            entries = entry_timeline(measure)
            counted = [e for e in entries if not e.is_withdrawn]
            last_entry_date = counted[0].date if counted else None
            context |= _timeline_context(request, measure, entries) | {"timeline": True}
    else:
        last_entry_date = measure.entries.values_list("date", flat=True).first()
    context = (
        _state_context(
            measure,
            None,
            last_entry_date=last_entry_date,
            can_edit=True,
            entry_form=form,
            conflict=conflict,
            mine=mine,
            saved=saved,
            files_dropped=bool(conflict and form.cleaned_data.get("files")),
        )
        | context
    )
    response = render(request, "measures/measure_detail.html#entry_response", context)
    if entry is not None:
        trigger_client_event(response, "measureUpdated", {"code": measure.label})
    return response


@require_POST
@login_required
def progress_entry_no_change(request, slug, key):
    """ "Keine Änderung seit dem letzten Sachstand" on its own (a bookmark, an old page):
    the same as that choice of the Sachstand form."""
    measure = get_measure_for_edit(request.user, slug, key)
    form = NoChangeForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Ungültige Anfrage: die Versionsangabe fehlt."))
    try:
        services.progress_entry_no_change(
            measure=measure, user=request.user, expected_version=form.cleaned_data["version"]
        )
    except StaleVersion as conflict:
        messages.error(request, conflict.message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _entry_saved_text(measure, None, True))
    return redirect(detail_url(measure))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def progress_entry_correct(request, slug, key, pk):
    """Correct a Sachstand (Koordination any, Maßnahmenverantwortliche their own recent
    ones: access.get_entry_for_correction), with a reason."""
    measure, entry = get_entry_for_correction(request.user, slug, key, pk)
    form = ProgressEntryCorrectionForm(request.POST or None, instance=entry)
    conflict, mine = None, []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.progress_entry_correct(
                entry=entry,
                user=request.user,
                expected_version=data["version"],
                reason=data["reason"],
                **{name: data[name] for name in services.ENTRY_CORRECTABLE_FIELDS},
            )
        except StaleVersion as error:
            conflict = error
            mine = form.rebase(error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Sachstand vom %(date)s korrigiert.") % {"date": formatting.date(entry.date)},
            )
            return redirect(detail_url(measure) + "#sachstaende")
    return render(
        request,
        "measures/progress_entry_correct.html",
        {
            "concept": measure.concept,
            "measure": measure,
            "entry": entry,
            "form": form,
            "conflict": conflict,
            "mine": mine,
        },
        status=409 if conflict else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def progress_entry_withdraw(request, slug, key, pk):
    """Withdraw a Sachstand, with a reason: no longer counted anywhere, kept in the timeline
    and the history."""
    measure, entry = get_entry_for_correction(request.user, slug, key, pk)
    form = ProgressEntryWithdrawForm(request.POST or None, versioned=entry)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.progress_entry_withdraw(
                entry=entry,
                user=request.user,
                expected_version=data["version"],
                reason=data["reason"],
            )
        except StaleVersion as error:
            conflict = error
            form.rebase(error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Sachstand vom %(date)s zurückgezogen.") % {"date": formatting.date(entry.date)},
            )
            return redirect(detail_url(measure) + "#sachstaende")
    return render(
        request,
        "measures/progress_entry_withdraw.html",
        {
            "concept": measure.concept,
            "measure": measure,
            "entry": entry,
            "form": form,
            "conflict": conflict,
        },
        status=409 if conflict else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def measure_edit(request, slug, key):
    measure = get_measure_for_edit(request.user, slug, key)
    # Maßnahmenverantwortliche get only the texts and dates (MeasureForm drops the rest, so
    # posted goal, Teilziele … are ignored; measure_update refuses them as well).
    may_assign = roles.can_edit_concept(request.user, measure.concept_id)
    form = MeasureForm(request.POST or None, instance=measure, may_assign=may_assign)
    conflict, mine = None, []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        assignments = (
            {
                name: data[name]
                for name in (
                    "sub_goals",
                    "networks",
                    "responsible_users",
                    "lead_organisations",
                    "partner_organisations",
                )
            }
            if may_assign
            else {}
        )
        try:
            services.measure_update(
                measure=measure,
                user=request.user,
                expected_version=data["version"],
                data={f: data[f] for f in services.MASTER_FIELDS if f in data},
                **assignments,
            )
        except StaleVersion as error:
            # Shown again with the current values wherever the user changed nothing, so a
            # second save can't silently revert what the other person saved.
            conflict = error
            mine = form.rebase(error)
            measure = error.obj
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Stammdaten gespeichert."))
            return redirect(detail_url(measure))
    return render(
        request,
        "measures/measure_form.html",
        {
            "concept": measure.concept,
            "measure": measure,
            "form": form,
            "conflict": conflict,
            "mine": mine,
        },
        status=409 if conflict else 200,
    )


@require_safe
@login_required
def evidence_download(request, slug, key, pk):
    measure = get_measure_for_view(request.user, slug, key)
    evidence = get_object_or_404(Evidence, pk=pk, entry__measure=measure)
    if not evidence.file:
        raise Http404
    try:
        stream = evidence.file.open("rb")
    except FileNotFoundError:
        # The record outlived its file (lost disk, incomplete restore): say so, not 500.
        logger.warning("Evidence file missing: %s", evidence.file.name)
        message = _(
            "Die Datei „%(name)s“ ist nicht mehr vorhanden. Bitte die Koordination informieren."
        ) % {"name": evidence.filename}
        return render(request, "404.html", {"message": message}, status=404)
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=evidence.filename,
        content_type=services.evidence_content_type(evidence),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# The Schnellerfassung: what happened to each row on "Alle speichern".
SAVED, UNCHANGED, ERROR, CONFLICT = "saved", "unchanged", "error", "conflict"
GRID_RESULTS = (SAVED, UNCHANGED, ERROR, CONFLICT)
GRID_ID = "raster-%s"


@dataclass
class GridRow:
    measure: Measure
    form: MeasureGridRowForm
    result: str = ""
    text: str = ""
    conflict: StaleVersion | None = None
    mine: list = field(default_factory=list)

    @property
    def unsaved(self) -> bool:
        """The row holds input that is not stored (shown as "ungespeichert")."""
        return self.result in (ERROR, CONFLICT)

    @property
    def first_field_id(self) -> str:
        return self.form["status"].auto_id


def _grid_form(measure, data=None):
    return MeasureGridRowForm(data, instance=measure, prefix=measure.label, auto_id=GRID_ID)


def _grid_row_save(request, measure) -> GridRow:
    """Save one row of the grid on its own: through the same services and the same version
    claim as the measure page; an error or conflict stays in its row."""
    if f"{measure.label}-version" not in request.POST:
        # Not on the page the user sent (entered since): nothing to save.
        return GridRow(measure, _grid_form(measure))
    form = _grid_form(measure, request.POST)
    if not form.edited:
        return GridRow(measure, _grid_form(measure), UNCHANGED)
    if not form.is_valid():
        return GridRow(measure, form, ERROR)
    data = form.cleaned_data
    entry = None
    try:
        if form.state_edited:
            entry = services.measure_set_state(
                measure=measure,
                user=request.user,
                expected_version=data["version"],
                status=data["status"],
                traffic_light=data["traffic_light"],
                progress=data["progress"],
                note=data["note"],
                reason=data["reason"],
            )
        if entry is None and data["note"]:
            # Only a Sachstand text (or a state someone else had set already): a Sachstand
            # of today with that text at the row's state.
            with services.errors_renamed(text="note", deviation="reason"):
                entry = services.progress_entry_create(
                    measure=measure,
                    author=request.user,
                    expected_version=data["version"],
                    date=timezone.localdate(),
                    status=data["status"],
                    traffic_light=data["traffic_light"],
                    progress=data["progress"],
                    text=data["note"],
                    deviation=data["reason"],
                )
    except StaleVersion as conflict:
        mine = form.rebase(conflict)
        return GridRow(conflict.obj, form, CONFLICT, conflict=conflict, mine=mine)
    except ValidationError as error:
        add_service_errors(form, error)
        # Nothing was written; the row shows the stored state again beside the input.
        measure.refresh_from_db(fields=[*services.STATE_FIELDS, "version"])
        return GridRow(measure, form, ERROR)
    if entry is None:
        return GridRow(measure, _grid_form(measure), UNCHANGED)
    return GridRow(measure, _grid_form(measure), SAVED, text=entry.text.splitlines()[0])


def _grid_problems(rows):
    """The entries of the error summary: (row, field label, message, id of the element the
    link leads to), rows in page order, fields in form order."""
    problems = []
    for row in rows:
        if row.result == CONFLICT:
            problems.append((row, "", row.conflict.message, row.first_field_id))
        if row.result != ERROR:
            continue
        for name, errors in row.form.errors.items():
            if name in row.form.fields:
                bound = row.form[name]
                problems += [(row, bound.label, e, bound.auto_id) for e in errors]
            else:
                problems += [(row, "", e, row.first_field_id) for e in errors]
    return problems


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def measure_grid(request, slug, group):
    """The Schnellerfassung of one goal's measures. "Alle speichern" posts every row at
    once; each edited row is saved on its own and the page (or, with htmx, the grid and
    the result summary) answers with the result of every row."""
    concept = get_concept_for_edit(request.user, slug)
    goals = list(StrategicGoal.objects.filter(concept=concept).order_by("number"))
    measures = Measure.objects.filter(concept=concept).order_by("position", "number")
    if group == WITHOUT_GOAL:
        goal = None
        measures = measures.filter(goal__isnull=True)
    else:
        goal = next((g for g in goals if str(g.number) == group), None)
        if goal is None:
            raise Http404(_("Dieses strategische Ziel gibt es nicht."))
        measures = measures.filter(goal=goal)
    if request.method == "POST":
        rows = [_grid_row_save(request, m) for m in measures]
    else:
        rows = [GridRow(m, _grid_form(m)) for m in measures]
    counts = {result: sum(row.result == result for row in rows) for result in GRID_RESULTS}
    template = "measures/measure_grid.html"
    if request.htmx:
        template += "#grid_response"
    return render(
        request,
        template,
        {
            "concept": concept,
            "goals": goals,
            "goal": goal,
            "group": group,
            "rows": rows,
            "sent": request.method == "POST",
            "counts": counts,
            "problems": _grid_problems(rows),
        },
    )

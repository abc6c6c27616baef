import logging
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
from measures.access import can_edit_measure, get_measure_for_edit, get_measure_for_view
from measures.filters import WITHOUT_GOAL, MeasureFilter
from measures.forms import (
    MeasureForm,
    MeasureGridRowForm,
    MeasureStateForm,
    NoChangeForm,
    ProgressEntryForm,
)
from measures.models import Evidence, Measure
from measures.queries import (
    measure_detail_queryset,
    measure_history_page,
    measure_list_queryset,
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
    goals = list(StrategicGoal.objects.filter(concept=concept).order_by("number"))
    filterset = MeasureFilter(
        request.GET or None, queryset=measure_list_queryset(concept), concept=concept, goals=goals
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("seite"))
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
            "filter": filterset,
            "page": page,
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
    for measure in measures:
        measure.overdue = measure.is_overdue(measure.last_entry_date, today)
        measure.due = measure.next_update_due(measure.last_entry_date)
    # Overdue first, then by when the next Sachstand is due.
    measures.sort(key=lambda m: (not m.overdue, m.due or today, m.position))
    return render(
        request,
        "measures/my_measures.html",
        {"concept": concept, "measures": measures, "today": today},
    )


def _state_context(measure, state_form, *, last_entry_date, can_edit, **extra):
    """What the state section (measure_detail.html#state) shows, and nothing more."""
    return {
        "concept": measure.concept,
        "measure": measure,
        "last_entry_date": last_entry_date,
        "overdue": measure.is_overdue(last_entry_date, timezone.localdate()),
        "next_due": measure.next_update_due(last_entry_date),
        "can_edit": can_edit,
        "state_form": state_form
        if state_form is not None
        else MeasureStateForm(instance=measure, initial={"version": measure.version}),
        **extra,
    }


def _detail_context(request, measure, state_form=None, **extra):
    entries = list(measure.entries.all())
    state = _state_context(
        measure,
        state_form,
        last_entry_date=entries[0].date if entries else None,
        can_edit=can_edit_measure(request.user, measure),
        **extra,
    )
    return state | {
        "entries": entries,
        "indicators": sub_goal_indicators(measure),
        **_history_context(measure),
    }


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
    measure = get_measure_for_view(request.user, slug, key, measure_detail_queryset())
    context = {
        "concept": measure.concept,
        "measure": measure,
        "entries": list(measure.entries.all()),
        "can_edit": can_edit_measure(request.user, measure),
    }
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
        else:
            last_entry_date = measure.entries.values_list("date", flat=True).first()
        context = _state_context(
            measure,
            form,
            last_entry_date=last_entry_date,
            can_edit=True,
            conflict=conflict,
            mine=mine,
            saved=saved,
            new_entry=entry,
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
    measure = get_measure_for_edit(request.user, slug, key)
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


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def progress_entry_create(request, slug, key):
    measure = get_measure_for_edit(request.user, slug, key)
    form = ProgressEntryForm(request.POST or None, request.FILES or None, measure=measure)
    conflict, mine = None, []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        file_errors = [e for f in data["files"] for e in services.evidence_file_errors(f)]
        if file_errors:
            form.add_error("files", file_errors)
        else:
            try:
                with transaction.atomic():
                    entry = services.progress_entry_create(
                        measure=measure,
                        author=request.user,
                        expected_version=data["version"],
                        **{k: data[k] for k in ProgressEntryForm.Meta.fields},
                    )
                    for upload in data["files"]:
                        services.evidence_add(entry=entry, upload=upload)
                    for url in data["links"]:
                        services.evidence_add(entry=entry, url=url)
            except StaleVersion as error:
                # The state changed meanwhile: show the current one where the user kept it.
                conflict = error
                mine = form.rebase(error)
                measure = error.obj
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                date = formatting.date(entry.date)
                newer = measure.entries.filter(date__gt=entry.date).order_by("-date").first()
                if newer is None:
                    messages.success(
                        request, _("Sachstand vom %(date)s gespeichert.") % {"date": date}
                    )
                else:
                    messages.info(
                        request,
                        _(
                            "Sachstand vom %(date)s gespeichert. Es gibt einen neueren Sachstand "
                            "(vom %(newer)s); der aktuelle Stand der Maßnahme bleibt daher "
                            "unverändert."
                        )
                        % {"date": date, "newer": formatting.date(newer.date)},
                    )
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


@require_POST
@login_required
def progress_entry_no_change(request, slug, key):
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
        messages.success(request, _("„Keine Änderung“ mit heutigem Datum festgehalten."))
    return redirect(detail_url(measure))


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

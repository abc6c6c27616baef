"""The committees page (Gremien und Beschlüsse) and the decisions taken in their meetings.

Every member reads it; the Koordination records decisions here and the meetings through
the networks app's meeting form (networks:committee_meeting_create).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from concept.access import get_concept_for_view
from concept.fields import add_service_errors
from concept.locking import StaleVersion
from measures import queries, services
from measures.access import can_record_decisions, get_decision_for_edit
from measures.forms import DecisionForm
from networks.access import get_meeting_for_edit
from networks.models import Meeting


@require_safe
@login_required
def committee_list(request, slug):
    concept = get_concept_for_view(request.user, slug)
    return render(
        request,
        "measures/committee_list.html",
        {
            "concept": concept,
            "committees": queries.committees(concept),
            "follow_ups": list(queries.open_follow_ups(concept)),
            "today": timezone.localdate(),
            "can_record": can_record_decisions(request.user, concept),
        },
    )


def _decision_url(concept, decision):
    url = reverse("measures:committees", kwargs={"slug": concept.slug})
    return f"{url}#beschluss-{decision.pk}"


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def decision_create(request, slug, meeting_pk):
    meeting = get_meeting_for_edit(request.user, slug, meeting_pk, Meeting.objects.of_committees())
    concept = meeting.network.concept
    form = DecisionForm(request.POST or None, concept=concept)
    return _decision_page(request, concept, form, meeting, decision=None)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def decision_edit(request, slug, pk):
    decision = get_decision_for_edit(request.user, slug, pk)
    concept = decision.meeting.network.concept
    initial = {
        "text": decision.text,
        "kind": decision.kind,
        "measures": list(decision.measures.values_list("pk", flat=True)),
        "follow_up_date": decision.follow_up_date,
        "follow_up_done": decision.follow_up_done,
    }
    form = DecisionForm(
        request.POST or None, concept=concept, editing=True, initial=initial, versioned=decision
    )
    return _decision_page(request, concept, form, decision.meeting, decision)


def _decision_page(request, concept, form, meeting, decision):
    """Save the form's decision (new or changed), or show the form again: with the
    service's errors, or after a conflict with the current state beside the user's input."""
    conflict, mine = None, []
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            if decision is None:
                saved = services.decision_create(meeting=meeting, user=request.user, **data)
            else:
                saved = services.decision_update(
                    decision=decision, user=request.user, expected_version=version, **data
                )
        except StaleVersion as error:
            conflict, mine = error, form.rebase(error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Beschluss gespeichert."))
            return redirect(_decision_url(concept, saved))
    return render(
        request,
        "measures/decision_form.html",
        {
            "concept": concept,
            "form": form,
            "meeting": meeting,
            "decision": decision,
            "conflict": conflict,
            "mine": mine,
        },
        status=409 if conflict else 200,
    )

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from concept.access import get_concept_for_view
from concept.fields import add_service_errors
from concept.history import object_history
from concept.locking import StaleVersion
from networks import services
from networks.access import (
    can_edit_networks,
    get_concept_for_network_edit,
    get_meeting_for_edit,
    get_network_for_edit,
    get_network_for_view,
    get_organisation_for_edit,
    get_organisation_for_view,
    get_statement_for_split,
)
from networks.forms import MeetingForm, NetworkForm, OrganisationForm, SplitForm
from networks.models import Meeting, Network, Organisation
from networks.queries import (
    derived_goals,
    network_detail_queryset,
    network_directory,
    organisation_directory,
    organisation_queryset,
    statements_to_split,
    with_roles,
)

NETWORK_FIELDS = services.NETWORK_FIELDS
ORGANISATION_FIELDS = services.ORGANISATION_FIELDS
MEETING_FIELDS = ["date", "topic", "presented", "minutes"]


def _fields(form, names):
    return {name: form.cleaned_data[name] for name in names}


def _network_url(network):
    return reverse("networks:detail", kwargs={"slug": network.concept.slug, "pk": network.pk})


def _organisation_url(organisation):
    return reverse(
        "networks:organisation_detail",
        kwargs={"slug": organisation.concept.slug, "pk": organisation.pk},
    )


# --- Networks ---------------------------------------------------------------------------


@require_safe
@login_required
def network_list(request, slug):
    concept = get_concept_for_view(request.user, slug)
    can_edit = can_edit_networks(request.user, concept)

    def fill():
        # Only when the page is not cached for this data version (concept.pagecache).
        networks, committees = network_directory(concept)
        return {
            "networks": networks,
            "committees": committees,
            "statements_to_split": statements_to_split(concept) if can_edit else [],
        }

    return render(
        request,
        "networks/network_list.html",
        {"concept": concept, "can_edit": can_edit, "cache_fill": fill},
    )


@require_safe
@login_required
def network_detail(request, slug, pk):
    network = get_network_for_view(request.user, slug, pk, queryset=network_detail_queryset())
    network.goals = derived_goals(network.measures.all())
    return render(
        request,
        "networks/network_detail.html",
        {
            "concept": network.concept,
            "network": network,
            "can_edit": can_edit_networks(request.user, network.concept),
            "history": object_history(network, NETWORK_FIELDS),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def network_create(request, slug):
    concept = get_concept_for_network_edit(request.user, slug)
    form = NetworkForm(request.POST or None, concept=concept, instance=Network(concept=concept))
    if request.method == "POST" and form.is_valid():
        try:
            network = services.network_create(
                concept=concept, user=request.user, **_fields(form, NETWORK_FIELDS)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Netzwerk „%(name)s“ angelegt.") % {"name": network})
            return redirect(_network_url(network))
    return render(
        request, "networks/network_form.html", {"concept": concept, "form": form, "network": None}
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def network_edit(request, slug, pk):
    network = get_network_for_edit(request.user, slug, pk)
    concept, heading = network.concept, network.name
    form = NetworkForm(request.POST or None, concept=concept, instance=network)
    conflict, mine = None, []
    if request.method == "POST" and form.is_valid():
        try:
            services.network_update(
                network=network,
                expected_version=form.cleaned_data["version"],
                user=request.user,
                **_fields(form, NETWORK_FIELDS),
            )
        except StaleVersion as error:
            conflict, mine = error, form.rebase(error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Netzwerk „%(name)s“ gespeichert.") % {"name": network})
            return redirect(_network_url(network))
    return render(
        request,
        "networks/network_form.html",
        {
            "concept": concept,
            "form": form,
            "network": network,
            "heading": heading,
            "conflict": conflict,
            "mine": mine,
        },
        status=409 if conflict else 200,
    )


# --- Meetings -----------------------------------------------------------------------------
# Recorded on a network's page (netzwerke/<pk>/sitzungen/…), or on the committees page
# (gremien/sitzungen/…), where the form offers the concept's committees.


def _committees(concept):
    return Network.objects.filter(concept=concept, kind=Network.Kind.COMMITTEE).order_by(
        "position", "name"
    )


def _committees_url(concept):
    return reverse("measures:committees", kwargs={"slug": concept.slug})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def meeting_create(request, slug, pk=None):
    """A meeting of the network `pk`, or (without `pk`) of the committee chosen in the form."""
    if pk is None:
        concept, network = get_concept_for_network_edit(request.user, slug), None
        committees = _committees(concept)
    else:
        network = get_network_for_edit(request.user, slug, pk)
        concept, committees = network.concept, None
    form = MeetingForm(
        request.POST or None,
        committees=committees,
        instance=Meeting(network=network),
        initial={"network": request.GET.get("gremium"), "date": timezone.localdate()},
    )
    return _meeting_page(request, concept, form, network)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def meeting_edit(request, slug, meeting_pk, pk=None):
    """A meeting of the network `pk`, or (without `pk`) of a committee."""
    meetings = Meeting.objects.of_committees() if pk is None else Meeting.objects.filter(network=pk)
    meeting = get_meeting_for_edit(request.user, slug, meeting_pk, meetings)
    concept = meeting.network.concept
    form = MeetingForm(
        request.POST or None,
        committees=_committees(concept) if pk is None else None,
        instance=meeting,
    )
    return _meeting_page(request, concept, form, None if pk is None else meeting.network)


def _meeting_page(request, concept, form, network):
    """Save the form's meeting (new or changed), or show the form again: with the service's
    errors, or after a conflict with the current state beside the user's input. `network`
    is the network whose page the form belongs to; None on the committees page."""
    conflict, mine = None, []
    if request.method == "POST" and form.is_valid():
        fields = _fields(form, MEETING_FIELDS)
        fields["network"] = form.cleaned_data.get("network", network)
        try:
            if form.instance.pk:
                meeting = services.meeting_update(
                    meeting=form.instance,
                    expected_version=form.cleaned_data["version"],
                    user=request.user,
                    **fields,
                )
            else:
                meeting = services.meeting_create(user=request.user, **fields)
        except StaleVersion as error:
            conflict, mine = error, form.rebase(error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Sitzung gespeichert."))
            if network is None:
                return redirect(f"{_committees_url(concept)}#sitzung-{meeting.pk}")
            return redirect(_network_url(network) + "#sitzungen")
    if network is None:
        back_url, back_label = _committees_url(concept), _("Gremien und Beschlüsse")
    else:
        back_url, back_label = _network_url(network) + "#sitzungen", network.name
    return render(
        request,
        "networks/meeting_form.html",
        {
            "concept": concept,
            "form": form,
            "meeting": form.instance if form.instance.pk else None,
            "network": network,
            "back_url": back_url,
            "back_label": back_label,
            "conflict": conflict,
            "mine": mine,
        },
        status=409 if conflict else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def statement_split(request, slug, pk):
    statement = get_statement_for_split(request.user, slug, pk)
    concept = statement.concept
    suggestion = "\n".join(services.suggest_network_names(statement.text))
    form = SplitForm(request.POST or None, initial={"names": suggestion})
    if request.method == "POST" and form.is_valid():
        try:
            result = services.statement_split_into_networks(
                statement=statement,
                lines=form.lines(),
                kind=form.cleaned_data["kind"],
                is_public=form.cleaned_data["is_public"],
            )
        except ValidationError as error:
            form.add_error("names", error)
        else:
            count = len(result.created)
            messages.success(
                request,
                ngettext(
                    "%(count)d Netzwerk aus Aussage %(number)s angelegt.",
                    "%(count)d Netzwerke aus Aussage %(number)s angelegt.",
                    count,
                )
                % {"count": count, "number": statement.number},
            )
            if result.skipped:
                messages.info(
                    request,
                    _("Übersprungen, weil es sie schon gibt: %(names)s.")
                    % {"names": ", ".join(result.skipped)},
                )
            return redirect("networks:list", slug=concept.slug)
    return render(
        request,
        "networks/statement_split.html",
        {"concept": concept, "statement": statement, "form": form},
    )


# --- Organisations (Akteure) --------------------------------------------------------------


@require_safe
@login_required
def organisation_list(request, slug):
    concept = get_concept_for_view(request.user, slug)
    return render(
        request,
        "networks/organisation_list.html",
        {
            "concept": concept,
            "organisations": organisation_directory(concept),
            "can_edit": can_edit_networks(request.user, concept),
        },
    )


@require_safe
@login_required
def organisation_detail(request, slug, pk):
    organisation = get_organisation_for_view(
        request.user, slug, pk, queryset=organisation_queryset()
    )
    return render(
        request,
        "networks/organisation_detail.html",
        {
            "concept": organisation.concept,
            "organisation": with_roles(organisation),
            "can_edit": can_edit_networks(request.user, organisation.concept),
            "history": object_history(organisation, ORGANISATION_FIELDS),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def organisation_create(request, slug):
    concept = get_concept_for_network_edit(request.user, slug)
    form = OrganisationForm(request.POST or None, instance=Organisation(concept=concept))
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(
                concept=concept, user=request.user, **_fields(form, ORGANISATION_FIELDS)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Akteur „%(name)s“ angelegt.") % {"name": organisation})
            return redirect(_organisation_url(organisation))
    return render(
        request,
        "networks/organisation_form.html",
        {"concept": concept, "form": form, "organisation": None},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def organisation_edit(request, slug, pk):
    organisation = get_organisation_for_edit(request.user, slug, pk)
    concept, heading = organisation.concept, organisation.name
    form = OrganisationForm(request.POST or None, instance=organisation)
    conflict, mine = None, []
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                organisation=organisation,
                expected_version=form.cleaned_data["version"],
                user=request.user,
                **_fields(form, ORGANISATION_FIELDS),
            )
        except StaleVersion as error:
            conflict, mine = error, form.rebase(error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Akteur „%(name)s“ gespeichert.") % {"name": organisation})
            return redirect(_organisation_url(organisation))
    return render(
        request,
        "networks/organisation_form.html",
        {
            "concept": concept,
            "form": form,
            "organisation": organisation,
            "heading": heading,
            "conflict": conflict,
            "mine": mine,
        },
        status=409 if conflict else 200,
    )

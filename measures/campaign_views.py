"""Sachstandsabfragen: the Koordination opens a campaign and reminds those pending; every
member reads its progress (here and on the dashboard)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concept import roles
from concept.access import get_concept_for_edit, get_concept_for_view
from concept.locking import StaleVersion
from measures import queries, services
from measures.access import get_campaign_for_edit, get_campaign_for_view
from measures.forms import CampaignCloseForm, CampaignForm
from measures.models import Campaign, campaign_answered


@require_safe
@login_required
def campaign_list(request, slug):
    concept = get_concept_for_view(request.user, slug)
    campaigns = Campaign.objects.filter(concept=concept)
    return render(
        request,
        "measures/campaign_list.html",
        {
            "concept": concept,
            "progress": queries.campaign_progress(concept, campaigns),
            "today": timezone.localdate(),
            "can_open": roles.can_edit_concept(request.user, concept),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def campaign_create(request, slug):
    concept = get_concept_for_edit(request.user, slug)
    form = CampaignForm(request.POST or None, concept=concept)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign, sent = services.campaign_open(
                concept=concept,
                user=request.user,
                reference_date=data["reference_date"],
                deadline=data["deadline"],
                measures=data["measures"],
                title=data["title"],
                message=data["message"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                ngettext(
                    "Sachstandsabfrage eröffnet; %(count)s E-Mail an die Verantwortlichen "
                    "wird versandt.",
                    "Sachstandsabfrage eröffnet; %(count)s E-Mails an die Verantwortlichen "
                    "werden versandt.",
                    sent,
                )
                % {"count": sent},
            )
            return redirect(campaign.get_absolute_url())
    return render(request, "measures/campaign_form.html", {"concept": concept, "form": form})


@require_safe
@login_required
def campaign_detail(request, slug, pk):
    campaign = get_campaign_for_view(request.user, slug, pk)
    concept = campaign.concept
    (progress,) = queries.campaign_progress(concept, [campaign])
    pending = (
        campaign.measures.annotate(answered=campaign_answered(campaign))
        .filter(answered=False)
        .select_related("goal")
        .prefetch_related("responsible_users")
        .order_by("position", "number")
    )
    return render(
        request,
        "measures/campaign_detail.html",
        {
            "concept": concept,
            "campaign": campaign,
            "progress": progress,
            "pending": pending,
            "today": timezone.localdate(),
            "can_remind": roles.can_edit_concept(request.user, concept),
        },
    )


@require_POST
@login_required
def campaign_remind(request, slug, pk):
    """One click: a mail to everyone with a pending measure; a second click on the same day
    sends nothing again (services.campaign_remind)."""
    campaign = get_campaign_for_edit(request.user, slug, pk)
    already = campaign.reminded_on == timezone.localdate()
    try:
        sent = services.campaign_remind(campaign=campaign, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(campaign.get_absolute_url())
    (progress,) = queries.campaign_progress(campaign.concept, [campaign])
    if sent:
        messages.success(
            request,
            ngettext(
                "Erinnerung an %(count)s Person versandt.",
                "Erinnerung an %(count)s Personen versandt.",
                sent,
            )
            % {"count": sent},
        )
    elif not progress.total.pending:
        messages.info(request, _("Alle Maßnahmen haben geantwortet; niemand zu erinnern."))
    elif already:
        messages.info(
            request,
            _(
                "Heute wurde bereits an diese Abfrage erinnert; es wurde keine weitere "
                "E-Mail versandt."
            ),
        )
    else:
        messages.warning(
            request,
            _(
                "Für die offenen Maßnahmen ist niemand verantwortlich; es wurde niemand "
                "erinnert. Bitte ordnen Sie Verantwortliche zu."
            ),
        )
    return redirect(campaign.get_absolute_url())


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def campaign_close(request, slug, pk):
    """End a Sachstandsabfrage: a confirmation page (GET), the ending (POST)."""
    campaign = get_campaign_for_edit(request.user, slug, pk)
    if campaign.is_closed:
        messages.info(request, _("Diese Sachstandsabfrage ist bereits beendet."))
        return redirect(campaign.get_absolute_url())
    (progress,) = queries.campaign_progress(campaign.concept, [campaign])
    form = CampaignCloseForm(request.POST or None, versioned=campaign)
    conflict, mine = None, []
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_close(
                campaign=campaign, user=request.user, expected_version=form.cleaned_data["version"]
            )
        except StaleVersion as error:
            conflict, mine = error, form.rebase(error)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(campaign.get_absolute_url())
        else:
            messages.success(
                request,
                _("Die Sachstandsabfrage „%(label)s“ ist beendet.") % {"label": campaign.label},
            )
            return redirect(campaign.get_absolute_url())
    return render(
        request,
        "measures/campaign_close.html",
        {
            "concept": campaign.concept,
            "campaign": campaign,
            "progress": progress,
            "form": form,
            "conflict": conflict,
            "mine": mine,
        },
        status=409 if conflict else 200,
    )

"""The mail log for the Administration: what was sent to whom, and sending a failed mail
again (/verwaltung/e-mails/); each person's choice how to be reminded (/konto/erinnerungen/)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import BooleanField, Case, Q, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concept import roles
from concept.admin import visible_users
from concept.mail.forms import STATUS_PARAMS, MailLogFilterForm, ReminderSettingForm
from concept.mail.services import (
    mail_log_resend,
    reminder_frequency,
    reminder_setting_set,
    resendable_q,
)
from concept.models import Concept, MailLog

PAGE_SIZE = 50


def visible_mail_logs(user):
    """The mail an Administration may read: of the concepts it administers, and mail
    without a concept to the people it sees (concept.admin.visible_users). Others: 403."""
    if not roles.is_administrator(user):
        raise PermissionDenied(_("Das E-Mail-Protokoll liest nur die Administration."))
    logs = MailLog.objects.annotate(
        resendable=Case(
            When(resendable_q(), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )
    if user.is_superuser:
        return logs
    people = visible_users(user, get_user_model().objects.all()).values("pk")
    return logs.filter(
        Q(concept__in=Concept.objects.administered_by(user))
        | Q(concept__isnull=True, recipient__in=people)
    )


@require_safe
@login_required
def mail_log_list(request):
    logs = visible_mail_logs(request.user)
    kinds = list(logs.order_by("kind").values_list("kind", flat=True).distinct())
    form = MailLogFilterForm(request.GET or None, kinds=kinds)
    filtered = logs
    if form.is_bound:
        # A value that does not fit is ignored (and named on the page); the others apply.
        form.is_valid()
        data = {"suche": "", "status": "", "art": "", **form.cleaned_data}
        if data["suche"]:
            filtered = filtered.filter(
                Q(address__icontains=data["suche"])
                | Q(subject__icontains=data["suche"])
                | Q(recipient__username__icontains=data["suche"])
            )
        if data["status"]:
            filtered = filtered.filter(status=STATUS_PARAMS[data["status"]])
        if data["art"]:
            filtered = filtered.filter(kind=data["art"])
    filtered = filtered.select_related("recipient", "concept")
    page = Paginator(filtered, PAGE_SIZE).get_page(request.GET.get("seite"))
    query = request.GET.copy()
    query.pop("seite", None)
    return render(
        request,
        "mail/log_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "failed_count": logs.filter(status=MailLog.Status.FAILED).count(),
        },
    )


@require_safe
@login_required
def mail_log_detail(request, pk):
    log = get_object_or_404(
        visible_mail_logs(request.user).select_related("recipient", "concept", "resent_by"),
        pk=pk,
    )
    return render(request, "mail/log_detail.html", {"log": log})


@require_POST
@login_required
def mail_log_resend_view(request, pk):
    log = get_object_or_404(visible_mail_logs(request.user), pk=pk)
    try:
        mail_log_resend(log=log, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Die E-Mail „%(subject)s“ an %(address)s wird erneut gesendet.")
            % {"subject": log.subject, "address": log.address or log.recipient},
        )
    back = request.POST.get("weiter", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("mail_log_detail", pk=log.pk)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def reminder_settings(request):
    """A person's own page: how they want to be reminded."""
    form = ReminderSettingForm(
        request.POST if request.method == "POST" else None,
        initial={"frequency": reminder_frequency(request.user)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            reminder_setting_set(user=request.user, frequency=form.cleaned_data["frequency"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Ihre Einstellung für Erinnerungen ist gespeichert."))
            return redirect("reminder_settings")
    mandatory = Concept.objects.filter(members=request.user, reminders_mandatory=True).order_by(
        "title"
    )
    return render(
        request,
        "mail/reminder_settings.html",
        {"form": form, "mandatory": list(mandatory)},
    )

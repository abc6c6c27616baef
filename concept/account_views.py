"""Account pages: password change and reset (Django's views, German templates) and the
"Entsperren" page of the Administration."""

from axes.utils import reset as axes_reset
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from concept import accounts


class PasswordResetView(auth_views.PasswordResetView):
    form_class = accounts.PortalPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    html_email_template_name = "registration/password_reset_email.html"
    subject_template_name = "registration/password_reset_subject.txt"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever can set a new password may also try it at once: a lockout of the account
        # (from any address) would otherwise outlast the reset.
        axes_reset(username=form.user.get_username())
        return response


@require_safe
@login_required
def lockout_list(request):
    accounts.check_administrator(request.user)
    return render(
        request, "registration/lockout_list.html", {"lockouts": accounts.current_lockouts()}
    )


@require_POST
@login_required
def lockout_unlock(request):
    accounts.check_administrator(request.user)
    username = request.POST.get("username", "")
    ip_address = request.POST.get("ip_address", "")
    try:
        count = accounts.lockout_reset(username=username, ip_address=ip_address)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if count:
            messages.success(
                request,
                _("Anmeldung für „%(username)s“ von %(address)s entsperrt.")
                % {"username": username, "address": ip_address},
            )
        else:
            messages.info(
                request,
                _("Für „%(username)s“ von %(address)s bestand keine Sperre mehr.")
                % {"username": username, "address": ip_address},
            )
    return redirect("lockout_list")

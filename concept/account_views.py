"""Account pages: login and logout, password change and reset (Django's views, German
templates), the "Entsperren" and "Zweiter Faktor" pages of the Administration."""

from allauth.account.internal.flows.login import perform_password_login
from allauth.account.models import Login
from allauth.mfa.models import Authenticator
from axes.utils import reset as axes_reset
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST, require_safe

from concept import accounts, sso
from concept.admin import manages_account, visible_users
from concept.forms import LoginForm


class LoginView(auth_views.LoginView):
    """The local login (with the lockout of django-axes); the second factor and the login
    with the OpenID provider run through allauth, which finishes the login."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "sso_providers": sso.login_providers(self.request),
        }

    def form_valid(self, form):
        user = form.get_user()
        login = Login(user=user, redirect_url=self.get_success_url(), email_verification="none")
        return perform_password_login(self.request, {"username": user.get_username()}, login)


class LogoutView(auth_views.LogoutView):
    """Logs out here and, after a login with the OpenID provider, there too."""

    def post(self, request, *args, **kwargs):
        provider_logout = sso.provider_logout_url(
            request.session.get(sso.PROVIDER_LOGOUT_SESSION_KEY)
        )
        response = super().post(request, *args, **kwargs)
        if provider_logout:
            return HttpResponseRedirect(provider_logout)
        return response


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


FACTOR_LABELS = {
    Authenticator.Type.TOTP: _lazy("Authenticator-App"),
    Authenticator.Type.WEBAUTHN: _lazy("Sicherheitsschlüssel"),
    Authenticator.Type.RECOVERY_CODES: _lazy("Wiederherstellungscodes"),
}


@require_safe
@login_required
def second_factor_list(request):
    accounts.check_administrator(request.user)
    people = (
        visible_users(request.user, get_user_model().objects.filter(is_active=True))
        .prefetch_related("authenticator_set")
        .order_by("username")
    )
    rows = [
        {
            "person": person,
            "factors": sorted({str(FACTOR_LABELS[a.type]) for a in person.authenticator_set.all()}),
            "may_reset": manages_account(request.user, person),
        }
        for person in people
    ]
    return render(request, "registration/second_factor_list.html", {"rows": rows})


@require_POST
@login_required
def second_factor_reset(request, pk):
    accounts.check_administrator(request.user)
    account = get_object_or_404(visible_users(request.user, get_user_model().objects.all()), pk=pk)
    if not manages_account(request.user, account):
        raise PermissionDenied(
            _(
                "Den zweiten Faktor dieser Person setzt nur zurück, wer alle ihre Konzepte "
                "administriert."
            )
        )
    if sso.reset_second_factor(account):
        messages.success(
            request,
            _(
                "Der zweite Faktor von „%(username)s“ ist zurückgesetzt. Bei der nächsten "
                "Anmeldung richtet die Person ihn neu ein, wenn ihre Rolle ihn verlangt."
            )
            % {"username": account.get_username()},
        )
    else:
        messages.info(
            request,
            _("„%(username)s“ hatte keinen zweiten Faktor eingerichtet.")
            % {"username": account.get_username()},
        )
    return redirect("second_factor_list")

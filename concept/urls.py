from allauth.account import views as allauth_account_views
from allauth.mfa.base import views as mfa_views
from allauth.mfa.recovery_codes import views as recovery_code_views
from allauth.mfa.totp import views as totp_views
from allauth.mfa.webauthn import views as webauthn_views
from allauth.socialaccount import views as social_views
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from concept import account_views, sso, views
from concept.mail import views as mail_views

# django-allauth's views that the portal uses (single sign-on, second factor), under German
# paths; the names are allauth's, which its views and redirects use. Its own login, sign-up,
# password and e-mail pages are not offered: their names lead to the portal's pages.
allauth_patterns = [
    path("oidc/<str:provider_id>/anmelden/", sso.oidc_login, name="openid_connect_login"),
    path(
        "oidc/<str:provider_id>/rueckkehr/",
        sso.oidc_callback,
        name="openid_connect_callback",
    ),
    path(
        "extern/abgebrochen/",
        social_views.login_cancelled,
        name="socialaccount_login_cancelled",
    ),
    path("extern/fehler/", social_views.login_error, name="socialaccount_login_error"),
    path("extern/registrieren/", social_views.signup, name="socialaccount_signup"),
    path("inaktiv/", allauth_account_views.account_inactive, name="account_inactive"),
    path("bestaetigen/", allauth_account_views.reauthenticate, name="account_reauthenticate"),
    path("zweiter-faktor/", mfa_views.index, name="mfa_index"),
    path("zweiter-faktor/anmelden/", mfa_views.authenticate, name="mfa_authenticate"),
    path("zweiter-faktor/bestaetigen/", mfa_views.reauthenticate, name="mfa_reauthenticate"),
    path("zweiter-faktor/app/", totp_views.activate_totp, name="mfa_activate_totp"),
    path(
        "zweiter-faktor/app/entfernen/",
        totp_views.deactivate_totp,
        name="mfa_deactivate_totp",
    ),
    path(
        "zweiter-faktor/wiederherstellungscodes/",
        recovery_code_views.view_recovery_codes,
        name="mfa_view_recovery_codes",
    ),
    path(
        "zweiter-faktor/wiederherstellungscodes/neu/",
        recovery_code_views.generate_recovery_codes,
        name="mfa_generate_recovery_codes",
    ),
    path(
        "zweiter-faktor/wiederherstellungscodes/herunterladen/",
        recovery_code_views.download_recovery_codes,
        name="mfa_download_recovery_codes",
    ),
    path(
        "zweiter-faktor/sicherheitsschluessel/",
        webauthn_views.list_webauthn,
        name="mfa_list_webauthn",
    ),
    path(
        "zweiter-faktor/sicherheitsschluessel/neu/",
        webauthn_views.add_webauthn,
        name="mfa_add_webauthn",
    ),
    path(
        "zweiter-faktor/sicherheitsschluessel/bestaetigen/",
        webauthn_views.reauthenticate_webauthn,
        name="mfa_reauthenticate_webauthn",
    ),
    path(
        "zweiter-faktor/sicherheitsschluessel/<int:pk>/entfernen/",
        webauthn_views.remove_webauthn,
        name="mfa_remove_webauthn",
    ),
    path(
        "zweiter-faktor/sicherheitsschluessel/<int:pk>/umbenennen/",
        webauthn_views.edit_webauthn,
        name="mfa_edit_webauthn",
    ),
    # allauth's names for pages the portal has itself.
    path(
        "anmelden/",
        RedirectView.as_view(pattern_name="login", query_string=True),
        name="account_login",
    ),
    path("abmelden/", account_views.LogoutView.as_view(), name="account_logout"),
    path("registrieren/", RedirectView.as_view(pattern_name="login"), name="account_signup"),
    path(
        "passwort/",
        RedirectView.as_view(pattern_name="password_change"),
        name="account_change_password",
    ),
    path(
        "passwort/vergessen/",
        RedirectView.as_view(pattern_name="password_reset"),
        name="account_reset_password",
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("anmelden/", account_views.LoginView.as_view(), name="login"),
    path("abmelden/", account_views.LogoutView.as_view(), name="logout"),
    path("konto/erinnerungen/", mail_views.reminder_settings, name="reminder_settings"),
    path("konto/", include(allauth_patterns)),
    # Django's account views under German paths, with their usual names.
    path("passwort/aendern/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "passwort/geaendert/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("passwort/vergessen/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "passwort/vergessen/gesendet/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "passwort/neu/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "passwort/neu/fertig/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("verwaltung/anmeldesperren/", account_views.lockout_list, name="lockout_list"),
    path(
        "verwaltung/anmeldesperren/entsperren/",
        account_views.lockout_unlock,
        name="lockout_unlock",
    ),
    path("verwaltung/zweiter-faktor/", account_views.second_factor_list, name="second_factor_list"),
    path(
        "verwaltung/zweiter-faktor/<int:pk>/zuruecksetzen/",
        account_views.second_factor_reset,
        name="second_factor_reset",
    ),
    path("verwaltung/e-mails/", mail_views.mail_log_list, name="mail_log_list"),
    path("verwaltung/e-mails/<int:pk>/", mail_views.mail_log_detail, name="mail_log_detail"),
    path(
        "verwaltung/e-mails/<int:pk>/erneut-senden/",
        mail_views.mail_log_resend_view,
        name="mail_log_resend",
    ),
    path("konzepte/", include("concept.concept_urls")),
    path("konzepte/<slug:slug>/", include("reporting.dashboard.urls")),
    path("konzepte/<slug:slug>/", include("measures.urls")),
    path("konzepte/<slug:slug>/kennzahlen/", include("goals.urls")),
    path("konzepte/<slug:slug>/daten/", include("reporting.exchange.urls")),
    path("konzepte/<slug:slug>/berichte/", include("reporting.report.urls")),
    path("konzepte/<slug:slug>/suche/", include("reporting.search.urls")),
    path("konzepte/<slug:slug>/", include("networks.urls")),
    path("", include("reporting.public.urls")),
    path("admin/", admin.site.urls),
]

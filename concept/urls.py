from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from concept import account_views, views
from concept.forms import LoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "anmelden/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("abmelden/", auth_views.LogoutView.as_view(), name="logout"),
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

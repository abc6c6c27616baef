from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from concept import views
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
    path("konzepte/", include("concept.concept_urls")),
    path("konzepte/<slug:slug>/", include("reporting.urls")),
    path("konzepte/<slug:slug>/massnahmen/", include("measures.urls")),
    path("konzepte/<slug:slug>/kennzahlen/", include("goals.urls")),
    path("konzepte/<slug:slug>/daten/", include("reporting.exchange_urls")),
    path("konzepte/<slug:slug>/berichte/", include("reporting.report_urls")),
    path("konzepte/<slug:slug>/", include("networks.urls")),
    path("", include("concept.public_urls")),
    path("admin/", admin.site.urls),
]

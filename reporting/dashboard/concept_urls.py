"""The pages named in the "concept" URL namespace below /konzepte/<slug>/ (included there):
a concept's dashboard is its detail page, its structure lives under aufbau/."""

from django.urls import path

from reporting import views
from reporting.dashboard import views as dashboard_views

urlpatterns = [
    path("", views.dashboard, name="detail"),
    path("aufbau/", dashboard_views.structure, name="structure"),
]

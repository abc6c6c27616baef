"""The pages named in the "concept" URL namespace below /konzepte/<slug>/ (included there):
a concept's dashboard is its detail page, its structure lives under aufbau/."""

from django.urls import path

from reporting.dashboard import views

urlpatterns = [
    path("", views.dashboard, name="detail"),
    path("aufbau/", views.structure, name="structure"),
]

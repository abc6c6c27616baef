"""The search across a concept, below /konzepte/<slug>/suche/."""

from django.urls import path

from reporting.search import views

app_name = "search"

urlpatterns = [
    path("", views.search, name="results"),
]

"""Routes below /konzepte/<slug>/ (included from concept/concept_urls.py); the dashboard
itself is concept:detail."""

from django.urls import path

from reporting.dashboard import views

app_name = "reporting"

urlpatterns = [
    path("ziele/<int:number>/", views.goal_detail, name="goal_detail"),
    path("mindmap/", views.mind_map, name="mind_map"),
    path("aenderungen/", views.changes_page, name="changes"),
    path("aenderungen/aenderungen.csv", views.changes_csv, name="changes_csv"),
    path("aenderungen/druck/", views.changes_print, name="changes_print"),
]

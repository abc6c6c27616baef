"""Routes below /konzepte/<slug>/ (included from concept/concept_urls.py); the dashboard
itself is concept:detail."""

from django.urls import path

from reporting.dashboard import views

app_name = "reporting"

urlpatterns = [
    path("ziele/<int:number>/", views.goal_detail, name="goal_detail"),
    path("mindmap/", views.mind_map, name="mind_map"),
    path("aenderungen/", views.changes, name="changes"),
]

"""Routes below /konzepte/<slug>/ (included from concept/concept_urls.py); the dashboard
itself is concept:detail."""

from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("ziele/<int:number>/", views.goal_detail, name="goal"),
    path("mindmap/", views.mind_map, name="mindmap"),
    path("aenderungen/", views.changes, name="changes"),
    path("gremien/", views.committee_list, name="committees"),
    path("gremien/sitzungen/neu/", views.meeting_create_view, name="meeting_create"),
    path(
        "gremien/sitzungen/<int:pk>/bearbeiten/",
        views.meeting_update_view,
        name="meeting_update",
    ),
    path(
        "gremien/sitzungen/<int:meeting>/beschluesse/neu/",
        views.decision_create_view,
        name="decision_create",
    ),
    path(
        "gremien/beschluesse/<int:pk>/bearbeiten/",
        views.decision_update_view,
        name="decision_update",
    ),
]

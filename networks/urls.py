from django.urls import path

from networks import views

app_name = "networks"

urlpatterns = [
    path("netzwerke/", views.network_list, name="list"),
    path("netzwerke/neu/", views.network_create, name="create"),
    path("netzwerke/aufteilen/<int:pk>/", views.statement_split, name="statement_split"),
    path("netzwerke/<int:pk>/", views.network_detail, name="detail"),
    path("netzwerke/<int:pk>/bearbeiten/", views.network_edit, name="edit"),
    path("netzwerke/<int:pk>/sitzungen/neu/", views.meeting_create, name="meeting_create"),
    path(
        "netzwerke/<int:pk>/sitzungen/<int:meeting_pk>/bearbeiten/",
        views.meeting_edit,
        name="meeting_edit",
    ),
    # The committees page (measures:committees) records its meetings here.
    path("gremien/sitzungen/neu/", views.meeting_create, name="committee_meeting_create"),
    path(
        "gremien/sitzungen/<int:meeting_pk>/bearbeiten/",
        views.meeting_edit,
        name="committee_meeting_edit",
    ),
    path("akteure/", views.organisation_list, name="organisation_list"),
    path("akteure/neu/", views.organisation_create, name="organisation_create"),
    path("akteure/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("akteure/<int:pk>/bearbeiten/", views.organisation_edit, name="organisation_edit"),
]

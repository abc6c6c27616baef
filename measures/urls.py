from django.urls import include, path

from measures import campaign_views, decision_views, views

app_name = "measures"

measure_patterns = [
    path("", views.measure_list, name="list"),
    path("meine/", views.my_measures, name="mine"),
    path("raster/<str:group>/", views.measure_grid, name="grid"),
    path("<str:key>/", views.measure_detail, name="detail"),
    path("<str:key>/verlauf/", views.measure_history, name="history"),
    path("<str:key>/sachstaende/", views.measure_entries, name="entry_list"),
    path(
        "<str:key>/sachstaende/<int:pk>/korrigieren/",
        views.progress_entry_correct,
        name="entry_correct",
    ),
    path(
        "<str:key>/sachstaende/<int:pk>/zurueckziehen/",
        views.progress_entry_withdraw,
        name="entry_withdraw",
    ),
    path("<str:key>/stand/", views.measure_update_state, name="state_edit"),
    path("<str:key>/sachstand/", views.progress_entry_create, name="entry_create"),
    path("<str:key>/keine-aenderung/", views.progress_entry_no_change, name="no_change"),
    path("<str:key>/bearbeiten/", views.measure_edit, name="edit"),
    path("<str:key>/nachweise/<int:pk>/", views.evidence_download, name="evidence_download"),
]

# The committees' meetings are recorded by the networks app (networks:committee_meeting_*).
committee_patterns = [
    path("", decision_views.committee_list, name="committees"),
    path(
        "sitzungen/<int:meeting_pk>/beschluesse/neu/",
        decision_views.decision_create,
        name="decision_create",
    ),
    path("beschluesse/<int:pk>/bearbeiten/", decision_views.decision_edit, name="decision_edit"),
]

campaign_patterns = [
    path("", campaign_views.campaign_list, name="campaign_list"),
    path("neu/", campaign_views.campaign_create, name="campaign_create"),
    path("<int:pk>/", campaign_views.campaign_detail, name="campaign_detail"),
    path("<int:pk>/erinnern/", campaign_views.campaign_remind, name="campaign_remind"),
    path("<int:pk>/beenden/", campaign_views.campaign_close, name="campaign_close"),
]

urlpatterns = [
    path("massnahmen/", include(measure_patterns)),
    path("abfragen/", include(campaign_patterns)),
    path("gremien/", include(committee_patterns)),
]

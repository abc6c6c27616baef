"""Routes of the data exchange below /konzepte/<slug>/daten/ (included from concept/urls.py)."""

from django.urls import path, re_path

from reporting.exchange import views

app_name = "exchange"

urlpatterns = [
    path("", views.data_overview, name="overview"),
    re_path(r"^export/(?P<kind>[a-z-]+)\.(?P<fmt>csv|xlsx)$", views.export_view, name="export"),
    path("import/<slug:kind>/", views.import_view, name="import"),
    path("import/<slug:kind>/bestaetigen/", views.import_confirm, name="import_confirm"),
]

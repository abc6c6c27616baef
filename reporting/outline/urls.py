"""Routes of the outline import and export. Included into the concept routes without an
app_name of their own, so their names are concept:outline_import, concept:outline_import_confirm
and concept:outline_export."""

from django.urls import path

from reporting.outline import views

urlpatterns = [
    path("import/", views.outline_import_view, name="outline_import"),
    path("import/bestaetigen/", views.outline_import_confirm, name="outline_import_confirm"),
    path("<slug:slug>/gliederung.txt", views.outline_download, name="outline_export"),
]

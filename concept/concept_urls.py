from django.urls import include, path

from concept import outline_views, views

app_name = "concept"

urlpatterns = [
    path("", views.concept_list, name="list"),
    # Before "<slug>/": "import" is a reserved slug (see concept.outline.RESERVED_SLUGS).
    path("import/", outline_views.outline_import_view, name="outline_import"),
    path(
        "import/bestaetigen/", outline_views.outline_import_confirm, name="outline_import_confirm"
    ),
    path("<slug:slug>/", include("reporting.dashboard.concept_urls")),
    path("<slug:slug>/gliederung.txt", outline_views.outline_download, name="outline_export"),
]

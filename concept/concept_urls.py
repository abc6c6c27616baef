from django.urls import include, path

from concept import views

app_name = "concept"

urlpatterns = [
    path("", views.concept_list, name="list"),
    # Before "<slug>/": "import/" is the outline import ("import" is a reserved slug).
    path("", include("reporting.outline.urls")),
    path("<slug:slug>/", include("reporting.dashboard.concept_urls")),
]

"""Pages without login: the transparency pages of each public concept and the legal pages
of the installation."""

from django.urls import path

from concept.models import LegalPage
from reporting.public import views

app_name = "public"

LEGAL_PAGES = [
    ("impressum", LegalPage.Kind.IMPRINT, "imprint"),
    ("datenschutz", LegalPage.Kind.PRIVACY, "privacy"),
    ("barrierefreiheit", LegalPage.Kind.ACCESSIBILITY, "accessibility"),
]

urlpatterns = [
    path("oeffentlich/", views.concept_index, name="index"),
    path("oeffentlich/<slug:slug>/", views.concept_page, name="concept"),
    path("oeffentlich/<slug:slug>/netzwerke/", views.networks_page, name="networks"),
    path("oeffentlich/<slug:slug>/berichte/", views.reports_page, name="reports"),
    path(
        "oeffentlich/<slug:slug>/berichte/<int:year>-fassung-<int:version>.pdf",
        views.report_download,
        name="report_pdf",
    ),
]
for prefix, kind, name in LEGAL_PAGES:
    urlpatterns += [
        path(f"{prefix}/", views.legal_page, {"kind": kind}, name=name),
        path(f"{prefix}/bearbeiten/", views.legal_page_edit, {"kind": kind}, name=f"{name}_edit"),
    ]

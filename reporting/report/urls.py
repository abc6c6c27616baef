"""Routes below /konzepte/<slug>/berichte/ (the yearly Controlling-/Evaluationsbericht)."""

from django.urls import path

from reporting.report import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/bearbeiten/", views.report_edit, name="edit"),
    path("<int:pk>/loeschen/", views.report_delete, name="delete"),
    path("<int:pk>/vorschau/", views.report_preview, name="preview"),
    path("<int:pk>/finalisieren/", views.report_finalise, name="finalise"),
    path("<int:pk>/veroeffentlichen/", views.report_publish, name="publish"),
    path("<int:pk>/zuruecknehmen/", views.report_withdraw, name="withdraw"),
    path("<int:pk>/korrektur/", views.report_correct, name="correct"),
    path("<int:pk>/bericht.pdf", views.report_download, name="download"),
    path("erstellung/<int:job>/", views.render_status, name="render_status"),
    path("erstellung/<int:job>/vorschau.pdf", views.render_download, name="render_download"),
]

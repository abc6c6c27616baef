from django.urls import path

from goals import views

app_name = "goals"

urlpatterns = [
    path("", views.indicator_list, name="indicator_list"),
    path("statistik/", views.statistics, name="statistics"),
    path("statistik/vorschau/", views.statistics_preview, name="statistics_preview"),
    path("statistik/speichern/", views.statistics_confirm, name="statistics_confirm"),
    path("<int:pk>/", views.indicator_detail, name="indicator_detail"),
    path("<int:pk>/werte/<int:value_pk>/", views.indicator_value_edit, name="indicator_value_edit"),
]

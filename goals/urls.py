from django.urls import path

from goals import views

app_name = "goals"

urlpatterns = [
    path("", views.indicator_list, name="indicators"),
    path("<int:pk>/", views.indicator_detail, name="indicator"),
    path("<int:pk>/werte/<int:value_pk>/", views.indicator_value_edit, name="value_edit"),
]

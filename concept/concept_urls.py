from django.urls import path

from concept import views

app_name = "concept"

urlpatterns = [
    path("", views.concept_list, name="list"),
    path("<slug:slug>/", views.concept_detail, name="detail"),
]

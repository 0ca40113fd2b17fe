from django.urls import path

from smanav.family import views

app_name = "family"

urlpatterns = [
    path("records/add/", views.record_add, name="start"),
]

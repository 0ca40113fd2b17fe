from django.urls import path

from smanav.directory import views

urlpatterns = [
    path("services/", views.services_page, name="services"),
]

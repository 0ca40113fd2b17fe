from django.urls import path

from smanav.web import views

urlpatterns = [
    path("", views.home, name="home"),
]

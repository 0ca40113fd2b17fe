from django.urls import path

from smanav.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("triage/", views.triage_page, name="triage"),
    path("sources/", views.sources, name="sources"),
]

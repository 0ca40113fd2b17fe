from django.urls import path

from smanav.web import notice_settings, views

urlpatterns = [
    path("", views.home, name="home"),
    path("evaluate/", views.evaluate_page, name="evaluate"),
    path("privacy/", views.privacy, name="privacy"),
    path("terms/", views.terms, name="terms"),
    path("triage/", views.triage_page, name="triage"),
    path("sources/", views.sources, name="sources"),
    path("notices/", notice_settings.notices, name="notices"),
]

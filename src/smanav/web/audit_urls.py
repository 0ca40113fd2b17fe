from django.urls import path

from smanav.web import clinic_log as views

app_name = "audit"

urlpatterns = [
    path("clinic/audit/", views.clinic_log, name="clinic_log"),
]

from django.urls import path

from smanav.audit import views

app_name = "audit"

urlpatterns = [
    path("clinic/audit/", views.clinic_log, name="clinic_log"),
]

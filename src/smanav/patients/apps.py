from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "smanav.patients"
    label = "patients"
    verbose_name = "Patient records"

from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "smanav.careplans"
    label = "careplans"
    verbose_name = "Care plan documents: charts, PDF and FHIR"

from django.apps import AppConfig


class FamilyConfig(AppConfig):
    name = "smanav.family"
    label = "family"
    verbose_name = "smanav family pages"

from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "smanav.registry"
    label = "registry"
    verbose_name = "Registry: consent, synthetic cohort, research exports"

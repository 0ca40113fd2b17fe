from django.apps import AppConfig


class TrialsConfig(AppConfig):
    name = "smanav.trials"
    label = "trials"
    verbose_name = "clinical trials"

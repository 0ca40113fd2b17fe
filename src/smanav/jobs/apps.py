from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "smanav.jobs"
    label = "jobs"
    verbose_name = "background workers and their leases"

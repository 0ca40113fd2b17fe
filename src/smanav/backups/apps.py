from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "smanav.backups"
    label = "backups"
    verbose_name = "backup and restore of the database"

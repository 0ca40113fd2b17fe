from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "smanav.directory"
    label = "directory"
    verbose_name = "services directory"

from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "smanav.library"
    label = "library"
    verbose_name = "library of reviewed articles"

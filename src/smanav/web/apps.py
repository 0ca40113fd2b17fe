from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "smanav.web"
    label = "web"
    verbose_name = "smanav pages"

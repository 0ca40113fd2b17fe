from django.apps import AppConfig


class JsonApiConfig(AppConfig):
    name = "smanav.jsonapi"
    label = "jsonapi"
    verbose_name = "JSON API conventions and throttles"

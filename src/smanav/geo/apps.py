from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "smanav.geo"
    label = "geo"
    verbose_name = "offline geography (GeoNames)"

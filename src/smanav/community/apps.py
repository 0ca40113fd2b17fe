from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "smanav.community"
    label = "community"
    verbose_name = "community of members"

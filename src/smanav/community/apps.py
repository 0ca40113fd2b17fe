from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "smanav.community"
    label = "community"
    verbose_name = "community of members"

    def ready(self) -> None:
        # A deleted account's member leaves the community as they chose (members_leaving.py).
        from smanav.community import members_leaving

        members_leaving.connect()

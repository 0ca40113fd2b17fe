from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "smanav.accounts"
    label = "accounts"
    verbose_name = "Accounts, clinics and roles"

    def ready(self) -> None:
        # Marks the start of each session (its absolute limit counts from the sign-in).
        from smanav.accounts import session_limits  # noqa: F401

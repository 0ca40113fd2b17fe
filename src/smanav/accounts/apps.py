from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "smanav.accounts"
    label = "accounts"
    verbose_name = "Accounts, clinics and roles"

from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "smanav.outbox"
    label = "outbox"
    verbose_name = "outgoing e-mail"

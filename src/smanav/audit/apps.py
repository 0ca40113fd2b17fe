from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "smanav.audit"
    label = "audit"
    verbose_name = "Audit trail of patient records"

from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "smanav.registry"
    label = "registry"
    verbose_name = "Registry: consent, synthetic cohort, research exports"

    def ready(self) -> None:
        from smanav.patients.download_sections import download_section_register
        from smanav.registry.downloads import consents_section, reports_section

        # "Download my data" holds the consents and the registry reports too (docs/registry.md).
        download_section_register("consents", consents_section)
        download_section_register("registry_reports", reports_section)

from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "smanav.registry"
    label = "registry"
    verbose_name = "Registry: consent, synthetic cohort, research exports"

    def ready(self) -> None:
        from smanav.patients.download_sections import download_section_register
        from smanav.patients.range_work import range_work_register
        from smanav.registry.cohort_facts import cohort_facts_refresh
        from smanav.registry.downloads import consents_section, reports_section

        # "Download my data" holds the consents and the registry reports too (docs/registry.md).
        download_section_register("consents", consents_section)
        download_section_register("registry_reports", reports_section)
        # The dashboard's facts are worked out by the nightly refresh, range by range (ADR 0029).
        range_work_register("registry_cohort_facts", cohort_facts_refresh)

from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "smanav.patients"
    label = "patients"
    verbose_name = "Patient records"

    def ready(self) -> None:
        from smanav import user_locale
        from smanav.patients.selectors import family_record_regions

        # The reader's locale (units, paper, distances) follows the regions of the family's records.
        user_locale.read_record_regions_with(lambda user: family_record_regions(user=user))

"""`manage.py patients_refresh`: re-evaluate every record's worklist summary for today.

Run nightly: overdue items depend on the date as well as on the record.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from smanav.patients.models import Patient
from smanav.patients.services import patient_summaries_rebuild


class Command(BaseCommand):
    help = "Refresh the stored evaluation summary of every patient record."

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        count = 0
        ids = list(Patient.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), 500):
            chunk = Patient.objects.filter(pk__in=ids[start : start + 500]).prefetch_related(
                "assessments", "treatments"
            )
            count += patient_summaries_rebuild(patients=chunk, as_of=today)
        self.stdout.write(f"Refreshed {count} patient summaries for {today.isoformat()}.")

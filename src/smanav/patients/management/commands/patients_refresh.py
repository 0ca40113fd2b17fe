"""`manage.py patients_refresh`: re-evaluate every record's worklist summary for today.

Run nightly: overdue items depend on the date as well as on the record.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from smanav.patients.models import Patient
from smanav.patients.services import patient_summary_refresh


class Command(BaseCommand):
    help = "Refresh the stored evaluation summary of every patient record."

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        count = 0
        for patient in Patient.objects.prefetch_related("assessments", "treatments").iterator(chunk_size=500):
            patient_summary_refresh(patient=patient, as_of=today)
            count += 1
        self.stdout.write(f"Refreshed {count} patient summaries for {today.isoformat()}.")

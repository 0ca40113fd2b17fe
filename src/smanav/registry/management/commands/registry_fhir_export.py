"""`manage.py registry_fhir_export --out FOLDER [--as-of YYYY-MM-DD] [--queue]` (also `smanav
registry-fhir-export ...`): the registry participants as FHIR R4 NDJSON (registry.fhir_export,
docs/registry-fhir.md). `--queue` puts the export on the database queue for a worker instead."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from smanav.registry.fhir_export import FhirExportRefused, fhir_export_write
from smanav.registry.tasks import fhir_export_enqueue


class Command(BaseCommand):
    help = "Write the registry participants as FHIR R4 NDJSON (one file per resource type) to a new folder."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--out", required=True, help="the folder to create (it must not exist)")
        parser.add_argument(
            "--as-of", default=None, help="the day consents are judged on, YYYY-MM-DD (default: today)"
        )
        parser.add_argument(
            "--queue", action="store_true", help="queue the export as a background job instead of running it"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            on = dt.date.fromisoformat(options["as_of"]) if options["as_of"] else timezone.localdate()
        except ValueError:
            raise CommandError(
                f"--as-of: must be a date as YYYY-MM-DD (got {options['as_of']})", returncode=2
            ) from None
        out = Path(options["out"]).absolute()
        if options["queue"]:
            try:
                job_id = fhir_export_enqueue(out=out, on=on)
            except FhirExportRefused as refusal:
                raise CommandError(str(refusal), returncode=2) from None
            self.stdout.write(
                f"Queued the export to {out} as job {job_id}; a worker (manage.py db_worker) runs it."
            )
            return
        try:
            report = fhir_export_write(out=out, on=on)
        except FhirExportRefused as refusal:
            raise CommandError(str(refusal), returncode=2) from None
        counts = ", ".join(f"{count} {kind}" for kind, count in report.counts.items())
        self.stdout.write(f"Wrote {report.folder}: {report.patients} patients; {counts}; manifest.json last.")

"""`manage.py registry_export --project NAME --out FOLDER` (also `smanav registry-export ...`): the
pseudonymised CSV research export of one project (registry.exports, docs/registry.md)."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from smanav.registry.exports import ExportRefused, research_export_write


class Command(BaseCommand):
    help = "Write the pseudonymised research export of one project (consented patients only) to a new folder."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--project", required=True, help="the research project's name, e.g. sma-outcomes-2027"
        )
        parser.add_argument("--out", required=True, help="the folder to create (it must not exist)")
        parser.add_argument(
            "--as-of", default=None, help="the day consents are judged on, YYYY-MM-DD (default: today)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            on = dt.date.fromisoformat(options["as_of"]) if options["as_of"] else timezone.localdate()
        except ValueError:
            raise CommandError(
                f"--as-of: must be a date as YYYY-MM-DD (got {options['as_of']})", returncode=2
            ) from None
        try:
            report = research_export_write(project=options["project"], out=Path(options["out"]), on=on)
        except ExportRefused as refusal:
            raise CommandError(str(refusal), returncode=2) from None
        self.stdout.write(
            f"Wrote {report.folder}: {report.patients} patients, {report.treatments} treatment courses, "
            f"{report.assessments} measurements, {report.reported} registry reports, "
            "with data_dictionary.csv and README.txt."
        )

"""`manage.py registry_fhir_import DIR [--report FILE] [--as-of YYYY-MM-DD]` (also `smanav
registry-fhir-import ...`): import a FHIR R4 bulk export folder, each patient whole or not at all, never
twice (registry.fhir_import, docs/registry-fhir.md). Prints what it imported and what it left out, and
why."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from smanav.registry.fhir_import import FhirImportRefused, fhir_import_folder


class Command(BaseCommand):
    help = "Import a FHIR R4 bulk export folder (with its manifest.json); re-importing changes nothing."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("folder", metavar="DIR", help="the export folder, holding manifest.json")
        parser.add_argument("--report", default=None, help="also write the report to this file")
        parser.add_argument(
            "--as-of",
            default=None,
            help="the day records are checked against (no date after it), YYYY-MM-DD (default: today)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            on = dt.date.fromisoformat(options["as_of"]) if options["as_of"] else timezone.localdate()
        except ValueError:
            raise CommandError(
                f"--as-of: must be a date as YYYY-MM-DD (got {options['as_of']})", returncode=2
            ) from None
        try:
            report = fhir_import_folder(folder=Path(options["folder"]), as_of=on)
        except FhirImportRefused as refusal:
            raise CommandError(str(refusal), returncode=2) from None
        text = "\n".join(report.lines()) + "\n"
        if options["report"]:
            Path(options["report"]).write_text(text, encoding="utf-8")
        self.stdout.write(text, ending="")

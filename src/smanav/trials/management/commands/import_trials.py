from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from smanav.directory.importing.report import ImportFormatError, ImportReport
from smanav.directory.management.commands._reporting import add_format, print_report
from smanav.progress import command_progress, input_size, raw_stream
from smanav.trials.importing import SUFFIXES, import_trials
from smanav.trials.selectors import trials_awaiting_news


class Command(BaseCommand):
    help = "Import ClinicalTrials.gov API v2 study JSON: one file, NDJSON, or a folder. Safe to re-run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--sample", action="store_true", help="Mark the trials as sample data.")
        parser.add_argument(
            "--no-news",
            action="store_true",
            help="Do not queue the news of newly recruiting trials (`manage.py trials_news` does it later).",
        )
        add_format(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = ImportReport()
            with command_progress(
                total_bytes=input_size(options["path"], suffixes=SUFFIXES),
                description="Trials",
                stream=raw_stream(self.stderr),
                detail=lambda: f"{report.rows_read:,} studies",
            ):
                import_trials(options["path"], is_sample=options["sample"], report=report)
        except (ImportFormatError, OSError) as error:
            raise CommandError(str(error)) from None
        print_report(report, self.stdout, self.stderr, fmt=options["format"])
        if report.added + report.updated + report.unchanged == 0:
            # Scripts must see the failure: a file of rejected records imported nothing.
            raise CommandError(f"no study was imported from {options['path']}")
        waiting = len(trials_awaiting_news())
        if waiting and not options["no_news"]:
            # The news join the registry's consent and the records: a job of the layer above this app,
            # named rather than imported (the apps' layers, `.importlinter`).
            call_command("trials_news", "--enqueue", stdout=self.stdout)
        elif waiting:
            self.stdout.write(f"{waiting} trial(s) newly recruiting: `manage.py trials_news` tells families.")

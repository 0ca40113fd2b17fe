from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smanav.directory.importing.nppes import NPPES_BATCH_SIZE, import_nppes
from smanav.directory.importing.report import ImportFormatError, ImportReport
from smanav.directory.management.commands._reporting import add_format, print_report
from smanav.progress import command_progress, input_size, raw_stream


class Command(BaseCommand):
    help = "Import specialists from an NPPES NPI file (npidata_pfile_*.csv). Safe to re-run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--batch-size", type=int, default=NPPES_BATCH_SIZE)
        add_format(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = ImportReport()
            with command_progress(
                total_bytes=input_size(options["path"]),
                description="NPPES file",
                stream=raw_stream(self.stderr),
                detail=lambda: f"{report.rows_read:,} rows",
            ):
                import_nppes(options["path"], batch_size=options["batch_size"], report=report)
        except (ImportFormatError, OSError) as error:
            raise CommandError(str(error)) from None
        print_report(report, self.stdout, self.stderr, fmt=options["format"])

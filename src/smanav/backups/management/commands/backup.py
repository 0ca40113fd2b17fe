from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smanav.backups.copies import BackupProblem, backup_write


class Command(BaseCommand):
    help = (
        "Write a consistent copy of the whole database to FILE while smanav runs: SQLite's online backup, "
        "or pg_dump's custom format on PostgreSQL. FILE must not exist yet."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="where to write the backup (a new file)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            kind = backup_write(options["file"])
        except BackupProblem as problem:
            raise CommandError(str(problem)) from None
        self.stdout.write(f"wrote a {kind} backup of the database to {options['file']}")

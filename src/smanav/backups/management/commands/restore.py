from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smanav.backups.copies import BackupProblem, backup_restore


class Command(BaseCommand):
    help = (
        "Replace everything in the database with the backup in FILE (made by `smanav backup` from the "
        "same kind of database). Stop the app servers and workers first. Needs --yes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a backup made by `smanav backup`")
        parser.add_argument(
            "--yes", action="store_true", help="yes, replace the database's whole content with the backup"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            raise CommandError(
                "restore replaces every record in the database with the backup's; "
                "stop smanav, then run it again with --yes"
            )
        try:
            kind = backup_restore(options["file"])
        except BackupProblem as problem:
            raise CommandError(str(problem)) from None
        self.stdout.write(f"restored the database from the {kind} backup {options['file']}")

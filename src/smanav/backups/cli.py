"""`smanav backup FILE` and `smanav restore FILE --yes` (docs/deployment.md#backup-and-restore)."""

from __future__ import annotations

from smanav.cli import django_command

django_command("backup", help="backup FILE: a consistent copy of the database, taken while smanav runs")
django_command("restore", help="restore FILE --yes: replace the database with a backup (smanav stopped)")

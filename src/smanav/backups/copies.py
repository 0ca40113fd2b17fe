"""Backups of the whole database, consistent while smanav runs, and their restoration.

* SQLite: the online backup API copies every page in one step inside one read transaction. In WAL mode
  (ADR 0016) writers go on meanwhile, and the copy is the database as it was when the step began.
* PostgreSQL: `pg_dump` in its custom format, which reads everything in one repeatable-read snapshot
  while the app servers and workers go on; `pg_restore` puts it back in one transaction.

A backup is written under a temporary name beside the target and renamed only once it is complete and
checked, readable by its owner only (it holds health records). A restore checks the file before it
touches the database, and refuses a backup of the other kind of database: either the whole backup
replaces the database, or nothing changes.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.db import connection

SQLITE_MAGIC = b"SQLite format 3\x00"
POSTGRES_MAGIC = b"PGDMP"


class BackupProblem(Exception):
    """Why a backup or restore could not be done; nothing was changed."""


def backup_write(path: Path) -> str:
    """Write a backup of the database to the new file `path`; answer the kind of database."""
    if path.exists():
        raise BackupProblem(f"{path} already exists: a backup never overwrites a file, choose a new name")
    if not path.parent.is_dir():
        raise BackupProblem(f"{path.parent} is not a directory")
    kind = _kind()
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(handle)
    partial = Path(name)  # mkstemp made it readable by its owner only
    try:
        if kind == "SQLite":
            _sqlite_backup(partial)
        else:
            _postgres_dump(partial)
        partial.rename(path)
    finally:
        partial.unlink(missing_ok=True)
    return kind


def backup_restore(path: Path) -> str:
    """Replace the database's whole content with the backup in `path`; answer the kind of database."""
    if not path.is_file():
        raise BackupProblem(f"{path} is not a file")
    kind = _kind()
    with path.open("rb") as file:
        start = file.read(len(SQLITE_MAGIC))
    if start.startswith(SQLITE_MAGIC):
        found = "SQLite"
    elif start.startswith(POSTGRES_MAGIC):
        found = "PostgreSQL"
    else:
        raise BackupProblem(f"{path} is not a backup made by `smanav backup`")
    if found != kind:
        raise BackupProblem(f"{path} is a {found} backup, but this installation's database is {kind}")
    if kind == "SQLite":
        _sqlite_restore(path)
    else:
        _postgres_restore(path)
    return kind


def _kind() -> str:
    if connection.vendor == "sqlite":
        return "SQLite"
    if connection.vendor == "postgresql":
        return "PostgreSQL"
    raise BackupProblem(f"backups of a {connection.vendor} database are not supported")


def _live_sqlite() -> sqlite3.Connection:
    connection.ensure_connection()
    if connection.in_atomic_block:
        raise BackupProblem("a backup cannot be taken or restored inside a transaction")
    live = connection.connection
    assert isinstance(live, sqlite3.Connection)
    return live


def _sqlite_check(database: sqlite3.Connection, path: Path) -> None:
    try:
        (result,) = database.execute("PRAGMA integrity_check").fetchone()
        tables = {row[0] for row in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise BackupProblem(f"{path} is not a readable SQLite database: {error}") from None
    if result != "ok":
        raise BackupProblem(f"{path} is damaged: {result}")
    if "django_migrations" not in tables:
        raise BackupProblem(f"{path} is not a backup of smanav's database")


def _sqlite_backup(partial: Path) -> None:
    copy = sqlite3.connect(partial)
    try:
        _live_sqlite().backup(copy)  # every page in one step: one consistent snapshot
        _sqlite_check(copy, partial)
    finally:
        copy.close()


def _sqlite_restore(path: Path) -> None:
    backup = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        _sqlite_check(backup, path)
        # The backup API writes every page of the live database under its write lock, in one step.
        backup.backup(_live_sqlite())
    finally:
        backup.close()


def _postgres_environment() -> dict[str, str]:
    """libpq's variables for the configured database: the password never appears on a command line."""
    settings = connection.settings_dict
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if settings.get(key):
            env[variable] = str(settings[key])
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupProblem(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def _run(command: list[str]) -> None:
    finished = subprocess.run(command, env=_postgres_environment(), capture_output=True, text=True)
    if finished.returncode != 0:
        raise BackupProblem(f"{Path(command[0]).name} failed: {finished.stderr.strip()}")


def _postgres_dump(partial: Path) -> None:
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"])


def _postgres_restore(path: Path) -> None:
    listed = subprocess.run([_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True)
    if listed.returncode != 0:
        raise BackupProblem(f"{path} is not a readable PostgreSQL backup: {listed.stderr.strip()}")
    # This process's own connection would hold locks the restore waits for.
    connection.close()
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={_postgres_environment()['PGDATABASE']}",
            str(path),
        ]
    )

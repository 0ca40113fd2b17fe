"""`smanav backup` and `smanav restore` (issue 14, part 8) on the database the suite runs on: SQLite
locally, PostgreSQL in CI's second pass. A round trip gives back every row of every table; a restore
checks the file before it touches the database; a backup taken while writers write is consistent."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from tests.web.personas import make_personas

from smanav.patients.models import Patient
from smanav.patients.services import patient_create

REPO = Path(__file__).resolve().parents[2]
# The `smanav` command of this checkout.
SMANAV = "import sys; from smanav.cli import main; sys.exit(main(sys.argv[1:]))"


def _every_table() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order, as the database holds it."""
    connection.ensure_connection()
    tables = sorted(connection.introspection.table_names())
    quote = connection.ops.quote_name
    snapshot = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {quote(table)}")
            snapshot[table] = sorted(cursor.fetchall(), key=repr)
    return snapshot


@pytest.fixture
def fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_gives_back_every_row_of_every_table(tmp_path: Path, fast_hashing: None) -> None:
    people = make_personas()
    before = _every_table()
    assert sum(len(rows) for rows in before.values()) > 50
    backup = tmp_path / "smanav.backup"

    call_command("backup", str(backup), stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert oct(backup.stat().st_mode & 0o777) == "0o600"  # health records: the owner's only

    # Life goes on after the backup: a record is added, another removed, an account renamed.
    patient_create(
        author=people.parent,
        display_name="Later",
        document={"birth_date": "2021-01-01", "region": "US"},
        as_of=dt.date(2026, 11, 21),
    )
    Patient.objects.filter(pk=people.private_child.pk).delete()
    people.outsider.username = "renamed"
    people.outsider.save()
    assert _every_table() != before

    call_command("restore", str(backup), "--yes", stdout=open(os.devnull, "w"))  # noqa: SIM115
    connection.close()  # read what a new connection sees, as the restarted app servers will
    assert _every_table() == before


@pytest.mark.django_db(transaction=True)
def test_a_restore_refuses_what_is_not_a_good_backup_and_changes_nothing(tmp_path: Path) -> None:
    patient_count = Patient.objects.count()
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("shopping list")
    other_kind = tmp_path / "other.backup"
    if connection.vendor == "sqlite":
        other_kind.write_bytes(b"PGDMP" + b"\0" * 100)
    else:
        sqlite3.connect(other_kind).execute("CREATE TABLE django_migrations (id integer)").connection.commit()

    cases = [
        (["restore", str(not_a_backup)], "stop smanav, then run it again with --yes"),
        (["restore", str(not_a_backup), "--yes"], "is not a backup made by `smanav backup`"),
        (["restore", str(tmp_path / "missing"), "--yes"], "is not a file"),
        (["restore", str(other_kind), "--yes"], "backup, but this installation's database is"),
        (["backup", str(not_a_backup)], "already exists: a backup never overwrites a file"),
    ]
    for arguments, message in cases:
        with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
            call_command(*arguments)
    assert not_a_backup.read_text() == "shopping list"
    assert Patient.objects.count() == patient_count


@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="SQLite's online backup; pg_dump's snapshot is PostgreSQL's own guarantee",
)
def test_a_backup_taken_while_four_writers_write_is_consistent(tmp_path: Path) -> None:
    """Every record in the copy has its first version and its guardian, written in the same transaction:
    a copy made page by page while writers commit would hold some without the others."""
    from tests.web.test_sqlite_concurrency import _env, _finish, _start

    database = tmp_path / "live.sqlite3"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=REPO,
        env=_env(database),
        check=True,
        timeout=300,
    )
    writers = [_start(database, "writer", index, 8) for index in range(4)]
    copies = []
    for number in range(3):
        copy = tmp_path / f"copy-{number}.sqlite3"
        subprocess.run(
            [sys.executable, "-c", SMANAV, "backup", str(copy)],
            cwd=REPO,
            env=_env(database),
            check=True,
            timeout=120,
        )
        copies.append(copy)
    reports = [_finish(writer)[-1] for writer in writers]
    assert [report["errors"] for report in reports] == [[]] * 4
    for copy in copies:
        with sqlite3.connect(copy) as backup:
            assert backup.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            orphans = backup.execute(
                "SELECT count(*) FROM patients_patient p WHERE NOT EXISTS "
                "(SELECT 1 FROM patients_guardian g WHERE g.patient_id = p.id) OR NOT EXISTS "
                "(SELECT 1 FROM patients_patientrecordversion v WHERE v.patient_id = p.id)"
            ).fetchone()
            assert orphans == (0,)

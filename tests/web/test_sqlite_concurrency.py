"""SQLite under concurrent writers (issue 14, part 5; ADR 0016).

Before the fix two writers already met "database is locked" (a 500 on a page), four writers lost about
one write in six, and a lock held for more than five seconds made every page that writes an audit row
answer 500. These tests run real processes on one SQLite file, each going through the real services,
views and importer (tests/web/sqlite_stress.py), and count every error.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="SQLite's locking is what is tested here; the PostgreSQL run has its own concurrency tests",
)


def _env(database: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SMANAV_")}
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_SETTINGS_MODULE="tests.settings",
        # This checkout's code, whatever package the environment has installed in editable mode.
        PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]),
        SMANAV_SECRET_KEY=settings.SECRET_KEY,
        **extra,
    )
    return env


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=REPO,
        env=_env(path),
        check=True,
        timeout=300,
    )
    return path


@pytest.fixture
def database(migrated: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "smanav.sqlite3"
    shutil.copy(migrated, copy)
    return copy


def _start(database: Path, role: str, index: int, count: int, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.web.sqlite_stress", role, str(index), str(count)],
        cwd=REPO,
        env=_env(database, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: subprocess.Popen[str]) -> list[dict[str, Any]]:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert lines, f"no report from the process; stderr:\n{err}"
    return lines


def test_four_writers_an_import_and_the_web_app_at_once_make_no_error(database: Path) -> None:
    writers, each = 4, 4
    processes = [_start(database, "writer", index, each) for index in range(writers)]
    processes.append(_start(database, "web", 0, each))
    processes.append(_start(database, "import", 0, each))
    reports = [_finish(process)[-1] for process in processes]

    errors = [(report["role"], error) for report in reports for error in report["errors"]]
    assert errors == []
    assert [report["done"] for report in reports] == [each] * (writers + 2)
    with sqlite3.connect(database) as connection:
        (patients,) = connection.execute("SELECT count(*) FROM patients_patient").fetchone()
        (sites,) = connection.execute("SELECT count(*) FROM directory_site").fetchone()
        (mode,) = connection.execute("PRAGMA journal_mode").fetchone()
    assert patients == writers * each + 1  # and the web family's record
    assert sites > 0
    assert mode == "wal"


def _hold_the_write_lock(database: Path) -> sqlite3.Connection:
    """Another process's long write transaction, as a stuck job or a slow import would hold it."""
    connection = sqlite3.connect(database, isolation_level=None, timeout=30)
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("UPDATE patients_patient SET display_name = display_name")
    return connection


def _setup_family(database: Path) -> dict[str, Any]:
    return _finish(_start(database, "setup", 0, 0))[0]


def test_a_lock_held_over_five_seconds_delays_the_pages_that_write_but_breaks_none(
    database: Path, tmp_path: Path
) -> None:
    family = _setup_family(database)
    record = f"/records/{family['patient_id']}/"
    go = tmp_path / "go"
    probe = _start(
        database,
        "probe",
        0,
        0,
        PROBE_SESSION=family["session"],
        PROBE_PATHS=f"/ /sources/ {record}",
        PROBE_GO=str(go),
    )
    time.sleep(5)  # the probe sets Django up meanwhile, then waits for `go`
    lock = _hold_the_write_lock(database)
    try:
        go.touch()
        time.sleep(8)
    finally:
        lock.execute("COMMIT")
        lock.close()
        released = time.time()
    report = _finish(probe)
    answers = {answer["path"]: answer for answer in report[0]["answers"]}
    assert report[-1]["errors"] == []
    # Pages that only read answer while the lock is held (WAL: readers never wait for the writer).
    assert answers["/"]["status"] == 200
    assert answers["/sources/"]["status"] == 200
    # The record page writes its audit row once the lock is released, and answers the record.
    assert answers[record]["status"] == 200
    assert answers[record]["started"] < released - 1 < released <= answers[record]["ended"] + 0.1


def test_a_lock_held_longer_than_the_busy_timeout_answers_503_with_retry_after_never_500(
    database: Path,
) -> None:
    family = _setup_family(database)
    patient_id = family["patient_id"]
    paths = f"/ /records/{patient_id}/ /api/v1/patients/{patient_id}"
    lock = _hold_the_write_lock(database)
    try:
        probe = _start(
            database,
            "probe",
            0,
            0,
            PROBE_SESSION=family["session"],
            PROBE_PATHS=paths,
            SMANAV_SQLITE_BUSY_TIMEOUT="1",
        )
        report = _finish(probe)
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    answers = {answer["path"]: answer for answer in report[0]["answers"]}
    assert report[-1]["errors"] == []
    assert answers["/"]["status"] == 200
    page = answers[f"/records/{patient_id}/"]
    assert (page["status"], page["retry_after"]) == (503, "5")
    assert "Nothing was changed" in page["body"]
    # No record without its audit row: the page did not show the child's record.
    assert "Child" not in page["body"]
    api = answers[f"/api/v1/patients/{patient_id}"]
    assert (api["status"], api["retry_after"]) == (503, "5")
    assert json.loads(api["body"])["errors"][0]["message"].startswith("the database is busy")
    with sqlite3.connect(database) as connection:
        (reads,) = connection.execute(
            "SELECT count(*) FROM audit_auditevent WHERE patient_id = ?", (patient_id,)
        ).fetchone()
    assert reads == 1  # the record's creation only: no read was shown, none is recorded

"""Leases on background jobs: a job whose worker died is queued again and run by another worker; a live
worker's job is left alone; after its attempts a job is marked failed with the reason. The services with
the clock given, a real worker process killed outright (SIGKILL) in the middle of a job, and a worker
whose database goes away and comes back."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from tests.web.background import run_worker_fixture  # noqa: F401

from smanav.jobs.models import WorkerHeartbeat
from smanav.jobs.services import LOST_EXCEPTION, lost_jobs_recover, worker_beat
from smanav.patients.tasks import refresh_all_summaries

REPO = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
LONG_AGO = NOW - dt.timedelta(minutes=5)


def _claimed(*, by: list[str], started_at: dt.datetime) -> DBTaskResult:
    """A refresh job claimed by the workers `by` (the last one running it), started at `started_at`."""
    result = refresh_all_summaries.enqueue(as_of="2026-12-07")
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=by, started_at=started_at
    )
    return DBTaskResult.objects.get(pk=result.id)


def _status(job: DBTaskResult) -> str:
    return str(DBTaskResult.objects.get(pk=job.pk).status)


@pytest.mark.django_db
def test_a_job_of_a_worker_not_heard_from_within_the_lease_is_queued_again() -> None:
    worker_beat(worker_id="dead", started_at=LONG_AGO, now=LONG_AGO)
    job = _claimed(by=["dead"], started_at=LONG_AGO)

    recovered = lost_jobs_recover(now=NOW)

    assert (recovered.requeued, recovered.failed) == (1, 0)
    assert _status(job) == TaskResultStatus.READY
    assert DBTaskResult.objects.ready().filter(pk=job.pk).exists()


@pytest.mark.django_db
def test_a_job_of_a_worker_that_never_beat_is_queued_again_once_its_lease_is_over() -> None:
    job = _claimed(by=["an older worker without heartbeats"], started_at=LONG_AGO)
    assert lost_jobs_recover(now=NOW).requeued == 1
    assert _status(job) == TaskResultStatus.READY


@pytest.mark.django_db
def test_a_live_workers_job_and_a_job_claimed_within_the_lease_are_left_running() -> None:
    worker_beat(worker_id="alive", started_at=LONG_AGO, now=NOW - dt.timedelta(seconds=5))
    long_running = _claimed(by=["alive"], started_at=LONG_AGO)
    just_claimed = _claimed(by=["new, not beaten yet"], started_at=NOW - dt.timedelta(seconds=5))

    assert lost_jobs_recover(now=NOW).requeued == 0
    assert _status(long_running) == TaskResultStatus.RUNNING
    assert _status(just_claimed) == TaskResultStatus.RUNNING


@pytest.mark.django_db
@override_settings(SMANAV_JOB_MAX_ATTEMPTS=3)
def test_a_job_whose_workers_died_three_times_is_failed_with_the_reason() -> None:
    job = _claimed(by=["first", "second", "third"], started_at=LONG_AGO)

    assert lost_jobs_recover(now=NOW).failed == 1
    failed = DBTaskResult.objects.get(pk=job.pk)
    assert failed.status == TaskResultStatus.FAILED
    assert failed.exception_class_path == LOST_EXCEPTION
    assert "3 times" in failed.traceback
    # Not queued again by a later sweep.
    assert lost_jobs_recover(now=NOW + dt.timedelta(hours=1)).requeued == 0


@pytest.mark.django_db
def test_heartbeats_of_workers_gone_a_day_are_forgotten() -> None:
    worker_beat(worker_id="gone", started_at=LONG_AGO, now=NOW - dt.timedelta(days=2))
    worker_beat(worker_id="recent", started_at=LONG_AGO, now=NOW - dt.timedelta(hours=2))
    lost_jobs_recover(now=NOW)
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["recent"]


@pytest.mark.django_db(transaction=True)
def test_a_worker_queues_again_a_dead_workers_job_before_its_first_and_runs_it(
    run_worker: Callable[[], None],
) -> None:
    job = _claimed(by=["dead"], started_at=timezone.now() - dt.timedelta(minutes=5))

    run_worker()

    done = DBTaskResult.objects.get(pk=job.pk)
    assert done.status == TaskResultStatus.SUCCESSFUL
    assert len(done.worker_ids) == 2
    # A worker that exits in good order leaves no heartbeat behind.
    assert not WorkerHeartbeat.objects.exists()


@pytest.mark.django_db
def test_jobs_status_lists_workers_and_running_jobs_and_recovers_on_request() -> None:
    worker_beat(worker_id="dead", started_at=LONG_AGO, now=timezone.now() - dt.timedelta(minutes=5))
    _claimed(by=["dead"], started_at=timezone.now() - dt.timedelta(minutes=5))
    out = StringIO()

    call_command("jobs_status", stdout=out)
    assert "worker dead" in out.getvalue() and "taken for dead" in out.getvalue()
    assert "running since" in out.getvalue()

    out = StringIO()
    call_command("jobs_status", "--recover", stdout=out)
    assert "1 queued again, 0 failed" in out.getvalue()
    assert "running since" not in out.getvalue()


SCRIPT = """
import sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tests.web.slow_jobs import slow_once
print(slow_once.enqueue(folder=sys.argv[1], seconds=120).id)
"""


def _environment(database: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]),
        "SMANAV_WORKER_HEARTBEAT_SECONDS": "0.2",
        "SMANAV_WORKER_LEASE_SECONDS": "1",
    }


def _worker(env: dict[str, str], *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.2",
            *extra,
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _job(env: dict[str, str], job_id: str) -> list[str]:
    """The job's status and how many workers took it, read by a process of its own."""
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, sys; django.setup(); from django_tasks_db.models import DBTaskResult; "
            "job = DBTaskResult.objects.get(pk=sys.argv[1]); print(job.status, len(job.worker_ids))",
            job_id,
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        check=True,
    )
    return check.stdout.decode().split()


def test_a_worker_killed_in_the_middle_of_a_job_leaves_it_to_the_next_worker(tmp_path: Path) -> None:
    database, folder = tmp_path / "jobs.sqlite3", tmp_path / "job"
    folder.mkdir()
    env = _environment(database)
    prepared = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(folder)], cwd=REPO, env=env, capture_output=True, check=True
    )
    job_id = prepared.stdout.decode().strip().splitlines()[-1]

    first = _worker(env)
    deadline = time.monotonic() + 120
    while not (folder / "started").exists():
        assert first.poll() is None, "the first worker ended before it took the job"
        assert time.monotonic() < deadline, "the first worker did not start the job"
        time.sleep(0.05)
    # While the first worker lives, its heartbeat keeps the job: a worker started past the lease
    # finds nothing to do.
    time.sleep(1.5)
    assert _worker(env, "--batch").wait(timeout=120) == 0
    assert _job(env, job_id) == ["RUNNING", "1"]

    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert not (folder / "done").exists()

    # Past the lease (1 s), a second worker takes the job over and finishes it.
    time.sleep(1.5)
    assert _worker(env, "--batch").wait(timeout=120) == 0

    assert (folder / "done").read_text(encoding="utf-8") == "finished"
    assert _job(env, job_id) == ["SUCCESSFUL", "2"]


class _Cable:
    """A TCP link between a worker and PostgreSQL that the test can cut and mend: while cut, every
    open connection is closed and new ones are refused, as when the database restarts or the network
    between two machines fails."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self.mend()

    def mend(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port))
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        assert self._listener is not None
        self._listener.close()
        with self._lock:
            for end in self._open:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()
            self._open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                near, _ = listener.accept()
            except OSError:
                return
            far = socket.create_connection(self.target)
            with self._lock:
                self._open += [near, far]
            for source, sink in ((near, far), (far, near)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


def _wait_for(what: str, ready: Callable[[], bool], worker: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while not ready():
        assert worker.poll() is None, f"the worker ended while waiting for: {what}"
        assert time.monotonic() < deadline, f"not seen within 60 s: {what}"
        time.sleep(0.1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_outlives_a_database_that_goes_away_and_comes_back(tmp_path: Path) -> None:
    from django.db import connection
    from tests.web.slow_jobs import slow_once

    database = connection.settings_dict
    cable = _Cable((database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432)))
    url = f"postgresql://{database['USER']}@127.0.0.1:{cable.port}/{database['NAME']}"
    log = tmp_path / "worker.log"
    env = {**_environment(tmp_path / "unused.sqlite3"), "DATABASE_URL": url}
    with log.open("wb") as output:
        worker = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.2",
            ],
            cwd=REPO,
            env=env,
            stdout=output,
            stderr=output,
        )
    try:
        _wait_for("the worker's first heartbeat", WorkerHeartbeat.objects.exists, worker)

        cable.cut()
        _wait_for(
            "the worker saying the database cannot be reached",
            lambda: "the database cannot be reached" in log.read_text(encoding="utf-8"),
            worker,
        )
        time.sleep(1)
        cable.mend()

        job = slow_once.enqueue(folder=str(tmp_path), seconds=0)
        _wait_for(
            "the job run by the same worker process after the outage",
            lambda: DBTaskResult.objects.get(pk=job.id).status == TaskResultStatus.SUCCESSFUL,
            worker,
        )
        assert (tmp_path / "done").read_text(encoding="utf-8") == "finished"
    finally:
        worker.send_signal(signal.SIGTERM)
        ended = worker.wait(timeout=30)
        cable.cut()
    assert ended == 0, log.read_text(encoding="utf-8")

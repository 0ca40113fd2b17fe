"""The nightly refresh as a batch of jobs that several workers share: planned once, one job per range of
records, finished (the emails) once no range waits or runs, its progress in `manage.py jobs_status`; and
two real worker processes on the test database, one of them killed (SIGKILL) half-way through a range,
which the other takes over and writes without duplicates."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from tests.web.background import run_worker_fixture  # noqa: F401
from tests.web.personas import AS_OF, Personas, people_fixture  # noqa: F401

from smanav.jobs.batches import batch_progress, batches_since
from smanav.patients.models import Assessment, Patient, PatientSummary, RecordNews
from smanav.patients.selectors import patient_id_ranges
from smanav.patients.services import patient_create
from smanav.patients.services.summaries import range_summaries_refresh
from smanav.patients.tasks import (
    all_summaries_refresh_queue,
    finish_summary_refresh,
    refresh_all_summaries,
    refresh_summary_range,
)
from smanav.registry.models import CohortFact, TrajectoryPoint
from smanav.registry.services import consent_give

REPO = Path(__file__).resolve().parents[2]
A_YEAR_LATER = AS_OF + dt.timedelta(days=365)


def _more_records(people: Personas, count: int) -> list[Patient]:
    return [
        patient_create(
            author=people.parent,
            display_name=f"Record {number:02d}",
            document={"birth_date": "2019-02-02"},
            as_of=AS_OF,
        )
        for number in range(count)
    ]


def _join_registry(people: Personas, patients: list[Patient]) -> None:
    for patient in patients:
        consent_give(
            author=people.parent,
            patient_id=patient.pk,
            purpose="registry",
            text_version=1,
            on=timezone.localdate(),
        )


def _facts() -> dict[int, tuple[object, ...]]:
    return {
        row[0]: row[1:] for row in CohortFact.objects.values_list("patient_id", "worked_out_on", "therapy")
    }


def _evaluated_on() -> set[dt.date]:
    return set(PatientSummary.objects.values_list("evaluated_on", flat=True))


@pytest.mark.django_db
def test_ranges_hold_every_record_once_in_id_order(people: Personas) -> None:
    _more_records(people, 4)
    ids = list(Patient.objects.order_by("pk").values_list("pk", flat=True))

    ranges = patient_id_ranges(size=3)

    assert ranges == [(ids[0], ids[2]), (ids[3], ids[5]), (ids[6], ids[6])]
    assert patient_id_ranges(size=100) == [(ids[0], ids[-1])]


@pytest.mark.django_db
def test_a_range_refreshes_its_records_only_and_again_gives_the_same(people: Personas) -> None:
    ids = list(Patient.objects.order_by("pk").values_list("pk", flat=True))

    assert range_summaries_refresh(first_id=ids[0], last_id=ids[1], as_of=A_YEAR_LATER) == 2
    first = dict(PatientSummary.objects.values_list("patient_id", "overdue_count"))
    assert range_summaries_refresh(first_id=ids[0], last_id=ids[1], as_of=A_YEAR_LATER) == 2

    on = dict(PatientSummary.objects.values_list("patient_id", "evaluated_on"))
    assert [on[pk] for pk in ids] == [A_YEAR_LATER, A_YEAR_LATER, AS_OF]
    assert dict(PatientSummary.objects.values_list("patient_id", "overdue_count")) == first
    assert PatientSummary.objects.count() == len(ids)


@pytest.mark.django_db
def test_a_range_writes_the_dashboard_facts_of_its_participants_once(people: Personas) -> None:
    records = _more_records(people, 3)
    _join_registry(people, records[1:])  # the first of them never joined the registry
    ids = list(Patient.objects.order_by("pk").values_list("pk", flat=True))
    Assessment.objects.bulk_create(
        Assessment(patient=records[2], instrument="HFMSE", date=AS_OF - dt.timedelta(days=days), value=v)
        for days, v in ((800, 30), (400, 33), (100, 35))
    )

    range_summaries_refresh(first_id=ids[0], last_id=records[1].pk, as_of=A_YEAR_LATER)
    assert _facts() == {records[1].pk: (A_YEAR_LATER, "none")}
    range_summaries_refresh(first_id=records[2].pk, last_id=ids[-1], as_of=A_YEAR_LATER)
    first = _facts()
    points = sorted(TrajectoryPoint.objects.values_list("patient_id", "instrument", "year", "change"))
    # Run again (a range taken over after its worker died): the same rows, each once.
    range_summaries_refresh(first_id=ids[0], last_id=ids[-1], as_of=A_YEAR_LATER)

    assert _facts() == first and set(first) == {records[1].pk, records[2].pk}
    assert sorted(TrajectoryPoint.objects.values_list("patient_id", "instrument", "year", "change")) == points
    assert points == [(records[2].pk, "HFMSE", 0, 0.0), (records[2].pk, "HFMSE", 1, 5.0)]


@pytest.mark.django_db
def test_a_batch_is_queued_once_however_often_its_planning_runs(people: Personas) -> None:
    _more_records(people, 2)

    planned = all_summaries_refresh_queue(as_of=A_YEAR_LATER, batch="night", range_size=2, recheck_seconds=1)
    again = all_summaries_refresh_queue(as_of=A_YEAR_LATER, batch="night", range_size=2, recheck_seconds=1)

    assert planned == again == Patient.objects.count() == 5
    ranges = batch_progress(batch="night", task_path=refresh_summary_range.module_path)
    assert (ranges.waiting, ranges.total) == (3, 3)
    assert batch_progress(batch="night", task_path=finish_summary_refresh.module_path).total == 1


@pytest.mark.django_db
def test_the_finishing_job_waits_for_unfinished_ranges_and_looks_again_once(people: Personas) -> None:
    all_summaries_refresh_queue(as_of=A_YEAR_LATER, batch="night", range_size=2, recheck_seconds=60)
    # As a worker would have claimed it.
    DBTaskResult.objects.filter(task_path=finish_summary_refresh.module_path).update(
        status=TaskResultStatus.RUNNING
    )

    assert finish_summary_refresh.call(as_of=A_YEAR_LATER.isoformat(), batch="night", recheck_seconds=60) == 0
    finish_summary_refresh.call(as_of=A_YEAR_LATER.isoformat(), batch="night", recheck_seconds=60)

    looks = DBTaskResult.objects.filter(task_path=finish_summary_refresh.module_path)
    # The one queued by the planning, and one later look (not two).
    assert looks.count() == 2
    later = looks.order_by("-run_after").first()
    assert later is not None and later.run_after > later.enqueued_at + dt.timedelta(seconds=50)


@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_the_whole_batch_and_jobs_status_shows_it_done(
    people: Personas, run_worker: Callable[[], None]
) -> None:
    _more_records(people, 2)
    planning = refresh_all_summaries.enqueue(as_of=A_YEAR_LATER.isoformat(), range_size=2)

    run_worker()

    job = DBTaskResult.objects.get(pk=planning.id)
    assert job.status == TaskResultStatus.SUCCESSFUL, job.traceback
    assert job.return_value == 5
    assert _evaluated_on() == {A_YEAR_LATER}
    assert PatientSummary.objects.count() == 5
    batch = str(planning.id)
    ranges = batch_progress(batch=batch, task_path=refresh_summary_range.module_path)
    assert (ranges.done, ranges.total) == (3, 3)
    finishing = DBTaskResult.objects.get(task_path=finish_summary_refresh.module_path)
    assert finishing.status == TaskResultStatus.SUCCESSFUL, finishing.traceback
    out = StringIO()
    call_command("jobs_status", stdout=out)
    assert f"batch {batch}, {refresh_summary_range.module_path}: 3 of 3 done" in out.getvalue()


# Two workers on the test database itself (committed rows: `transaction=True`), SQLite file or PostgreSQL.


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return (
        f"postgresql://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


def _environment() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url(),
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]),
        "SMANAV_WORKER_HEARTBEAT_SECONDS": "0.2",
        "SMANAV_WORKER_LEASE_SECONDS": "1",
    }


WORKER_OPTIONS = ["--no-reload", "--no-startup-delay", "--interval", "0.2"]


def _start(*command: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, *command],
        cwd=REPO,
        env=_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for(condition: Callable[[], bool], what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)
def test_two_workers_share_the_batch_and_a_range_killed_half_way_is_written_once(
    people: Personas, tmp_path: Path
) -> None:
    _join_registry(people, _more_records(people, 27))
    ids = list(Patient.objects.order_by("pk").values_list("pk", flat=True))
    assert len(ids) == 30
    planning = refresh_all_summaries.enqueue(
        as_of=A_YEAR_LATER.isoformat(), range_size=10, recheck_seconds=0.3
    )
    batch = str(planning.id)
    marker = tmp_path / "half-way"

    # The first worker plans the batch, takes the first range, commits 5 of its 10 records and stalls.
    slow = _start("tests/web/slow_refresh_worker.py", str(marker), *WORKER_OPTIONS)
    second: subprocess.Popen[bytes] | None = None
    try:
        _wait_for(
            lambda: marker.exists() or slow.poll() is not None, "the first worker did not start a range"
        )
        assert slow.poll() is None, "the first worker ended before it was half-way through a range"
        written = [int(pk) for pk in marker.read_text(encoding="utf-8").split()]
        assert written == ids[:5]
        first_range = DBTaskResult.objects.get(
            task_path=refresh_summary_range.module_path, status=TaskResultStatus.RUNNING
        )
        assert first_range.args_kwargs["kwargs"]["first_id"] == ids[0]
        assert set(
            PatientSummary.objects.filter(patient_id__in=ids[:10], evaluated_on=A_YEAR_LATER).values_list(
                "patient_id", flat=True
            )
        ) == set(ids[:5])

        # A second worker takes the other ranges meanwhile.
        second = _start("manage.py", "db_worker", *WORKER_OPTIONS)
        _wait_for(
            lambda: batch_progress(batch=batch, task_path=refresh_summary_range.module_path).done == 2,
            "the second worker did not take the other ranges",
        )

        slow.send_signal(signal.SIGKILL)
        slow.wait(timeout=30)

        # Past the lease (1 s), the second worker takes the killed range over; then the batch finishes.
        def finished() -> bool:
            ranges = batch_progress(batch=batch, task_path=refresh_summary_range.module_path)
            looks = batch_progress(batch=batch, task_path=finish_summary_refresh.module_path)
            return ranges.done == 3 and looks.done >= 1 and not looks.unfinished

        _wait_for(finished, "the batch did not finish after its first worker was killed")
    finally:
        for process in (slow, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=60)

    first_range.refresh_from_db()
    assert first_range.status == TaskResultStatus.SUCCESSFUL
    assert len(first_range.worker_ids) == 2
    assert first_range.worker_ids[0] != first_range.worker_ids[1]
    # Every record written once, for the day, and no news told twice.
    assert PatientSummary.objects.count() == 30
    assert _evaluated_on() == {A_YEAR_LATER}
    told = RecordNews.objects.values("patient_id", "kind", "subject").annotate(times=Count("id"))
    assert [row for row in told if row["times"] > 1] == []
    # The dashboard's facts of the 27 participants, the killed range's too, once each, for the day.
    assert set(CohortFact.objects.values_list("worked_out_on", flat=True)) == {A_YEAR_LATER}
    assert set(CohortFact.objects.values_list("patient_id", flat=True)) == set(ids[3:])
    assert any(
        progress.batch == batch and (progress.done, progress.total) == (3, 3)
        for progress in batches_since(timezone.now() - dt.timedelta(hours=1))
    )

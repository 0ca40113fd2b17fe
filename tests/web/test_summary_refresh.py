"""Refreshing the worklist summaries: the services, the background jobs run by a real `db_worker`, and
`manage.py patients_refresh`.

The personas' summaries are worked out on AS_OF. A year later their measurements are overdue by the
knowledge base's own intervals (the tests compare with the core's answer, they do not restate it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from tests.web.background import run_worker_fixture, today_fixture  # noqa: F401
from tests.web.personas import AS_OF, Personas, people_fixture  # noqa: F401

from smanav.patients.models import Patient, PatientSummary, SummaryRefreshRequest
from smanav.patients.seam import evaluate_record, record_for_patient
from smanav.patients.services import clinic_share_withdraw, patient_create, summary_values
from smanav.patients.services.summaries import (
    all_summaries_refresh,
    clinic_summaries_refresh,
    patient_summaries_refresh,
)
from smanav.patients.tasks import (
    clinic_summaries_refresh_request,
    refresh_all_summaries,
    refresh_clinic_summaries,
)

A_YEAR_LATER = AS_OF + dt.timedelta(days=365)


def _summary(patient: Patient) -> PatientSummary:
    return PatientSummary.objects.get(patient=patient)


def _expected(patient: Patient, as_of: dt.date) -> dict[str, Any]:
    """What the core answers for the record on `as_of`, as the worklist stores it."""
    return summary_values(evaluate_record(record_for_patient(patient), as_of=as_of), as_of=as_of)


@pytest.mark.django_db
def test_clinic_refresh_works_out_its_records_for_the_day(people: Personas) -> None:
    ada = people.shared_child
    assert _summary(ada).overdue_count == 0

    written = clinic_summaries_refresh(clinic_id=people.clinic.pk, as_of=A_YEAR_LATER)

    assert written == 1
    summary = _summary(ada)
    expected = _expected(ada, A_YEAR_LATER)
    assert summary.evaluated_on == A_YEAR_LATER
    assert summary.overdue_count == expected["overdue_count"] > 0
    assert summary.alert_codes == expected["alert_codes"]


@pytest.mark.django_db
def test_clinic_refresh_touches_only_the_records_shared_with_it_now(people: Personas) -> None:
    # Ben is shared with nobody, Cleo with the other clinic; a fourth record was shared, then withdrawn.
    withdrawn = patient_create(
        author=people.parent, display_name="Dan", document={"birth_date": "2019-02-02"}, as_of=AS_OF
    )
    share = withdrawn.shares.create(clinic=people.clinic, invited_by=people.parent)
    clinic_share_withdraw(author=people.parent, patient_id=withdrawn.pk, share_id=share.pk)

    clinic_summaries_refresh(clinic_id=people.clinic.pk, as_of=A_YEAR_LATER)

    for patient in (people.private_child, people.adult_record, withdrawn):
        assert _summary(patient).evaluated_on == AS_OF, patient.display_name
    assert _summary(people.shared_child).evaluated_on == A_YEAR_LATER


@pytest.mark.django_db
def test_refreshing_twice_changes_nothing_the_second_time(people: Personas) -> None:
    clinic_summaries_refresh(clinic_id=people.clinic.pk, as_of=A_YEAR_LATER)
    first = PatientSummary.objects.filter(patient=people.shared_child).values().get()

    assert clinic_summaries_refresh(clinic_id=people.clinic.pk, as_of=A_YEAR_LATER) == 0
    assert PatientSummary.objects.filter(patient=people.shared_child).values().get() == first


@pytest.mark.django_db
def test_a_late_job_never_sets_a_summary_back(people: Personas) -> None:
    """A job queued for one day that runs after the summary was worked out for a later day (a record
    changed, or a newer job ran first) leaves the newer summary alone."""
    all_summaries_refresh(as_of=A_YEAR_LATER)

    assert all_summaries_refresh(as_of=AS_OF) == 0
    assert clinic_summaries_refresh(clinic_id=people.clinic.pk, as_of=AS_OF) == 0
    # Also when the records were listed before the newer summary was written (checked again under lock).
    every_id = list(Patient.objects.values_list("pk", flat=True))
    assert patient_summaries_refresh(patient_ids=every_id, as_of=AS_OF) == 0
    assert set(PatientSummary.objects.values_list("evaluated_on", flat=True)) == {A_YEAR_LATER}


@pytest.mark.django_db
def test_records_are_refreshed_a_chunk_at_a_time(people: Personas) -> None:
    ids = list(Patient.objects.order_by("pk").values_list("pk", flat=True))
    assert len(ids) == 3
    with CaptureQueriesContext(connection) as captured:
        written = patient_summaries_refresh(patient_ids=ids, as_of=A_YEAR_LATER, chunk_size=2)
    assert written == 3
    replaced = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("DELETE")]
    assert [sql.count(",") + 1 for sql in replaced] == [2, 1]  # patient_id IN (a, b), then IN (c)
    assert set(PatientSummary.objects.values_list("evaluated_on", flat=True)) == {A_YEAR_LATER}


@pytest.mark.django_db
def test_nightly_refresh_covers_every_record_and_forgets_old_requests(people: Personas) -> None:
    clinic_summaries_refresh_request(clinic=people.clinic, as_of=AS_OF - dt.timedelta(days=40))
    clinic_summaries_refresh_request(clinic=people.clinic, as_of=AS_OF - dt.timedelta(days=3))

    assert all_summaries_refresh(as_of=AS_OF + dt.timedelta(days=1)) == 3

    assert set(PatientSummary.objects.values_list("evaluated_on", flat=True)) == {
        AS_OF + dt.timedelta(days=1)
    }
    assert list(SummaryRefreshRequest.objects.values_list("as_of", flat=True)) == [
        AS_OF - dt.timedelta(days=3)
    ]


@pytest.mark.django_db
def test_one_refresh_request_per_clinic_and_day(people: Personas) -> None:
    first = clinic_summaries_refresh_request(clinic=people.clinic, as_of=AS_OF)
    again = clinic_summaries_refresh_request(clinic=people.clinic, as_of=AS_OF)
    other_clinic = clinic_summaries_refresh_request(clinic=people.other_clinic, as_of=AS_OF)
    next_day = clinic_summaries_refresh_request(clinic=people.clinic, as_of=AS_OF + dt.timedelta(days=1))

    assert again.pk == first.pk
    assert len({first.pk, other_clinic.pk, next_day.pk}) == 3
    jobs = DBTaskResult.objects.filter(task_path=refresh_clinic_summaries.module_path)
    assert sorted(job.args_kwargs["kwargs"]["as_of"] for job in jobs) == [
        "2026-11-21",
        "2026-11-21",
        "2026-11-22",
    ]
    assert str(first.job_id) in {str(job.id) for job in jobs}
    # The database itself refuses a second request for the same clinic and day (concurrent servers).
    with pytest.raises(IntegrityError), transaction.atomic():
        SummaryRefreshRequest.objects.create(clinic=people.clinic, as_of=AS_OF)


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_queued_clinic_refresh(
    people: Personas, run_worker: Callable[[], None]
) -> None:
    request = clinic_summaries_refresh_request(clinic=people.clinic, as_of=A_YEAR_LATER)
    assert _summary(people.shared_child).evaluated_on == AS_OF  # queued, not run

    run_worker()

    job = DBTaskResult.objects.get(pk=request.job_id)
    assert job.status == TaskResultStatus.SUCCESSFUL, job.traceback
    assert job.return_value == 1
    assert _summary(people.shared_child).evaluated_on == A_YEAR_LATER
    assert _summary(people.adult_record).evaluated_on == AS_OF


@pytest.mark.django_db(transaction=True)
def test_patients_refresh_runs_now_or_queues_for_the_worker(
    people: Personas, today: Callable[[dt.date], None], run_worker: Callable[[], None]
) -> None:
    today(AS_OF + dt.timedelta(days=1))
    output = StringIO()
    call_command("patients_refresh", stdout=output)
    assert "Refreshed 3 patient summaries for 2026-11-22." in output.getvalue()
    assert DBTaskResult.objects.count() == 0

    today(A_YEAR_LATER)
    output = StringIO()
    call_command("patients_refresh", "--enqueue", stdout=output)
    job = DBTaskResult.objects.get()
    assert job.task_path == refresh_all_summaries.module_path
    assert job.args_kwargs["kwargs"] == {"as_of": A_YEAR_LATER.isoformat()}
    assert str(job.pk) in output.getvalue()
    assert _summary(people.adult_record).evaluated_on == AS_OF + dt.timedelta(days=1)

    run_worker()

    job.refresh_from_db()
    assert job.status == TaskResultStatus.SUCCESSFUL, job.traceback
    assert job.return_value == 3
    assert set(PatientSummary.objects.values_list("evaluated_on", flat=True)) == {A_YEAR_LATER}

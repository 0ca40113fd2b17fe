"""The worklist never silently goes stale: it says when its summaries were worked out, says plainly when
some predate today, and then queues one refresh of the clinic per day, however often it is loaded.

The personas' summaries are worked out on AS_OF; the tests move the server's date, not the records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.formats import date_format
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from tests.web.background import run_worker_fixture, today_fixture  # noqa: F401
from tests.web.personas import AS_OF, Personas, log_in, people_fixture  # noqa: F401

from smanav.patients.models import PatientSummary, SummaryRefreshRequest
from smanav.patients.services import clinic_share_withdraw
from smanav.patients.services.worklist_counts import clinic_counts_recount
from smanav.patients.tasks import refresh_clinic_summaries

STALE_NOTICE = "Overdue checks and alerts were last worked out on"
BEING_UPDATED = "They are being updated"


def _worklist(client: Client) -> str:
    response = client.get(reverse("patients:worklist"))
    assert response.status_code == 200
    return response.content.decode()


def _jobs_by_clinic() -> dict[int, list[str]]:
    """The queued clinic refreshes: clinic id to the days they were queued for."""
    jobs: dict[int, list[str]] = {}
    for job in DBTaskResult.objects.filter(task_path=refresh_clinic_summaries.module_path):
        kwargs = job.args_kwargs["kwargs"]
        jobs.setdefault(kwargs["clinic_id"], []).append(kwargs["as_of"])
    return jobs


@pytest.mark.django_db
def test_a_current_worklist_gives_the_date_and_queues_nothing(
    people: Personas, today: Callable[[dt.date], None]
) -> None:
    today(AS_OF)
    page = _worklist(log_in(Client(), people.clinician))

    assert f"Alerts and overdue checks worked out on {date_format(AS_OF, 'DATE_FORMAT')}." in page
    assert STALE_NOTICE not in page
    assert BEING_UPDATED not in page
    assert not DBTaskResult.objects.exists()
    assert not SummaryRefreshRequest.objects.exists()


@pytest.mark.django_db
def test_a_stale_worklist_says_so_and_queues_one_job_per_clinic_and_day(
    people: Personas, today: Callable[[dt.date], None]
) -> None:
    clinician = log_in(Client(), people.clinician)
    coordinator = log_in(Client(), people.coordinator)
    other_clinician = log_in(Client(), people.other_clinician)

    today(AS_OF + dt.timedelta(days=1))
    for client in (clinician, clinician, coordinator, clinician):
        page = _worklist(client)
        assert f"{STALE_NOTICE} {date_format(AS_OF, 'DATE_FORMAT')}" in page
        assert BEING_UPDATED in page
    assert _jobs_by_clinic() == {people.clinic.pk: ["2026-11-22"]}

    _worklist(other_clinician)
    _worklist(other_clinician)
    assert _jobs_by_clinic() == {people.clinic.pk: ["2026-11-22"], people.other_clinic.pk: ["2026-11-22"]}

    today(AS_OF + dt.timedelta(days=2))
    _worklist(clinician)
    _worklist(coordinator)
    assert sorted(_jobs_by_clinic()[people.clinic.pk]) == ["2026-11-22", "2026-11-23"]
    # Queued, not run: the page itself never evaluates records.
    assert PatientSummary.objects.get(patient=people.shared_child).evaluated_on == AS_OF


@pytest.mark.django_db
def test_a_record_without_a_summary_counts_as_stale(
    people: Personas, today: Callable[[dt.date], None]
) -> None:
    today(AS_OF)
    # Removed behind the services' back (as an import of rows could leave it): the headline numbers
    # learn of it when they are counted afresh, as every night.
    PatientSummary.objects.filter(patient=people.shared_child).delete()
    clinic_counts_recount()

    page = _worklist(log_in(Client(), people.clinician))

    assert "Overdue checks and alerts have not been worked out yet for 1 patient." in page
    assert BEING_UPDATED in page
    assert _jobs_by_clinic() == {people.clinic.pk: ["2026-11-21"]}


@pytest.mark.django_db
def test_an_empty_worklist_claims_no_date_and_queues_nothing(
    people: Personas, today: Callable[[dt.date], None]
) -> None:
    share = people.adult_record.shares.get(clinic=people.other_clinic)
    clinic_share_withdraw(author=people.adult, patient_id=people.adult_record.pk, share_id=share.pk)
    today(AS_OF + dt.timedelta(days=1))

    page = _worklist(log_in(Client(), people.other_clinician))

    assert "worked out" not in page
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_staleness_costs_at_most_one_query_once_the_days_job_is_queued(
    people: Personas, today: Callable[[dt.date], None], django_assert_max_num_queries: Any
) -> None:
    client = log_in(Client(), people.clinician)
    url = reverse("patients:worklist")
    today(AS_OF)
    client.get(url)
    with django_assert_max_num_queries(20) as current:
        client.get(url)
    queries_when_current = len(current.captured_queries)  # read now: the next request clears the log
    today(AS_OF + dt.timedelta(days=1))
    client.get(url)  # queues the day's job
    with django_assert_max_num_queries(queries_when_current + 1):
        page = client.get(url)
    assert BEING_UPDATED in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_worker_brings_the_worklist_up_to_date(
    people: Personas, today: Callable[[dt.date], None], run_worker: Callable[[], None]
) -> None:
    a_year_later = AS_OF + dt.timedelta(days=365)
    client = log_in(Client(), people.clinician)
    today(a_year_later)
    page = _worklist(client)
    assert BEING_UPDATED in page
    assert "0 with overdue items" in page

    run_worker()

    job = DBTaskResult.objects.get()
    assert job.status == TaskResultStatus.SUCCESSFUL, job.traceback
    page = _worklist(client)
    assert BEING_UPDATED not in page
    assert f"worked out on {date_format(a_year_later, 'DATE_FORMAT')}." in page
    # Measurements a year old are overdue by the knowledge base's intervals: the headline shows it now.
    assert "1 with overdue items" in page
    # Only this clinic's record was worked out again.
    assert PatientSummary.objects.get(patient=people.adult_record).evaluated_on == AS_OF
    assert DBTaskResult.objects.count() == 1

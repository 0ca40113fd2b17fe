"""The worklist's headline numbers kept up to date per clinic (ADR 0026): every change that moves them
(a record created by staff, shared, withdrawn, a measurement that brings an alert, a nightly refresh, an
account deleted with its records) leaves the stored numbers equal to a fresh count; the page shows the
stored numbers; the nightly count mends a drift."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from tests.web.personas import AS_OF, Personas, log_in, people_fixture  # noqa: F401

from smanav.accounts.models import Clinic
from smanav.patients.models import ClinicWorklistCounts
from smanav.patients.services import (
    account_delete,
    assessment_record,
    clinic_share_invite,
    clinic_share_withdraw,
    patient_create,
)
from smanav.patients.services.summaries import patient_summaries_refresh
from smanav.patients.services.worklist_counts import clinic_counts_recount
from smanav.patients.tasks import (
    all_summaries_refresh_queue,
    finish_summary_refresh,
    refresh_summary_range,
)

A_YEAR_LATER = AS_OF + dt.timedelta(days=365)
NUMBERS = ("shared", "summarised", "urgent", "with_alerts", "overdue", "due_soon")


def _stored(clinic: Clinic) -> tuple[int, ...]:
    row = ClinicWorklistCounts.objects.get(clinic=clinic)
    return tuple(getattr(row, field) for field in NUMBERS)


def _assert_kept_up(people: Personas) -> tuple[int, ...]:
    """The stored numbers of both clinics equal a fresh count (which the recount then stores)."""
    kept = {clinic.pk: _stored(clinic) for clinic in (people.clinic, people.other_clinic)}
    clinic_counts_recount()
    assert {clinic.pk: _stored(clinic) for clinic in (people.clinic, people.other_clinic)} == kept
    return kept[people.clinic.pk]


def _urgent_newborn(people: Personas, name: str) -> int:
    newborn = patient_create(
        author=people.parent,
        display_name=name,
        document={
            "birth_date": "2026-11-10",
            "region": "US",
            "genetics": {"smn1_copies": 0, "smn2_copies": 2, "method": "newborn_screening"},
            "clinical": {"symptomatic": False},
        },
        as_of=AS_OF,
    )
    return newborn.pk


@pytest.mark.django_db
def test_every_change_keeps_the_clinics_numbers_equal_to_a_fresh_count(people: Personas) -> None:
    start = _assert_kept_up(people)
    assert start[0] == 1  # Ada

    eve = _urgent_newborn(people, "Eve")
    clinic_share_invite(author=people.parent, patient_id=eve, clinic=people.clinic)
    shared = _assert_kept_up(people)
    assert shared[0] == 2 and shared[2] == start[2] + 1  # one more shared, one more urgent

    # A clinician's own new record is shared with the clinic at once.
    patient_create(
        author=people.clinician, display_name="Gus", document={"birth_date": "2015-03-03"}, as_of=AS_OF
    )
    assert _assert_kept_up(people)[0] == 3

    # A fall in HFMSE brings an alert to Ada.
    for date, value in (("2026-05-01", 34), ("2026-11-01", 28)):
        assessment_record(
            author=people.clinician,
            patient_id=people.shared_child.pk,
            date=dt.date.fromisoformat(date),
            instrument="HFMSE",
            value=value,
            as_of=AS_OF,
        )
    _assert_kept_up(people)

    # A year on, checks are overdue (the bulk refresh).
    patient_summaries_refresh(patient_ids=[people.shared_child.pk, eve], as_of=A_YEAR_LATER)
    assert _assert_kept_up(people)[4] >= 1

    share = people.shared_child.shares.get(clinic=people.clinic, withdrawn_at__isnull=True)
    clinic_share_withdraw(author=people.parent, patient_id=people.shared_child.pk, share_id=share.pk)
    assert _assert_kept_up(people)[0] == 2

    # The parent leaves: their records go, Eve among them.
    account_delete(user=people.parent)
    assert _assert_kept_up(people)[0] == 1


@pytest.mark.django_db
def test_the_page_shows_the_stored_numbers_without_counting_every_record(people: Personas) -> None:
    clinic_counts_recount()
    ClinicWorklistCounts.objects.filter(clinic=people.clinic).update(urgent=7, shared=9, summarised=1)

    page = log_in(Client(), people.clinician).get(reverse("patients:worklist"))

    assert "9 patients: 7 urgent" in page.content.decode()
    assert [patient.display_name for patient in page.context["page"]] == ["Ada"]


@pytest.mark.django_db
def test_the_nightly_refresh_counts_afresh_and_mends_a_drift(people: Personas) -> None:
    clinic_counts_recount()
    right = _stored(people.clinic)
    ClinicWorklistCounts.objects.filter(clinic=people.clinic).update(shared=40, urgent=-3)
    all_summaries_refresh_queue(as_of=AS_OF, batch="night", range_size=10, recheck_seconds=1)
    # As if the workers had done every range.
    DBTaskResult.objects.filter(task_path=refresh_summary_range.module_path).update(
        status=TaskResultStatus.SUCCESSFUL
    )

    finish_summary_refresh.call(as_of=AS_OF.isoformat(), batch="night", recheck_seconds=1)

    assert _stored(people.clinic) == right
    assert right[0] == 1


@pytest.mark.django_db
def test_a_clinic_without_a_row_yet_is_counted_on_the_page(people: Personas) -> None:
    ClinicWorklistCounts.objects.all().delete()

    page = log_in(Client(), people.clinician).get(reverse("patients:worklist"))

    assert page.context["counts"]["total"] == 1
    assert [patient.display_name for patient in page.context["page"]] == ["Ada"]

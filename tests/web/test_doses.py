"""Doses, safety tests and regimens recorded on the record page; due, due soon and overdue on the record,
the worklist and the PDF.

Leo's case from the clinical-trust issue: a nusinersen dose due in 24 days was counted as "overdue" on
the worklist. Now it is "due soon", and recording the dose clears it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from tests.web.background import today_fixture  # noqa: F401
from tests.web.personas import AS_OF, Personas, log_in, people_fixture  # noqa: F401

from smanav.audit.models import AuditEvent
from smanav.patients import services
from smanav.patients.models import Dose, LabTest, PatientSummary, Treatment

START = dt.date(2026, 7, 1)


def _days(offset: int) -> str:
    return (AS_OF + dt.timedelta(days=offset)).isoformat()


@pytest.fixture(name="on_nusinersen")
def on_nusinersen_fixture(people: Personas, today: Callable[[dt.date], None]) -> Treatment:
    """Ada on the 12 mg regimen since July: four loading doses given, the last on 2026-08-27, so the first
    maintenance dose is due on 2026-12-27 (36 days after the evaluation date: scheduled)."""
    today(AS_OF)
    when: dict[str, Any] = {"author": people.clinician, "patient_id": people.shared_child.pk, "as_of": AS_OF}
    course = services.treatment_record(
        therapy="nusinersen", start_date=START, end_date=None, regimen="nusinersen_12mg", **when
    )
    assert course is not None
    for day in ("2026-07-01", "2026-07-15", "2026-07-29", "2026-08-27"):
        services.dose_record(
            treatment_id=course.pk,
            date=dt.date.fromisoformat(day),
            amount_mg=12,
            given_by="Dr Rivera",
            **when,
        )
    return course


def _summary(people: Personas) -> PatientSummary:
    return PatientSummary.objects.get(patient=people.shared_child)


@pytest.mark.django_db
def test_a_dose_due_in_a_few_weeks_is_due_soon_not_overdue(
    people: Personas, on_nusinersen: Treatment, today: Callable[[dt.date], None]
) -> None:
    later = dt.date(2026, 12, 3)  # the dose of 2026-12-27 is 24 days away
    today(later)
    services.patient_summary_refresh(patient=people.shared_child, as_of=later)
    summary = _summary(people)
    # The dose and the blood and urine tests before it: two items due soon, none overdue.
    assert (summary.overdue_count, summary.due_soon_count) == (0, 2)
    assert [item["title"] for item in summary.due_items] == [
        "Nusinersen dose",
        "Blood and urine tests before the nusinersen dose",
    ]
    assert {(item["due_on"], item["status"]) for item in summary.due_items} == {("2026-12-27", "due_soon")}
    client = log_in(Client(), people.clinician)
    page = client.get(reverse("patients:worklist")).content.decode()
    assert "0 with overdue items, 1 with items due soon" in page
    assert "Nusinersen dose: due" in page
    assert [
        p.display_name for p in client.get(reverse("patients:worklist"), {"due": "due_soon"}).context["page"]
    ] == ["Ada"]
    assert list(client.get(reverse("patients:worklist"), {"due": "overdue"}).context["page"]) == []
    assert list(client.get(reverse("patients:worklist"), {"overdue": "1"}).context["page"]) == []


@pytest.mark.django_db
def test_a_missed_dose_is_overdue_and_recording_it_clears_it(
    people: Personas, on_nusinersen: Treatment, today: Callable[[dt.date], None]
) -> None:
    late = dt.date(2027, 1, 10)
    today(late)
    services.patient_summary_refresh(patient=people.shared_child, as_of=late)
    assert (_summary(people).overdue_count, _summary(people).due_items[0]["status"]) == (2, "overdue")
    client = log_in(Client(), people.clinician)
    detail = client.get(reverse("patients:detail", args=[people.shared_child.pk])).content.decode()
    assert "Overdue: it was due on" in detail

    response = client.post(
        reverse("patients:dose_new", args=[people.shared_child.pk, on_nusinersen.pk]),
        {"date": "2027-01-09", "amount_mg": "12", "given_by": "Dr Rivera", "form_key": "k-dose-1"},
    )
    assert response.status_code == 302
    summary = _summary(people)
    assert (summary.overdue_count, summary.due_soon_count) == (0, 0)
    dose = Dose.objects.get(treatment=on_nusinersen, date=dt.date(2027, 1, 9))
    assert (dose.amount_mg, dose.given_by, dose.recorded_by) == (12, "Dr Rivera", people.clinician)
    history = client.get(reverse("patients:history", args=[people.shared_child.pk])).content.decode()
    assert "Dose recorded: Nusinersen (Spinraza) on" in history


@pytest.mark.django_db
def test_the_same_dose_form_sent_twice_saves_one_dose(people: Personas, on_nusinersen: Treatment) -> None:
    client = log_in(Client(), people.clinician)
    url = reverse("patients:dose_new", args=[people.shared_child.pk, on_nusinersen.pk])
    form = {"date": "2026-11-20", "amount_mg": "", "given_by": "", "form_key": "k-twice"}
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302
    assert Dose.objects.filter(treatment=on_nusinersen, date=dt.date(2026, 11, 20)).count() == 1


@pytest.mark.django_db
def test_a_dose_before_the_course_started_is_refused_and_nothing_is_saved(
    people: Personas, on_nusinersen: Treatment
) -> None:
    client = log_in(Client(), people.parent)
    version = people.shared_child.versions.count()
    response = client.post(
        reverse("patients:dose_new", args=[people.shared_child.pk, on_nusinersen.pk]),
        {"date": "2026-06-01", "amount_mg": "12", "given_by": "", "form_key": "k-early"},
    )
    assert response.status_code == 422
    assert (
        "Date the dose was given must be on or after the day the treatment started"
        in response.content.decode()
    )
    assert response.context["form"].errors["date"]
    assert Dose.objects.filter(treatment=on_nusinersen).count() == 4
    assert people.shared_child.versions.count() == version


@pytest.mark.django_db
def test_pre_dose_tests_recorded_after_the_last_dose_are_done(
    people: Personas, on_nusinersen: Treatment
) -> None:
    client = log_in(Client(), people.clinician)
    url = reverse("patients:lab_tests_new", args=[people.shared_child.pk])
    empty = client.post(url, {"date": "2026-11-20", "form_key": "k-none"})
    assert empty.status_code == 422 and "Choose at least one test." in empty.content.decode()
    assert not LabTest.objects.exists()
    chosen = ["platelet_count", "coagulation", "urine_protein"]
    assert client.post(url, {"date": "2026-11-20", "tests": chosen, "form_key": "k-labs"}).status_code == 302
    assert sorted(LabTest.objects.values_list("test", flat=True)) == sorted(chosen)
    detail = client.get(reverse("patients:detail", args=[people.shared_child.pk]))
    labs = next(
        entry
        for group in detail.context["plan"]
        for entry in group.items
        if entry.item.id == "monitoring.nusinersen.labs_us"
    )
    assert labs.due_status is not None and labs.due_status.value == "done"
    assert "Done for the one due on" in detail.content.decode()


@pytest.mark.django_db
def test_the_regimen_is_recorded_and_a_regimen_of_another_therapy_is_refused(people: Personas) -> None:
    client = log_in(Client(), people.clinician)
    patient = people.shared_child
    course = services.treatment_record(
        author=people.clinician,
        patient_id=patient.pk,
        therapy="nusinersen",
        start_date=dt.date(2026, 11, 1),
        end_date=None,
        as_of=AS_OF,
    )
    assert course is not None and course.regimen == ""
    url = reverse("patients:treatment_regimen", args=[patient.pk, course.pk])
    assert client.post(url, {"regimen": "nusinersen_high_dose", "form_key": "k-reg"}).status_code == 302
    course.refresh_from_db()
    assert course.regimen == "nusinersen_high_dose"
    other = services.treatment_record(
        author=people.clinician,
        patient_id=patient.pk,
        therapy="risdiplam",
        start_date=dt.date(2026, 11, 1),
        end_date=None,
        as_of=AS_OF,
    )
    assert other is not None
    refused = client.post(
        reverse("patients:treatment_regimen", args=[patient.pk, other.pk]),
        {"regimen": "nusinersen_12mg", "form_key": "k-reg-2"},
    )
    assert refused.status_code == 422
    assert refused.context["form"].errors["regimen"][0].startswith("Regimen must be a regimen of Risdiplam")
    other.refresh_from_db()
    assert other.regimen == ""


@pytest.mark.django_db
def test_removing_a_dose_asks_first_and_is_audited(people: Personas, on_nusinersen: Treatment) -> None:
    client = log_in(Client(), people.clinician)
    dose = Dose.objects.filter(treatment=on_nusinersen).order_by("date").last()
    assert dose is not None
    url = reverse("patients:dose_delete", args=[people.shared_child.pk, dose.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Keep it" in page.content.decode()
    assert Dose.objects.filter(pk=dose.pk).exists()
    assert AuditEvent.objects.filter(what=f"removal confirmation of dose {dose.pk}").exists()
    assert client.post(url).status_code == 302
    assert not Dose.objects.filter(pk=dose.pk).exists()
    assert client.post(url).status_code == 302  # a second click finds nothing left to remove

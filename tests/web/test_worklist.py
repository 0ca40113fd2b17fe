"""The clinic worklist: only the clinic's patients, alerts from the stored summary, filters and sorts,
and a number of queries that does not grow with the number of patients."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from tests.web.personas import AS_OF, Personas, log_in, people_fixture  # noqa: F401

from smanav.patients.models import PatientSummary
from smanav.patients.selectors import WorklistFilter
from smanav.patients.services import assessment_record, clinic_share_invite, patient_create


def _add_patients(people: Personas, count: int) -> None:
    for index in range(count):
        patient = patient_create(
            author=people.parent,
            display_name=f"Child {index:03d}",
            document={"birth_date": "2018-01-01", "region": "US"},
            as_of=AS_OF,
        )
        clinic_share_invite(author=people.parent, patient_id=patient.pk, clinic=people.clinic)


@pytest.mark.django_db
def test_worklist_shows_only_the_clinics_patients(people: Personas) -> None:
    page = log_in(Client(), people.clinician).get(reverse("patients:worklist"))
    names = [patient.display_name for patient in page.context["page"]]
    assert names == ["Ada"]


@pytest.mark.django_db
def test_hfmse_decline_appears_on_the_worklist_and_filters(people: Personas) -> None:
    patient = people.shared_child
    for date, value in (("2026-05-01", 34), ("2026-11-01", 28)):
        assessment_record(
            author=people.clinician,
            patient_id=patient.pk,
            date=dt.date.fromisoformat(date),
            instrument="HFMSE",
            value=value,
            as_of=AS_OF,
        )
    summary = PatientSummary.objects.get(patient=patient)
    assert "motor_decline" in summary.alert_codes
    client = log_in(Client(), people.clinician)
    page = client.get(reverse("patients:worklist"), {"alert": "motor_decline"})
    assert [p.display_name for p in page.context["page"]] == ["Ada"]
    assert "Motor decline" in page.content.decode()


@pytest.mark.django_db
def test_a_partial_retest_does_not_take_the_decline_off_the_worklist(people: Personas) -> None:
    """HFMSE 34 -> 28, then a re-test of 29 two weeks later: the decline (29 against 34) stays on the
    stored summary the worklist reads."""
    patient = people.shared_child
    for date, value in (("2026-05-01", 34), ("2026-11-01", 28), ("2026-11-15", 29)):
        assessment_record(
            author=people.clinician,
            patient_id=patient.pk,
            date=dt.date.fromisoformat(date),
            instrument="HFMSE",
            value=value,
            as_of=AS_OF,
        )
    summary = PatientSummary.objects.get(patient=patient)
    assert "motor_decline" in summary.alert_codes
    [decline] = [alert for alert in summary.alerts if alert["code"] == "motor_decline"]
    assert decline["compared_with"]["value"] == 34 and decline["latest"]["value"] == 29
    page = log_in(Client(), people.clinician).get(reverse("patients:worklist"), {"alert": "motor_decline"})
    assert [p.display_name for p in page.context["page"]] == ["Ada"]


@pytest.mark.django_db
def test_the_headline_counts_the_records_the_core_finds_urgent(people: Personas) -> None:
    """Screen-positive newborns with two SMN2 copies and no treatment yet: the core's urgency decides."""
    for name in ("Eve", "Fay"):
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
        clinic_share_invite(author=people.parent, patient_id=newborn.pk, clinic=people.clinic)
    levels = dict(
        PatientSummary.objects.filter(patient__shares__clinic=people.clinic).values_list(
            "patient__display_name", "urgency"
        )
    )
    # Ada is at another level, so a count of the wrong level cannot pass.
    assert levels == {"Ada": levels["Ada"], "Eve": "urgent", "Fay": "urgent"}
    assert levels["Ada"] != "urgent"
    client = log_in(Client(), people.clinician)
    page = client.get(reverse("patients:worklist"))
    assert page.context["counts"]["urgent"] == 2
    assert "3 patients: 2 urgent" in page.content.decode()
    listed = client.get(reverse("patients:worklist"), {"urgency": "urgent", "sort": "name"}).context["page"]
    assert [patient.display_name for patient in listed] == ["Eve", "Fay"]


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["priority", "name", "age", "alerts", "overdue", "last_seen", "bogus"])
def test_every_sort_works(people: Personas, sort: str) -> None:
    response = log_in(Client(), people.clinician).get(
        reverse("patients:worklist"), {"sort": sort, "overdue": "1"}
    )
    assert response.status_code == 200


@pytest.mark.django_db
def test_made_up_filter_values_are_ignored(people: Personas) -> None:
    page = log_in(Client(), people.clinician).get(
        reverse("patients:worklist"), {"urgency": "panic", "alert": "everything", "sort": "bogus"}
    )
    assert page.context["filters"] == WorklistFilter(sort="priority")
    assert [patient.display_name for patient in page.context["page"]] == ["Ada"]


@pytest.mark.django_db
def test_worklist_queries_do_not_grow_with_patients(
    people: Personas, django_assert_max_num_queries: Any
) -> None:
    client = log_in(Client(), people.clinician)
    url = reverse("patients:worklist")
    client.get(url)
    _add_patients(people, 5)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    _add_patients(people, 60)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert len(page.context["page"].object_list) == 50

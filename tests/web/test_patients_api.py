"""The patients API: token auth, the same access rules as the pages (someone else's record is 404),
the core's problems as 422, and every documented status in the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.web.personas import Personas, people_fixture  # noqa: F401

from smanav.accounts.services import api_token_create
from smanav.audit.models import AuditAction, AuditEvent

BASE = "/api/v1/patients"


def _bearer(user: Any) -> dict[str, str]:
    _row, token = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


ROLES = ["parent", "adult", "clinician", "coordinator", "outsider", "other_clinician", "administrator"]


def _expected(role: str, endpoint: str) -> int:
    if role == "parent":
        return 201 if endpoint == "assessments" else 200
    if role == "clinician":
        return 201 if endpoint == "assessments" else 200
    if role == "coordinator":
        return 404 if endpoint == "assessments" else 200
    return 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ["detail", "evaluation", "history", "assessments"])
def test_api_access_matrix(people: Personas, role: str, endpoint: str) -> None:
    client = Client()
    headers = _bearer(people.by_role(role))
    patient_id = people.shared_child.pk
    if endpoint == "detail":
        response = client.get(f"{BASE}/{patient_id}", **headers)
    elif endpoint == "assessments":
        response = client.post(
            f"{BASE}/{patient_id}/assessments",
            {"date": "2026-11-01", "instrument": "RULM", "value": 18},
            content_type="application/json",
            **headers,
        )
    else:
        response = client.get(f"{BASE}/{patient_id}/{endpoint}", **headers)
    assert response.status_code == _expected(role, endpoint), (role, endpoint, response.content)
    if response.status_code == 404:
        assert response.json() == {"errors": [{"field": None, "message": "not found"}]}


@pytest.mark.django_db
def test_api_without_credentials_answers_401(people: Personas) -> None:
    response = Client().get(f"{BASE}/{people.shared_child.pk}")
    assert response.status_code == 401
    bad = Client().get(BASE, HTTP_AUTHORIZATION="Bearer smn_not_a_token")
    assert bad.status_code == 401


@pytest.mark.django_db
def test_list_shows_only_visible_records(people: Personas) -> None:
    body = Client().get(BASE, **_bearer(people.clinician)).json()
    assert [item["display_name"] for item in body["items"]] == ["Ada"]
    body = Client().get(BASE, **_bearer(people.parent)).json()
    assert sorted(item["display_name"] for item in body["items"]) == ["Ada", "Ben"]


@pytest.mark.django_db
def test_record_and_evaluation_match_the_contract(people: Personas) -> None:
    headers = _bearer(people.clinician)
    record = Client().get(f"{BASE}/{people.shared_child.pk}", **headers).json()["record"]
    assert record["birth_date"] == "2020-03-01"
    evaluation = (
        Client()
        .get(
            f"{BASE}/{people.shared_child.pk}/evaluation", {"region": "EU", "as_of": "2026-11-21"}, **headers
        )
        .json()
    )
    assert evaluation["schema"] == "smanav.evaluation/1"
    assert evaluation["region"] == "EU"
    assert AuditEvent.objects.filter(actor=people.clinician, action=AuditAction.API_READ).count() == 2


@pytest.mark.django_db
def test_bad_measurement_answers_422_naming_the_field(people: Personas) -> None:
    response = Client().post(
        f"{BASE}/{people.shared_child.pk}/assessments",
        {"date": "2026-11-01", "instrument": "HFMSE", "value": 99},
        content_type="application/json",
        **_bearer(people.clinician),
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors[0]["field"] == "value"
    assert "99" in errors[0]["message"]


@pytest.mark.django_db
def test_api_idempotency_key_records_once(people: Personas) -> None:
    headers = _bearer(people.clinician)
    body = {"date": "2026-11-01", "instrument": "RULM", "value": 18, "idempotency_key": "lab-42"}
    for _ in range(2):
        response = Client().post(
            f"{BASE}/{people.shared_child.pk}/assessments", body, content_type="application/json", **headers
        )
        assert response.status_code == 201
    assert people.shared_child.assessments.filter(instrument="RULM").count() == 1


@pytest.mark.django_db
def test_openapi_documents_the_patient_endpoints_and_their_errors() -> None:
    document = Client().get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/patients/{patient_id}/assessments"]["post"]
    assert {"201", "401", "404", "422"} <= set(operation["responses"])
    assert "/api/v1/patients/{patient_id}/evaluation" in document["paths"]


@pytest.mark.django_db
def test_history_lists_every_version_newest_first(people: Personas) -> None:
    body = Client().get(f"{BASE}/{people.shared_child.pk}/history", **_bearer(people.parent)).json()
    assert [row["version"] for row in body] == [3, 2, 1]
    assert body[0]["summary"] == "WEIGHT_KG 20 on 2026-11-15 recorded"
    assert (body[-1]["summary"], body[-1]["author"]) == ("record created", "parent")


@pytest.mark.django_db
def test_doses_and_safety_tests_are_recorded_through_the_api_with_the_cores_problems(
    people: Personas,
) -> None:
    client, headers = Client(), _bearer(people.clinician)
    patient_id = people.shared_child.pk
    course = client.post(
        f"{BASE}/{patient_id}/treatments",
        {"therapy": "nusinersen", "start_date": "2026-11-01", "regimen": "nusinersen_12mg"},
        content_type="application/json",
        **headers,
    )
    assert course.status_code == 201, course.content
    treatment_id = people.shared_child.treatments.get().pk
    assert people.shared_child.treatments.get().regimen == "nusinersen_12mg"
    dose = client.post(
        f"{BASE}/{patient_id}/treatments/{treatment_id}/doses",
        {"date": "2026-11-01", "amount_mg": 12, "given_by": "Dr Rivera"},
        content_type="application/json",
        **headers,
    )
    assert dose.status_code == 201, dose.content
    early = client.post(
        f"{BASE}/{patient_id}/treatments/{treatment_id}/doses",
        {"date": "2026-10-01"},
        content_type="application/json",
        **headers,
    )
    assert early.status_code == 422
    assert early.json()["errors"][0]["field"] == "date"
    assert "before the treatment's start_date" in early.json()["errors"][0]["message"]
    elsewhere = client.post(
        f"{BASE}/{people.adult_record.pk}/treatments/{treatment_id}/doses",
        {"date": "2026-11-01"},
        content_type="application/json",
        **headers,
    )
    assert elsewhere.status_code == 404
    tests = client.post(
        f"{BASE}/{patient_id}/lab-tests",
        {"date": "2026-11-02", "tests": ["platelet_count", "urine_protein"]},
        content_type="application/json",
        **headers,
    )
    assert tests.status_code == 201, tests.content
    unknown = client.post(
        f"{BASE}/{patient_id}/lab-tests",
        {"date": "2026-11-02", "tests": ["urine_sugar"]},
        content_type="application/json",
        **headers,
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "test"
    record = client.get(f"{BASE}/{patient_id}", **headers).json()["record"]
    assert record["treatments"][0]["doses"] == [{"date": "2026-11-01", "amount_mg": 12}]
    assert [t["test"] for t in record["lab_tests"]] == ["platelet_count", "urine_protein"]
    listed = client.get(BASE, **headers).json()["items"]
    assert {"overdue_count", "due_soon_count"} <= set(listed[0])

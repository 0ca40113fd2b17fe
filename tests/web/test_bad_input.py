"""Issue 14, part 2: every bad input is answered 4xx, naming the problem, and changes nothing. Each case
below was a server error (or an accepted impossible value) before the fix."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from tests.web.personas import Personas, log_in, people_fixture  # noqa: F401

from smanav.jsonapi.documents import MAX_JSON_BYTES, MAX_JSON_DEPTH
from smanav.patients.models import Assessment

pytestmark = pytest.mark.django_db

DEEP = "[" * 1000 + "]" * 1000
RECORD = {"birth_date": "2020-03-01", "region": "US"}


def problems(response: Any) -> dict[str | None, str]:
    return {item["field"]: item["message"] for item in response.json()["errors"]}


@pytest.mark.parametrize(
    ("path", "what"),
    [("/api/v1/evaluate", "record"), ("/api/v1/triage", "answers"), ("/api/v1/trials/match", "body")],
)
def test_json_nested_a_thousand_deep_is_refused_by_the_api(client: Client, path: str, what: str) -> None:
    response = client.post(path, DEEP, content_type="application/json")
    assert response.status_code == 422
    assert problems(response)[what].startswith(f"nests too deeply: at most {MAX_JSON_DEPTH} levels")


def test_json_nested_a_thousand_deep_is_refused_by_the_evaluate_page(client: Client) -> None:
    response = client.post("/evaluate/", {"record": DEEP})
    assert response.status_code == 422
    assert "nests too deeply" in response.content.decode()


def test_brackets_inside_strings_do_not_count_as_depth(client: Client) -> None:
    document = {**RECORD, "id": "[" * 60 + '\\"{' * 40}
    response = client.post("/api/v1/evaluate", json.dumps(document), content_type="application/json")
    assert response.status_code == 200, response.content


def test_a_json_body_above_the_size_limit_is_refused(client: Client, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None  # the document's own limit, not Django's, answers here
    body = json.dumps({**RECORD, "id": "x" * MAX_JSON_BYTES})
    response = client.post("/api/v1/evaluate", body, content_type="application/json")
    assert response.status_code == 422
    assert problems(response)["record"].startswith("is too large")


def test_a_request_above_djangos_limit_is_413(client: Client) -> None:
    body = json.dumps({**RECORD, "id": "x" * 3_000_000})
    response = client.post("/api/v1/evaluate", body, content_type="application/json")
    assert response.status_code == 413
    assert problems(response)[None] == "the request body is too large"


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_a_non_finite_measurement_is_refused_and_nothing_is_saved(
    people: Personas, client: Client, number: str
) -> None:
    log_in(client, people.parent)
    before = Assessment.objects.count()
    body = '{"date": "2026-11-01", "instrument": "WEIGHT_KG", "value": ' + number + "}"
    response = client.post(
        f"/api/v1/patients/{people.shared_child.pk}/assessments", body, content_type="application/json"
    )
    assert response.status_code == 422
    assert Assessment.objects.count() == before


@pytest.mark.parametrize("typed", ["nan", "inf", "-inf", "Infinity"])
def test_a_non_finite_measurement_typed_in_the_form_is_refused(
    people: Personas, client: Client, typed: str
) -> None:
    log_in(client, people.parent)
    before = Assessment.objects.count()
    response = client.post(
        f"/records/{people.shared_child.pk}/assessments/new/",
        {"date": "2026-11-01", "instrument": "WEIGHT_KG", "value": typed},
    )
    assert response.status_code == 422, response.status_code
    assert "Value must be a number, like 12.5" in response.content.decode()
    assert Assessment.objects.count() == before


def test_birth_date_0001_01_01_is_refused(client: Client) -> None:
    body = json.dumps({**RECORD, "birth_date": "0001-01-01"})
    response = client.post("/api/v1/evaluate", body, content_type="application/json")
    assert response.status_code == 422
    assert "150 years" in problems(response)["birth_date"]


@pytest.mark.parametrize("path", ["/api/v1/evaluate", "/api/v1/triage"])
def test_an_evaluation_date_far_in_the_future_is_refused(client: Client, path: str) -> None:
    body = json.dumps(RECORD if path.endswith("evaluate") else {"age_years": 3})
    response = client.post(f"{path}?as_of=9999-12-31", body, content_type="application/json")
    assert response.status_code == 422
    assert problems(response)["as_of"].startswith("must be a date from 1900-01-01 to 2199-12-31")


def test_a_lone_surrogate_is_refused_and_nothing_is_saved(people: Personas, client: Client) -> None:
    log_in(client, people.parent)
    before = Assessment.objects.count()
    body = b'{"date": "2026-11-01", "instrument": "WEIGHT_KG", "value": 3, "idempotency_key": "\\ud800"}'
    response = client.post(
        f"/api/v1/patients/{people.shared_child.pk}/assessments", body, content_type="application/json"
    )
    assert response.status_code == 422
    assert problems(response)["idempotency_key"].startswith("holds an invalid character")
    assert Assessment.objects.count() == before


def test_a_lone_surrogate_in_a_key_is_refused(client: Client) -> None:
    body = b'{"birth_date": "2020-03-01", "\\udfff": 1}'
    response = client.post("/api/v1/evaluate", body, content_type="application/json")
    assert response.status_code == 422
    assert "invalid character" in problems(response)["record"]


def test_an_offset_above_2_to_the_63_is_refused(people: Personas, client: Client) -> None:
    log_in(client, people.parent)
    response = client.get(f"/api/v1/patients?offset={2**63 + 1}")
    assert response.status_code == 422
    assert "offset" in problems(response)


@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary="])
def test_multipart_without_a_boundary_is_named_on_a_page(client: Client, content_type: str) -> None:
    response = client.post("/evaluate/", b"--x\r\n", content_type=content_type)
    assert response.status_code == 400
    assert "without a valid boundary" in response.content.decode()

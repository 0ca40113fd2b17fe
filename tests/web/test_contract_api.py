"""The contract's HTTP endpoints answer what the core answers, and every error in one documented shape."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.testing import TestClient

from smanav.api import contract
from smanav.api.published_schemas import SCHEMA_NAMES
from smanav.jsonapi.errors import Forbidden, NotFound, install_error_handlers
from smanav_core import InvalidInput, evaluate, triage
from smanav_core.schemas import json_schemas

# The API counts each anonymous request in the database (its throttles, issue 14).
pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

RECORD: dict[str, Any] = {
    "id": "api-test",
    "region": "US",
    "birth_date": "2026-10-01",
    "genetics": {"smn1_copies": 0, "smn2_copies": 2, "method": "newborn_screening"},
    "clinical": {"symptomatic": False},
}
ANSWERS: dict[str, Any] = {"age_years": 45, "history": ["spinal_surgery"], "symptoms": ["low_back_pain"]}


def post(client: Client, path: str, body: str | bytes) -> Any:
    return client.post(path, data=body, content_type="application/json")


def errors_of(response: Any) -> list[dict[str, Any]]:
    document = response.json()
    assert set(document) == {"errors"}
    for problem in document["errors"]:
        assert set(problem) == {"field", "message"}
        assert problem["message"]
    return list(document["errors"])


def core_problems(record: Any, region: str | None, as_of: dt.date) -> list[dict[str, Any]]:
    with pytest.raises(InvalidInput) as caught:
        evaluate(record, region=region, as_of=as_of)
    return [{"field": field, "message": message} for field, message in caught.value.problems]


# --- evaluate -----------------------------------------------------------------------------------------


def test_evaluate_answers_the_core_document(client: Client, as_of: dt.date) -> None:
    response = post(client, f"/api/v1/evaluate?as_of={as_of}", json.dumps(RECORD))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == evaluate(RECORD, as_of=as_of)


RECORD_EXAMPLES = sorted(path for path in EXAMPLES.glob("*.json") if not path.name.startswith("triage-"))
TRIAGE_EXAMPLES = sorted(EXAMPLES.glob("triage-*.json"))


@pytest.mark.parametrize("example", RECORD_EXAMPLES, ids=lambda path: path.stem)
def test_every_example_evaluates_like_the_core(client: Client, as_of: dt.date, example: Path) -> None:
    record = json.loads(example.read_text())
    response = post(client, f"/api/v1/evaluate?region=UK&as_of={as_of}", example.read_bytes())
    assert response.status_code == 200
    assert response.json() == evaluate(record, region="UK", as_of=as_of)


def test_region_in_the_query_overrides_the_record(client: Client, as_of: dt.date) -> None:
    response = post(client, f"/api/v1/evaluate?region=JP&as_of={as_of}", json.dumps(RECORD))
    assert response.json()["region"] == "JP"


def test_as_of_defaults_to_today_in_the_server_time_zone(
    client: Client, monkeypatch: pytest.MonkeyPatch, as_of: dt.date
) -> None:
    monkeypatch.setattr(contract.timezone, "localdate", lambda: as_of)
    response = post(client, "/api/v1/evaluate", json.dumps(RECORD))
    assert response.status_code == 200
    assert response.json()["as_of"] == as_of.isoformat()


INVALID_RECORDS = {
    "bad enumeration": {**RECORD, "sex": "robot"},
    "number out of range": {**RECORD, "genetics": {"smn2_copies": -1}},
    "unknown top-level field": {**RECORD, "smn2": 2},
    "not a calendar date": {**RECORD, "birth_date": "2026-02-30"},
    "birth after the evaluation date": {**RECORD, "birth_date": "2027-01-01"},
    "treatment ending before it starts": {
        **RECORD,
        "treatments": [{"therapy": "nusinersen", "start_date": "2026-11-01", "end_date": "2026-10-20"}],
    },
    "assessment value out of range": {
        **RECORD,
        "assessments": [{"date": "2026-11-01", "instrument": "CHOP_INTEND", "value": 65}],
    },
    "missing birth date": {"region": "US"},
    "not an object": [RECORD],
    "no region anywhere": {key: value for key, value in RECORD.items() if key != "region"},
}


@pytest.mark.parametrize("record", INVALID_RECORDS.values(), ids=INVALID_RECORDS.keys())
def test_invalid_records_answer_422_with_the_core_problems(
    client: Client, as_of: dt.date, record: Any
) -> None:
    response = post(client, f"/api/v1/evaluate?as_of={as_of}", json.dumps(record))
    assert response.status_code == 422
    assert errors_of(response) == core_problems(record, None, as_of)


def test_every_problem_is_listed_not_just_the_first(client: Client, as_of: dt.date) -> None:
    record = {**RECORD, "sex": "robot", "genetics": {"smn1_copies": 9}, "typo": 1}
    response = post(client, f"/api/v1/evaluate?as_of={as_of}", json.dumps(record))
    fields = {problem["field"] for problem in errors_of(response)}
    assert fields == {"sex", "genetics.smn1_copies", "typo"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"birth_date": ', "not valid JSON: Expecting value at line 1 column 16"),
        ("", "not valid JSON: Expecting value at line 1 column 1"),
        ('{"weight_kg": NaN}', "not valid JSON: NaN is not a JSON number"),
        (b"\xff\xfe{}", "not valid JSON: the text is not UTF-8"),
    ],
    ids=["truncated", "empty", "NaN", "not UTF-8"],
)
def test_a_body_that_is_not_json_is_named(client: Client, body: str | bytes, message: str) -> None:
    response = post(client, "/api/v1/evaluate?region=US", body)
    assert response.status_code == 422
    assert errors_of(response) == [{"field": "record", "message": message}]


@pytest.mark.parametrize("value", ["2026-13-01", "21/11/2026", "2026-11-21T10:00", "today"])
def test_a_bad_as_of_is_named(client: Client, value: str) -> None:
    response = post(client, f"/api/v1/evaluate?as_of={value}", json.dumps(RECORD))
    assert response.status_code == 422
    assert errors_of(response) == [
        {"field": "as_of", "message": f'must be a real calendar date written YYYY-MM-DD (got "{value}")'}
    ]


def test_a_bad_region_is_named_like_the_core_names_it(client: Client, as_of: dt.date) -> None:
    response = post(client, f"/api/v1/evaluate?region=FR&as_of={as_of}", json.dumps(RECORD))
    assert response.status_code == 422
    assert errors_of(response) == core_problems(RECORD, "FR", as_of)


def test_evaluate_accepts_only_post(client: Client) -> None:
    assert client.get("/api/v1/evaluate").status_code == 405


# --- triage -------------------------------------------------------------------------------------------


def test_triage_answers_the_core_document(client: Client, as_of: dt.date) -> None:
    response = post(client, f"/api/v1/triage?as_of={as_of}", json.dumps(ANSWERS))
    assert response.status_code == 200
    assert response.json() == triage(ANSWERS, as_of=as_of)


@pytest.mark.parametrize("example", TRIAGE_EXAMPLES, ids=lambda path: path.stem)
def test_every_triage_example_answers_like_the_core(client: Client, as_of: dt.date, example: Path) -> None:
    response = post(client, f"/api/v1/triage?as_of={as_of}", example.read_bytes())
    assert response.status_code == 200
    assert response.json() == triage(json.loads(example.read_text()), as_of=as_of)


def test_invalid_triage_answers_answer_422(client: Client, as_of: dt.date) -> None:
    answers = {**ANSWERS, "age_years": 200, "symptoms": ["hiccups"]}
    response = post(client, f"/api/v1/triage?as_of={as_of}", json.dumps(answers))
    assert response.status_code == 422
    with pytest.raises(InvalidInput) as caught:
        triage(answers, as_of=as_of)
    assert errors_of(response) == [{"field": f, "message": m} for f, m in caught.value.problems]


def test_triage_body_that_is_not_json_is_named(client: Client) -> None:
    response = post(client, "/api/v1/triage", "{")
    assert response.status_code == 422
    assert errors_of(response)[0]["field"] == "answers"


# --- schemas ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_each_contract_schema_is_published(client: Client, name: str) -> None:
    response = client.get(f"/api/v1/schemas/{name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    assert response.json() == json_schemas()[name]


def test_an_unknown_schema_is_not_found(client: Client) -> None:
    response = client.get("/api/v1/schemas/patient")
    assert response.status_code == 404
    assert errors_of(response)[0]["field"] == "name"


# --- OpenAPI ------------------------------------------------------------------------------------------


@pytest.fixture
def openapi(client: Client) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def test_openapi_documents_the_error_answers(openapi: dict[str, Any]) -> None:
    paths = openapi["paths"]
    expected = {
        ("/api/v1/evaluate", "post"): {"200", "422"},
        ("/api/v1/triage", "post"): {"200", "422"},
        ("/api/v1/schemas/{name}", "get"): {"200", "404"},
    }
    for (path, method), statuses in expected.items():
        responses = paths[path][method]["responses"]
        assert statuses <= set(responses), (path, method)
        for status in statuses - {"200"}:
            schema = responses[status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorsOut"}


def test_openapi_documents_the_contract_bodies(openapi: dict[str, Any]) -> None:
    evaluate_op = openapi["paths"]["/api/v1/evaluate"]["post"]
    assert evaluate_op["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PatientRecord"
    }
    answer = evaluate_op["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer == {"$ref": "#/components/schemas/Evaluation"}
    params = {param["name"]: param for param in evaluate_op["parameters"]}
    assert set(params) == {"region", "as_of"}
    assert not any(param["required"] for param in params.values())


def test_every_reference_in_the_openapi_document_resolves(openapi: dict[str, Any]) -> None:
    components = openapi["components"]["schemas"]
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(openapi)
    assert found
    for ref in found:
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.removeprefix("#/components/schemas/") in components, ref
    assert not any("$id" in schema for schema in components.values())


# --- the error hierarchy ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def errors_api() -> TestClient:
    api = NinjaAPI(urls_namespace="test-errors")
    install_error_handlers(api)

    @api.get("/not-found")
    def not_found(request: Any) -> None:
        raise NotFound([("patient_id", "no such patient")])

    @api.get("/forbidden")
    def forbidden(request: Any) -> None:
        raise Forbidden([(None, "only the clinic's staff may do this")])

    @api.get("/http-error")
    def http_error(request: Any) -> None:
        raise HttpError(409, "already exists")

    @api.get("/typed")
    def typed(request: Any, count: int) -> int:
        return count

    @api.get("/broken")
    def broken(request: Any) -> None:
        raise RuntimeError("secret detail")

    return TestClient(api)


@pytest.mark.parametrize(
    ("path", "status", "errors"),
    [
        ("/not-found", 404, [{"field": "patient_id", "message": "no such patient"}]),
        ("/forbidden", 403, [{"field": None, "message": "only the clinic's staff may do this"}]),
        ("/http-error", 409, [{"field": None, "message": "already exists"}]),
        ("/broken", 500, [{"field": None, "message": "internal error: the team has been told"}]),
    ],
)
def test_every_error_has_one_shape(errors_api: TestClient, path: str, status: int, errors: list[Any]) -> None:
    response = errors_api.get(path)
    assert response.status_code == status
    assert response.json() == {"errors": errors}


def test_ninja_validation_errors_name_the_parameter(errors_api: TestClient) -> None:
    response = errors_api.get("/typed?count=many")
    assert response.status_code == 422
    [problem] = response.json()["errors"]
    assert problem["field"] == "count"

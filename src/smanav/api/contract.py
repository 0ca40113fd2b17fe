"""The contract's HTTP endpoints (`shared` contract, version 1): evaluate, triage and the JSON Schemas.

Bodies are read raw and handed to the core, which validates them: a client gets exactly the problems
the CLI prints, as `{"errors": [{"field", "message"}]}` with status 422. Results are passed through
unchanged (no re-serialisation), so the API, the CLI and the pages give the same document.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Path, Query, Router, Schema
from pydantic import Field

from smanav.api.published_schemas import SCHEMA_NAMES, component_ref, contract_schema
from smanav.jsonapi.documents import as_of_date, json_document
from smanav.jsonapi.errors import NotFound, error_responses
from smanav.jsonapi.throttling import throttle
from smanav_core import evaluate, triage
from smanav_core.codes import Region

router = Router(tags=["contract"])

AS_OF_HELP = "Date of the evaluation, YYYY-MM-DD (default: today in the server's time zone)."


class EvaluateParams(Schema):
    region: str | None = Field(
        None,
        description="Regulatory region for therapy eligibility; overrides the record's region.",
        json_schema_extra={"enum": [region.value for region in Region]},
    )
    as_of: str | None = Field(None, description=AS_OF_HELP, json_schema_extra={"format": "date"})


class TriageParams(Schema):
    as_of: str | None = Field(None, description=AS_OF_HELP, json_schema_extra={"format": "date"})


class SchemaParams(Schema):
    name: str = Field(description="Which document.", json_schema_extra={"enum": list(SCHEMA_NAMES)})


def _json_body(name: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": component_ref(name)}}}


def _json_answer(name: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": component_ref(name)}}}


def _document(result: dict[str, Any]) -> JsonResponse:
    return JsonResponse(result, json_dumps_params={"ensure_ascii": False})


@router.post(
    "/evaluate",
    response=error_responses(422),
    summary="Evaluate a patient record",
    openapi_extra={
        "requestBody": _json_body("patient-record"),
        "responses": {200: _json_answer("evaluation", "The evaluation, as `smanav evaluate` prints it.")},
    },
)
def evaluate_record(request: HttpRequest, params: Query[EvaluateParams]) -> HttpResponse:
    throttle(request, "evaluate")
    as_of = as_of_date(params.as_of, today=timezone.localdate())
    record = json_document(request.body, "record")
    return _document(evaluate(record, region=params.region, as_of=as_of))


@router.post(
    "/triage",
    response=error_responses(422),
    summary="Triage weakness or back problems",
    openapi_extra={
        "requestBody": _json_body("triage-answers"),
        "responses": {200: _json_answer("triage-result", "The triage result, as `smanav triage` prints it.")},
    },
)
def triage_answers(request: HttpRequest, params: Query[TriageParams]) -> HttpResponse:
    throttle(request, "triage")
    as_of = as_of_date(params.as_of, today=timezone.localdate())
    answers = json_document(request.body, "answers")
    return _document(triage(answers, as_of=as_of))


@router.get(
    "/schemas/{name}",
    response=error_responses(404),
    summary="One of the contract's JSON Schemas",
    openapi_extra={
        "responses": {
            200: {"description": "A JSON Schema (draft 2020-12).", "content": {"application/schema+json": {}}}
        },
    },
)
def schema(request: HttpRequest, params: Path[SchemaParams]) -> HttpResponse:
    name = params.name
    try:
        document = contract_schema(name)
    except KeyError:
        raise NotFound([("name", "must be one of " + ", ".join(SCHEMA_NAMES) + f' (got "{name}")')]) from None
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Type"] = "application/schema+json"
    return response

"""Patient records over the JSON API (`/api/v1/patients`), for clinic integrations and the family's
own tools. Same access rules as the pages (the same chokepoints), same audit, same services.

Authentication: `Authorization: Bearer <token>` with a token made on the API tokens page, or the
browser session. A token stands for its owner after two-factor authentication: it can only be created
in a verified session, so requests with it count as verified.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.responses import Status
from ninja.security import django_auth
from pydantic import Field

from smanav.accounts.api_auth import ApiTokenAuth
from smanav.accounts.models import User
from smanav.audit.purposes import Purpose
from smanav.jsonapi.documents import as_of_date, json_document
from smanav.jsonapi.errors import InvalidRequest, NotAuthenticated, error_responses
from smanav.patients import entries, selectors, services
from smanav.patients.access import patient_get_for_editor, patient_get_for_user, patient_slice_for_user
from smanav.patients.seam import evaluate_patient, record_for_patient
from smanav_core import InvalidInput
from smanav_core.codes import Instrument, MonitoringTest, Regimen, Region, TreatmentTherapy

router = Router(tags=["patients"], auth=[ApiTokenAuth(), django_auth])


def _author(request: HttpRequest) -> User:
    """The account the router's authentication let through (everyone else was answered 401)."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated([(None, "you need to sign in")])
    return user


class PatientOut(Schema):
    id: int
    display_name: str
    birth_date: str
    version: int
    urgency: str | None = None
    alert_count: int | None = None
    overdue_count: int | None = Field(None, description="Dated care-plan items whose date has passed.")
    due_soon_count: int | None = Field(None, description="Dated items due within the due-soon window.")


class PatientListOut(Schema):
    count: int = Field(description="How many records you may see in all.")
    items: list[PatientOut]
    next_after: int | None = Field(
        None,
        description="The cursor of the next page: pass it as `after`. Null on the last page. Records come "
        "in id order, each at most once in a walk; one shared with you during a walk with an id below the "
        "cursor appears on the next walk.",
    )


class PatientDetailOut(Schema):
    id: int
    display_name: str
    version: int
    record: dict[str, Any] = Field(description="The contract's patient record document.")


class VersionOut(Schema):
    version: int
    created_at: str
    author: str
    summary: str


class ChangeOut(Schema):
    patient_id: int
    version: int


# Far beyond any installation's records, and within every database's integers (an offset above 2^63
# was a server error).
MAX_OFFSET = 1_000_000_000


class ListParams(Schema):
    limit: int = Field(50, ge=1, le=500, description="At most this many records on the page.")
    offset: int = Field(
        0,
        ge=0,
        le=MAX_OFFSET,
        description="Records to skip, for older clients (after `after` when both are given): the records "
        "skipped are still read, so a large offset is slow. Prefer `after`.",
    )
    after: int | None = Field(
        None,
        ge=0,
        le=MAX_OFFSET,
        description="The cursor of the next page: the last id of the previous page (its `next_after`). The "
        "page starts after that id, read from the indexes of the records you may see, as quick at any "
        "depth as on the first page. It only positions the page: an id you may not see reveals nothing.",
    )


class EvaluationParams(Schema):
    region: str | None = Field(None, json_schema_extra={"enum": [r.value for r in Region]})
    as_of: str | None = Field(None, json_schema_extra={"format": "date"})


ASSESSMENT_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["date", "instrument", "value"],
                "properties": {
                    "date": {"type": "string", "format": "date"},
                    "instrument": {"type": "string", "enum": [i.value for i in Instrument]},
                    "value": {"type": "number"},
                    "idempotency_key": {"type": "string", "maxLength": 64},
                },
            }
        }
    },
}
TREATMENT_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["therapy", "start_date"],
                "properties": {
                    "therapy": {"type": "string", "enum": [t.value for t in TreatmentTherapy]},
                    "start_date": {"type": "string", "format": "date"},
                    "end_date": {"type": ["string", "null"], "format": "date"},
                    "regimen": {"type": ["string", "null"], "enum": [*(r.value for r in Regimen), None]},
                    "idempotency_key": {"type": "string", "maxLength": 64},
                },
            }
        }
    },
}
DOSE_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["date"],
                "properties": {
                    "date": {"type": "string", "format": "date"},
                    "amount_mg": {"type": ["number", "null"], "exclusiveMinimum": 0, "maximum": 1000},
                    "given_by": {"type": "string", "maxLength": 200},
                    "idempotency_key": {"type": "string", "maxLength": 64},
                },
            }
        }
    },
}
LAB_TESTS_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["date", "tests"],
                "properties": {
                    "date": {"type": "string", "format": "date"},
                    "tests": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"type": "string", "enum": [t.value for t in MonitoringTest]},
                    },
                    "idempotency_key": {"type": "string", "maxLength": 64},
                },
            }
        }
    },
}


def _object_body(request: HttpRequest, allowed: set[str]) -> dict[str, Any]:
    body = json_document(request.body, "body")
    if not isinstance(body, dict):
        raise InvalidRequest([("body", "must be a JSON object")])
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise InvalidRequest([(name, "is not a known field") for name in unknown])
    key = body.get("idempotency_key")
    if key is not None and (not isinstance(key, str) or not 1 <= len(key) <= 64):
        raise InvalidRequest([("idempotency_key", "must be text of 1 to 64 characters")])
    return body


def _shift_paths(error: InvalidInput, prefix: str) -> InvalidInput:
    """`assessments[7].value` -> `value`: the client sent one entry, so name its own fields."""
    problems = [
        (path.split("].", 1)[1] if path.startswith(prefix) else path, message)
        for path, message in error.problems
    ]
    return InvalidInput(problems)


@router.get("", response={200: PatientListOut, **error_responses(401, 422)}, summary="Records you may see")
def patient_list(request: HttpRequest, params: Query[ListParams]) -> dict[str, Any]:
    count, page = patient_slice_for_user(
        user=request.user,
        offset=params.offset,
        limit=params.limit,
        after=params.after,
        purpose=Purpose.api("record list"),
    )
    items = []
    for patient in page:
        summary = getattr(patient, "summary", None)
        items.append(
            {
                "id": patient.pk,
                "display_name": patient.display_name,
                "birth_date": patient.birth_date.isoformat(),
                "version": patient.version,
                "urgency": summary.urgency if summary else None,
                "alert_count": summary.alert_count if summary else None,
                "overdue_count": summary.overdue_count if summary else None,
                "due_soon_count": summary.due_soon_count if summary else None,
            }
        )
    next_after = page[-1].pk if len(page) == params.limit else None
    return {"count": count, "items": items, "next_after": next_after}


@router.get(
    "/{patient_id}", response={200: PatientDetailOut, **error_responses(401, 404)}, summary="One record"
)
def patient_detail(request: HttpRequest, patient_id: int) -> dict[str, Any]:
    patient = patient_get_for_user(user=request.user, patient_id=patient_id, purpose=Purpose.api("record"))
    return {
        "id": patient.pk,
        "display_name": patient.display_name,
        "version": patient.version,
        "record": record_for_patient(patient),
    }


@router.get(
    "/{patient_id}/evaluation",
    response=error_responses(401, 404, 422),
    summary="Evaluate a stored record",
    openapi_extra={"responses": {200: {"description": "The evaluation document of the contract."}}},
)
def patient_evaluation(
    request: HttpRequest, patient_id: int, params: Query[EvaluationParams]
) -> HttpResponse:
    as_of = as_of_date(params.as_of, today=timezone.localdate())
    patient = patient_get_for_user(
        user=request.user, patient_id=patient_id, purpose=Purpose.api("evaluation")
    )
    evaluation = evaluate_patient(patient, as_of=as_of, region=params.region)
    if evaluation.result is None:
        raise InvalidInput(evaluation.problems)
    return JsonResponse(evaluation.result.to_json(), json_dumps_params={"ensure_ascii": False})


@router.get(
    "/{patient_id}/history", response={200: list[VersionOut], **error_responses(401, 404)}, summary="Versions"
)
def patient_history(request: HttpRequest, patient_id: int) -> list[dict[str, Any]]:
    patient = patient_get_for_user(user=request.user, patient_id=patient_id, purpose=Purpose.api("history"))
    return [
        {
            "version": row.version,
            "created_at": row.created_at.isoformat(),
            "author": row.author_label,
            "summary": row.summary,
        }
        for row in selectors.patient_versions(patient=patient)
    ]


@router.post(
    "/{patient_id}/assessments",
    response={201: ChangeOut, **error_responses(401, 404, 422)},
    summary="Record a measurement",
    openapi_extra={"requestBody": ASSESSMENT_BODY},
)
def assessment_create(request: HttpRequest, patient_id: int) -> Status[dict[str, Any]]:
    patient = patient_get_for_editor(
        user=request.user, patient_id=patient_id, purpose=Purpose.api("to record a measurement")
    )
    body = _object_body(request, {"date", "instrument", "value", "idempotency_key"})
    try:
        entry = entries.parse_assessment(
            patient, date=body.get("date"), instrument=body.get("instrument"), value=body.get("value")
        )
        services.assessment_record(
            author=_author(request),
            patient_id=patient.pk,
            date=entry.date,
            instrument=entry.instrument,
            value=entry.value,
            as_of=timezone.localdate(),
            idempotency_key=body.get("idempotency_key"),
        )
    except InvalidInput as error:
        raise _shift_paths(error, "assessments[") from None
    patient.refresh_from_db(fields=["version"])
    return Status(201, {"patient_id": patient.pk, "version": patient.version})


@router.post(
    "/{patient_id}/treatments",
    response={201: ChangeOut, **error_responses(401, 404, 422)},
    summary="Record a treatment",
    openapi_extra={"requestBody": TREATMENT_BODY},
)
def treatment_create(request: HttpRequest, patient_id: int) -> Status[dict[str, Any]]:
    patient = patient_get_for_editor(
        user=request.user, patient_id=patient_id, purpose=Purpose.api("to record a treatment")
    )
    body = _object_body(request, {"therapy", "start_date", "end_date", "regimen", "idempotency_key"})
    try:
        course = entries.parse_treatment(
            patient,
            therapy=body.get("therapy"),
            start_date=body.get("start_date"),
            end_date=body.get("end_date"),
            regimen=body.get("regimen"),
        )
        services.treatment_record(
            author=_author(request),
            patient_id=patient.pk,
            therapy=course.therapy,
            start_date=course.start_date,
            end_date=course.end_date,
            regimen=course.regimen,
            as_of=timezone.localdate(),
            idempotency_key=body.get("idempotency_key"),
        )
    except InvalidInput as error:
        raise _shift_paths(error, "treatments[") from None
    patient.refresh_from_db(fields=["version"])
    return Status(201, {"patient_id": patient.pk, "version": patient.version})


@router.post(
    "/{patient_id}/treatments/{treatment_id}/doses",
    response={201: ChangeOut, **error_responses(401, 404, 422)},
    summary="Record a dose given in a treatment course",
    openapi_extra={"requestBody": DOSE_BODY},
)
def dose_create(request: HttpRequest, patient_id: int, treatment_id: int) -> Status[dict[str, Any]]:
    patient = patient_get_for_editor(
        user=request.user, patient_id=patient_id, purpose=Purpose.api("to record a dose")
    )
    body = _object_body(request, {"date", "amount_mg", "given_by", "idempotency_key"})
    given_by = body.get("given_by", "")
    if not isinstance(given_by, str) or len(given_by) > 200:
        raise InvalidRequest([("given_by", "must be text of at most 200 characters")])
    try:
        dose = entries.parse_dose(
            patient, treatment_id=treatment_id, date=body.get("date"), amount_mg=body.get("amount_mg")
        )
        if dose is None:
            raise services.NotInRecord(f"record {patient.pk} has no treatment {treatment_id}")
        services.dose_record(
            author=_author(request),
            patient_id=patient.pk,
            treatment_id=treatment_id,
            date=dose.date,
            amount_mg=dose.amount_mg,
            given_by=given_by,
            as_of=timezone.localdate(),
            idempotency_key=body.get("idempotency_key"),
        )
    except services.NotInRecord:
        raise Http404("No such treatment in this record.") from None
    except InvalidInput as error:
        raise _shift_paths(_shift_paths(error, "treatments["), "doses[") from None
    patient.refresh_from_db(fields=["version"])
    return Status(201, {"patient_id": patient.pk, "version": patient.version})


@router.post(
    "/{patient_id}/lab-tests",
    response={201: ChangeOut, **error_responses(401, 404, 422)},
    summary="Record safety tests done on a date",
    openapi_extra={"requestBody": LAB_TESTS_BODY},
)
def lab_tests_create(request: HttpRequest, patient_id: int) -> Status[dict[str, Any]]:
    patient = patient_get_for_editor(
        user=request.user, patient_id=patient_id, purpose=Purpose.api("to record safety tests")
    )
    body = _object_body(request, {"date", "tests", "idempotency_key"})
    tests = body.get("tests")
    if not isinstance(tests, list) or not all(isinstance(test, str) for test in tests):
        raise InvalidRequest([("tests", "must be a list of test names")])
    try:
        done = entries.parse_lab_tests(patient, date=body.get("date"), tests=tests)
        services.lab_tests_record(
            author=_author(request),
            patient_id=patient.pk,
            date=done.date,
            tests=done.tests,
            as_of=timezone.localdate(),
            idempotency_key=body.get("idempotency_key"),
        )
    except InvalidInput as error:
        raise _shift_paths(error, "lab_tests[") from None
    patient.refresh_from_db(fields=["version"])
    return Status(201, {"patient_id": patient.pk, "version": patient.version})

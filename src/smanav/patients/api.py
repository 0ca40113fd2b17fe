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
from ninja.security import HttpBearer, django_auth
from pydantic import Field

from smanav.accounts.services import api_token_authenticate
from smanav.api.documents import as_of_date, json_document
from smanav.api.errors import InvalidRequest, error_responses
from smanav.audit.models import AuditAction
from smanav.audit.services import audit_record
from smanav.careplans.documents import careplan_document
from smanav.careplans.fhir import record_bundle
from smanav.careplans.pdf import careplan_pdf
from smanav.patients import selectors, services
from smanav.patients.access import patient_get_for_editor, patient_get_for_user, patients_visible_to
from smanav.patients.seam import evaluate_patient, record_for_patient
from smanav_core import InvalidInput
from smanav_core.codes import Instrument, MonitoringTest, Regimen, Region, TreatmentTherapy


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token=token)
        if user is None:
            return None
        user.is_verified = lambda: True
        request.user = user
        return user


router = Router(tags=["patients"], auth=[ApiTokenAuth(), django_auth])


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
    count: int
    items: list[PatientOut]


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


class ListParams(Schema):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


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
    patients = patients_visible_to(request.user).select_related("summary").order_by("id")
    page = list(patients[params.offset : params.offset + params.limit])
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
    return {"count": patients.count(), "items": items}


@router.get(
    "/{patient_id}", response={200: PatientDetailOut, **error_responses(401, 404)}, summary="One record"
)
def patient_detail(request: HttpRequest, patient_id: int) -> dict[str, Any]:
    patient = patient_get_for_user(user=request.user, patient_id=patient_id)
    audit_record(actor=request.user, patient_id=patient.pk, action=AuditAction.API_READ, what="record")
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
    patient = patient_get_for_user(user=request.user, patient_id=patient_id)
    as_of = as_of_date(params.as_of, today=timezone.localdate())
    audit_record(actor=request.user, patient_id=patient.pk, action=AuditAction.API_READ, what="evaluation")
    evaluation = evaluate_patient(patient, as_of=as_of, region=params.region)
    if evaluation.result is None:
        raise InvalidInput(evaluation.problems)
    return JsonResponse(evaluation.result, json_dumps_params={"ensure_ascii": False})


@router.get(
    "/{patient_id}/history", response={200: list[VersionOut], **error_responses(401, 404)}, summary="Versions"
)
def patient_history(request: HttpRequest, patient_id: int) -> list[dict[str, Any]]:
    patient = patient_get_for_user(user=request.user, patient_id=patient_id)
    audit_record(actor=request.user, patient_id=patient.pk, action=AuditAction.API_READ, what="history")
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
    patient = patient_get_for_editor(user=request.user, patient_id=patient_id)
    body = _object_body(request, {"date", "instrument", "value", "idempotency_key"})
    try:
        services.assessment_record(
            author=request.user,
            patient_id=patient.pk,
            date=body.get("date"),
            instrument=body.get("instrument"),
            value=body.get("value"),
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
    patient = patient_get_for_editor(user=request.user, patient_id=patient_id)
    body = _object_body(request, {"therapy", "start_date", "end_date", "regimen", "idempotency_key"})
    try:
        services.treatment_record(
            author=request.user,
            patient_id=patient.pk,
            therapy=body.get("therapy"),
            start_date=body.get("start_date"),
            end_date=body.get("end_date"),
            regimen=body.get("regimen"),
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
    patient = patient_get_for_editor(user=request.user, patient_id=patient_id)
    body = _object_body(request, {"date", "amount_mg", "given_by", "idempotency_key"})
    given_by = body.get("given_by", "")
    if not isinstance(given_by, str) or len(given_by) > 200:
        raise InvalidRequest([("given_by", "must be text of at most 200 characters")])
    try:
        services.dose_record(
            author=request.user,
            patient_id=patient.pk,
            treatment_id=treatment_id,
            date=body.get("date"),
            amount_mg=body.get("amount_mg"),
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
    patient = patient_get_for_editor(user=request.user, patient_id=patient_id)
    body = _object_body(request, {"date", "tests", "idempotency_key"})
    tests = body.get("tests")
    if not isinstance(tests, list) or not all(isinstance(test, str) for test in tests):
        raise InvalidRequest([("tests", "must be a list of test names")])
    try:
        services.lab_tests_record(
            author=request.user,
            patient_id=patient.pk,
            date=body.get("date"),
            tests=tests,
            as_of=timezone.localdate(),
            idempotency_key=body.get("idempotency_key"),
        )
    except InvalidInput as error:
        raise _shift_paths(error, "lab_tests[") from None
    patient.refresh_from_db(fields=["version"])
    return Status(201, {"patient_id": patient.pk, "version": patient.version})


@router.get(
    "/{patient_id}/care-plan.pdf",
    response=error_responses(401, 404),
    summary="The care plan as a PDF",
    openapi_extra={
        "responses": {200: {"description": "A PDF document.", "content": {"application/pdf": {}}}}
    },
)
def careplan_pdf_endpoint(
    request: HttpRequest, patient_id: int, params: Query[EvaluationParams]
) -> HttpResponse:
    patient = patient_get_for_user(user=request.user, patient_id=patient_id)
    as_of = as_of_date(params.as_of, today=timezone.localdate())
    document = careplan_document(patient, as_of=as_of, region=params.region)
    audit_record(
        actor=request.user, patient_id=patient.pk, action=AuditAction.EXPORT, what="care plan PDF (API)"
    )
    return HttpResponse(careplan_pdf(document), content_type="application/pdf")


@router.get(
    "/{patient_id}/care-plan/fhir",
    response=error_responses(401, 404, 422),
    summary="The record and its care plan as a FHIR R4 Bundle",
    openapi_extra={
        "responses": {
            200: {
                "description": "A FHIR R4 collection Bundle: the Patient, the Condition, genetic results, "
                "measurements, treatments, doses, safety tests and the CarePlan, every reference resolvable.",
                "content": {"application/fhir+json": {}},
            }
        }
    },
)
def careplan_fhir_endpoint(
    request: HttpRequest, patient_id: int, params: Query[EvaluationParams]
) -> HttpResponse:
    patient = patient_get_for_user(user=request.user, patient_id=patient_id)
    as_of = as_of_date(params.as_of, today=timezone.localdate())
    document = careplan_document(patient, as_of=as_of, region=params.region)
    if document.result is None:
        raise InvalidInput(document.evaluation.problems)
    audit_record(
        actor=request.user, patient_id=patient.pk, action=AuditAction.EXPORT, what="record FHIR Bundle (API)"
    )
    bundle = record_bundle(document, generated_at=timezone.now())
    return JsonResponse(bundle, content_type="application/fhir+json")

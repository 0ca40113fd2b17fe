"""The care plan of a stored record over the JSON API (`/api/v1/patients/{id}/care-plan...`): the PDF and
the FHIR CarePlan. The same chokepoint and audit as the pages; mounted beside the patients' endpoints."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Query, Router
from ninja.security import django_auth

from smanav.accounts.api_auth import ApiTokenAuth
from smanav.audit.purposes import Purpose
from smanav.careplans.documents import careplan_document
from smanav.careplans.fhir import record_bundle
from smanav.careplans.pdf import careplan_pdf
from smanav.jsonapi.documents import as_of_date
from smanav.jsonapi.errors import error_responses
from smanav.patients.access import patient_get_for_user
from smanav.patients.api import EvaluationParams
from smanav_core import InvalidInput

router = Router(tags=["patients"], auth=[ApiTokenAuth(), django_auth])


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
    as_of = as_of_date(params.as_of, today=timezone.localdate())
    patient = patient_get_for_user(
        user=request.user, patient_id=patient_id, purpose=Purpose.export("care plan PDF (API)")
    )
    document = careplan_document(patient, as_of=as_of, region=params.region)
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
    as_of = as_of_date(params.as_of, today=timezone.localdate())
    patient = patient_get_for_user(
        user=request.user, patient_id=patient_id, purpose=Purpose.export("record FHIR Bundle (API)")
    )
    document = careplan_document(patient, as_of=as_of, region=params.region)
    if document.result is None:
        raise InvalidInput(document.evaluation.problems)
    bundle = record_bundle(document, generated_at=timezone.now())
    return JsonResponse(bundle, content_type="application/fhir+json")

"""Care-plan documents of one record: chart images, the PDF and the FHIR CarePlan. The same access
chokepoint as the record pages; every export is audited."""

from __future__ import annotations

from csp.decorators import csp_exempt
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from smanav.accounts.decorators import signed_in
from smanav.accounts.http import AuthenticatedHttpRequest
from smanav.audit.purposes import Purpose
from smanav.careplans.documents import careplan_document
from smanav.careplans.fhir import careplan_fhir
from smanav.careplans.pdf import careplan_pdf
from smanav.patients.access import patient_get_for_user
from smanav_core.codes import Region


def _region(request: HttpRequest) -> str | None:
    asked = request.GET.get("region", "")
    return asked if asked in {r.value for r in Region} else None


# django-csp types a view as taking the request alone, not its URL arguments.
@csp_exempt()  # type: ignore[arg-type]
@signed_in
@never_cache
def chart(request: AuthenticatedHttpRequest, patient_id: int, instrument: str) -> HttpResponse:
    patient = patient_get_for_user(
        user=request.user, patient_id=patient_id, purpose=Purpose.page(f"chart {instrument}")
    )
    document = careplan_document(patient, as_of=timezone.localdate(), region=_region(request))
    found = next((c for c in document.charts if c.instrument == instrument), None)
    if found is None:
        raise Http404("No measurements of that instrument.")
    response = HttpResponse(found.svg(), content_type="image/svg+xml")
    # The SVG is an image, not a page: it may carry matplotlib's own style attributes.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@signed_in
@never_cache
def pdf(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_get_for_user(
        user=request.user, patient_id=patient_id, purpose=Purpose.export("care plan PDF")
    )
    document = careplan_document(patient, as_of=timezone.localdate(), region=_region(request))
    response = HttpResponse(careplan_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="care-plan-{patient.pk}-{document.as_of.isoformat()}.pdf"'
    )
    return response


@signed_in
@never_cache
def fhir(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_get_for_user(
        user=request.user, patient_id=patient_id, purpose=Purpose.export("care plan FHIR")
    )
    document = careplan_document(patient, as_of=timezone.localdate(), region=_region(request))
    if document.result is None:
        return JsonResponse(
            {
                "errors": [
                    {"field": field, "message": message} for field, message in document.evaluation.problems
                ]
            },
            status=422,
        )
    response = JsonResponse(careplan_fhir(document), content_type="application/fhir+json")
    response["Content-Disposition"] = f'attachment; filename="care-plan-{patient.pk}.fhir.json"'
    return response

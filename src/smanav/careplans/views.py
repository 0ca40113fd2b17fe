"""Care-plan documents of one record: chart images, the PDF and the FHIR CarePlan. The same access
chokepoint as the record pages; every export is audited."""

from __future__ import annotations

from csp.decorators import csp_exempt
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from smanav.accounts.decorators import signed_in
from smanav.audit.models import AuditAction
from smanav.audit.services import audit_record
from smanav.careplans.documents import careplan_document
from smanav.careplans.fhir import careplan_fhir
from smanav.careplans.pdf import careplan_pdf
from smanav.patients.access import patient_get_for_user
from smanav.web.user_locale import PaperSize
from smanav_core.codes import Region


def _region(request: HttpRequest) -> str | None:
    asked = request.GET.get("region", "")
    return asked if asked in {r.value for r in Region} else None


@csp_exempt()
@signed_in
@never_cache
def chart(request: HttpRequest, patient_id: int, instrument: str) -> HttpResponse:
    patient = patient_get_for_user(user=request.user, patient_id=patient_id)
    document = careplan_document(patient, as_of=timezone.localdate(), region=_region(request))
    found = next((c for c in document.charts if c.instrument == instrument), None)
    if found is None:
        raise Http404("No measurements of that instrument.")
    audit_record(
        actor=request.user, patient_id=patient.pk, action=AuditAction.VIEW, what=f"chart {instrument}"
    )
    response = HttpResponse(found.svg(), content_type="image/svg+xml")
    # The SVG is an image, not a page: it may carry matplotlib's own style attributes.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@signed_in
@never_cache
def pdf(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_get_for_user(user=request.user, patient_id=patient_id)
    document = careplan_document(patient, as_of=timezone.localdate(), region=_region(request))
    audit_record(actor=request.user, patient_id=patient.pk, action=AuditAction.EXPORT, what="care plan PDF")
    # `?paper=letter` or `?paper=A4` prints on the other size; otherwise the reader's (`paper_for_reader`).
    paper = next(
        (size for size in PaperSize if size.value.lower() == request.GET.get("paper", "").lower()), None
    )
    response = HttpResponse(careplan_pdf(document, paper=paper), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="care-plan-{patient.pk}-{document.as_of.isoformat()}.pdf"'
    )
    return response


@signed_in
@never_cache
def fhir(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_get_for_user(user=request.user, patient_id=patient_id)
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
    audit_record(actor=request.user, patient_id=patient.pk, action=AuditAction.EXPORT, what="care plan FHIR")
    response = JsonResponse(careplan_fhir(document), content_type="application/fhir+json")
    response["Content-Disposition"] = f'attachment; filename="care-plan-{patient.pk}.fhir.json"'
    return response

"""Documents of one record (chart images, the PDF, the FHIR Bundle) and "Download my data". The same
access chokepoint as the record pages; every export is audited, record by record."""

from __future__ import annotations

from csp.decorators import csp_exempt
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache

from smanav.accounts.decorators import signed_in
from smanav.accounts.http import AuthenticatedHttpRequest
from smanav.audit.purposes import Purpose
from smanav.careplans.data_export import data_zip, folder_name
from smanav.careplans.documents import careplan_document
from smanav.careplans.fhir import record_bundle
from smanav.careplans.pdf import careplan_pdf, careplan_pdf_filename
from smanav.patients.access import patient_get_for_user, patient_list_for_family
from smanav.patients.models import Patient
from smanav.user_locale import PaperSize
from smanav_core.codes import Region

DATA_DOWNLOAD = "data download (record JSON and FHIR Bundle)"


def _region(request: HttpRequest) -> str | None:
    asked = request.GET.get("region", "")
    return asked if asked in {r.value for r in Region} else None


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    # Django writes `filename*=` (RFC 6266) when the name is not plain ASCII, such as "Zoë".
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


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
    # `?paper=letter` or `?paper=A4` prints on the other size; otherwise the reader's (`paper_for_reader`).
    paper = next(
        (size for size in PaperSize if size.value.lower() == request.GET.get("paper", "").lower()), None
    )
    response = HttpResponse(careplan_pdf(document, paper=paper), content_type="application/pdf")
    return _attachment(response, careplan_pdf_filename(document))


@signed_in
@never_cache
def fhir(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    """The record as a FHIR R4 Bundle (with the care plan when the record can be evaluated)."""
    patient = patient_get_for_user(
        user=request.user, patient_id=patient_id, purpose=Purpose.export("FHIR Bundle")
    )
    document = careplan_document(patient, as_of=timezone.localdate(), region=_region(request))
    bundle = record_bundle(document, generated_at=timezone.now())
    response = JsonResponse(bundle, content_type="application/fhir+json", json_dumps_params={"indent": 2})
    return _attachment(response, f"{folder_name(patient)}-{document.as_of.isoformat()}.fhir.json")


@signed_in
@never_cache
def my_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What "Download my data" holds, and the one button that downloads it."""
    records = patient_list_for_family(user=request.user, purpose=Purpose.page("data download page"))
    return render(request, "careplans/my_data.html", {"records": records})


@signed_in
@never_cache
def my_data_download(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every record the account manages, in one ZIP."""
    records = patient_list_for_family(user=request.user, purpose=Purpose.export(DATA_DOWNLOAD))
    if not records:
        raise Http404("No records to download.")
    today = timezone.localdate()
    return _zip_response(request, records, f"smanav-my-data-{today.isoformat()}.zip")


@signed_in
@never_cache
def record_data_download(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    """One record, in one ZIP, for anybody who may see it."""
    patient = patient_get_for_user(
        user=request.user, patient_id=patient_id, purpose=Purpose.export(DATA_DOWNLOAD)
    )
    today = timezone.localdate()
    return _zip_response(request, [patient], f"smanav-data-{folder_name(patient)}-{today.isoformat()}.zip")


def _zip_response(request: AuthenticatedHttpRequest, records: list[Patient], filename: str) -> HttpResponse:
    # Each record was audited as it was handed out (`Purpose.export(DATA_DOWNLOAD)`).
    content = data_zip(records, as_of=timezone.localdate(), generated_at=timezone.now())
    return _attachment(HttpResponse(content, content_type="application/zip"), filename)

"""The page on which a clinician acknowledges an alert of a record. Thin, like the record's pages: the
editor chokepoint finds the record (and audits the read), the service keeps the acknowledgement."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from smanav.accounts.decorators import signed_in
from smanav.accounts.http import AuthenticatedHttpRequest
from smanav.accounts.roles import Role, role_of
from smanav.audit.purposes import Purpose
from smanav.patients import services
from smanav.patients.access import patient_get_for_editor, user_manages_patient
from smanav.patients.alerts import shown_alerts_of
from smanav.patients.forms import AcknowledgementForm
from smanav.patients.seam import evaluate_patient
from smanav_core.codes import Region

REGION_CODES = tuple(region.value for region in Region)


@signed_in
@require_http_methods(["GET", "POST"])
def alert_acknowledge(request: AuthenticatedHttpRequest, patient_id: int, fingerprint: str) -> HttpResponse:
    """A clinician acknowledges one alert of the record, with a note; the page asks first."""
    patient = patient_get_for_editor(
        user=request.user, patient_id=patient_id, purpose=Purpose.page("alert acknowledgement form")
    )
    if role_of(request.user) is not Role.CLINICIAN:
        raise Http404("Only clinicians acknowledge alerts.")
    asked = request.GET.get("region", "")
    region = (asked if asked in REGION_CODES else "") or patient.region or None
    today = timezone.localdate()
    result = evaluate_patient(patient, as_of=today, region=region).result
    alerts = shown_alerts_of({patient.pk: () if result is None else result.alerts})[patient.pk]
    shown = next((alert for alert in alerts if alert.fingerprint == fingerprint), None)
    form = AcknowledgementForm(request.POST or None)
    if shown is not None and request.method == "POST" and form.is_valid():
        try:
            services.alert_acknowledge(
                author=request.user,
                patient_id=patient.pk,
                fingerprint=fingerprint,
                note=form.cleaned_data["note"],
                as_of=today,
                region=region,
            )
        except services.AlertNotCurrent:
            shown = None
        else:
            messages.success(request, _("The alert was acknowledged."))
            return redirect("patients:detail", patient_id=patient.pk)
    context = {
        "patient": patient,
        "may_edit": True,
        "manages": user_manages_patient(user=request.user, patient=patient),
        "form": form,
        "shown": shown,
        "region": region or "",
    }
    status = 404 if shown is None else (422 if request.method == "POST" and form.errors else 200)
    return render(request, "patients/alert_acknowledge.html", context, status=status)

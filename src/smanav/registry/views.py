"""The family's consent page: what each consent means, how it stands, and buttons to give or withdraw
it. Thin: the patients' chokepoint finds (and audits) the record; the services change the consents."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smanav.accounts.decorators import signed_in
from smanav.accounts.http import AuthenticatedHttpRequest
from smanav.audit.purposes import Purpose
from smanav.patients.access import patient_get_for_manager, user_may_edit_patient
from smanav.patients.models import Guardian, GuardianRelation, Patient
from smanav.registry import selectors, services
from smanav.registry.consent import comes_of_age_on, decides_for_themselves
from smanav.registry.forms import ConsentDecisionForm
from smanav.registry.models import ConsentPurpose
from smanav.registry.texts import publish_missing


def _today() -> dt.date:
    return timezone.localdate()


@signed_in
def consent_page(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_get_for_manager(
        user=request.user, patient_id=patient_id, purpose=Purpose.page("consent")
    )
    return _render(request, patient=patient, form=None, status=200)


def _render(
    request: AuthenticatedHttpRequest, *, patient: Patient, form: ConsentDecisionForm | None, status: int
) -> HttpResponse:
    """The page, for a record the chokepoint has just handed out (and audited)."""
    today = _today()
    adult = decides_for_themselves(birth_date=patient.birth_date, region=patient.region, on=today)
    publish_missing()
    texts = selectors.current_texts(on=today)
    labels = dict(ConsentPurpose.choices)
    rows = [
        {"state": state, "label": labels[state.purpose], "text": texts.get(state.purpose)}
        for state in selectors.consent_states(patient=patient, on=today)
    ]
    context = {
        "patient": patient,
        "rows": rows,
        "form": form,
        "manages": True,
        "may_edit": user_may_edit_patient(user=request.user, patient=patient),
        "adult": adult,
        # A parent of someone who has come of age may withdraw a consent but no longer give one.
        "may_give": not adult
        or Guardian.objects.filter(
            patient=patient, user_id=request.user.pk, relation=GuardianRelation.SELF
        ).exists(),
        "comes_of_age_on": comes_of_age_on(birth_date=patient.birth_date, region=patient.region),
        "review_due_on": selectors.review_due_date(patient=patient),
        "today": today,
    }
    return render(request, "registry/consent.html", context, status=status)


def _decide(request: AuthenticatedHttpRequest, patient_id: int, *, give: bool) -> HttpResponse:
    patient = patient_get_for_manager(
        user=request.user, patient_id=patient_id, purpose=Purpose.page("consent decision")
    )
    form = ConsentDecisionForm(request.POST)
    if not form.is_valid():
        return _render(request, patient=patient, form=form, status=422)
    purpose = form.cleaned_data["purpose"]
    label = str(ConsentPurpose(purpose).label)
    try:
        if give:
            version = form.cleaned_data["text_version"]
            if version is None:
                form.add_error("text_version", _("Reload the page and read the text again."))
                return _render(request, patient=patient, form=form, status=422)
            services.consent_give(
                author=request.user, patient_id=patient.pk, purpose=purpose, text_version=version, on=_today()
            )
            messages.success(request, _("Consent given: %(purpose)s.") % {"purpose": label})
        else:
            services.consent_withdraw(author=request.user, patient_id=patient.pk, purpose=purpose)
            messages.success(
                request,
                _(
                    "Consent withdrawn: %(purpose)s. From now on the record is left out of everything done "
                    "for it."
                )
                % {"purpose": label},
            )
    except services.ConsentRefused as refusal:
        form.add_error(None, refusal.message)
        return _render(request, patient=patient, form=form, status=422)
    return redirect("registry:consent", patient_id=patient.pk)


@signed_in
@require_POST
def consent_give(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    return _decide(request, patient_id, give=True)


@signed_in
@require_POST
def consent_withdraw(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    return _decide(request, patient_id, give=False)


@signed_in
@require_POST
def consent_review(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_get_for_manager(
        user=request.user, patient_id=patient_id, purpose=Purpose.page("consent review")
    )
    services.consent_review_confirm(author=request.user, patient_id=patient.pk, on=_today())
    messages.success(request, _("Thank you: the data and consents are marked as checked today."))
    return redirect("registry:consent", patient_id=patient.pk)

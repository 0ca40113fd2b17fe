"""The record's registry page: what the family and the clinic reported, where they disagree, and forms
to report. Thin: the patients' chokepoints find (and audit) the record; `registry.reporting` writes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smanav.accounts.decorators import signed_in
from smanav.accounts.http import AuthenticatedHttpRequest
from smanav.audit.purposes import Purpose
from smanav.patients.access import patient_get_for_editor, patient_get_for_user, user_may_edit_patient
from smanav.patients.models import Patient
from smanav.registry import reporting
from smanav.registry.forms import HOSPITAL_REASON_CHOICES, ConflictForm, ReportForm
from smanav.registry.models import ReportedBy, ReportedItem, ReportedValue
from smanav.registry.reported import Comparison, Side, key_words, value_words
from smanav.registry.selectors_reported import clinical_reporter, comparisons_for, reported_values_for
from smanav.vocabulary import FEEDING_LABELS, MILESTONE_LABELS, THERAPY_LABELS, label


def _date(value: Any) -> str:
    return "" if value is None else str(formats.date_format(value, "DATE_FORMAT"))


def _row_words(row: ReportedValue) -> str:
    """One report in plain words (no codes)."""
    item = row.item
    if item == ReportedItem.SYMPTOM_ONSET:
        return _("First signs at %(months)s months of age") % {"months": f"{row.number:g}"}
    if item in (ReportedItem.MILESTONE_ACHIEVED, ReportedItem.MILESTONE_LOST):
        return f"{label(MILESTONE_LABELS, row.code)}, {_date(row.date)}"
    if item == ReportedItem.VENTILATION_HOURS:
        words = _("%(hours)s hours a day") % {"hours": f"{row.number:g}"}
        return (
            words
            if row.date is None
            else _("%(words)s, since %(date)s") % {"words": words, "date": _date(row.date)}
        )
    if item == ReportedItem.FEEDING:
        words = label(FEEDING_LABELS, row.code)
        return (
            words
            if row.date is None
            else _("%(words)s, since %(date)s") % {"words": words, "date": _date(row.date)}
        )
    if item == ReportedItem.HOSPITAL_STAY:
        reason = str(dict(HOSPITAL_REASON_CHOICES).get(row.code, row.code))
        if row.end_date is None:
            return _("From %(start)s, still there (%(reason)s)") % {
                "start": _date(row.date),
                "reason": reason,
            }
        return _("From %(start)s to %(end)s (%(reason)s)") % {
            "start": _date(row.date),
            "end": _date(row.end_date),
            "reason": reason,
        }
    treatment = label(THERAPY_LABELS, row.code) if row.code else _("treatment not named")
    return f"{_date(row.date)}, {treatment}: {row.note}"


def _side_words(key: str, side: Side | None) -> str:
    if side is None:
        return ""
    if key.startswith(("milestone_achieved:", "milestone_lost:")):
        return _date(side.row.date if side.row is not None else None)
    words = value_words(key, side)
    return words if side.row is not None else _("%(words)s (in the clinical record)") % {"words": words}


def _conflicts(comparisons: list[Comparison]) -> list[dict[str, Any]]:
    return [
        {
            "comparison": comparison,
            "words": key_words(comparison.key),
            "family": _side_words(comparison.key, comparison.family),
            "clinic": _side_words(comparison.key, comparison.clinic),
            "form": ConflictForm(
                initial={
                    "key": comparison.key,
                    "family_value": comparison.family.value if comparison.family else "",
                    "clinic_value": comparison.clinic.value if comparison.clinic else "",
                },
                prefix=f"c{index}",
            ),
            "prefix": f"c{index}",
        }
        for index, comparison in enumerate(comparisons)
        if not comparison.agrees
    ]


def _render(
    request: AuthenticatedHttpRequest,
    *,
    patient: Patient,
    form: ReportForm | None = None,
    conflict_error: str = "",
    status: int = 200,
) -> HttpResponse:
    reporter = reporting.reporter_of(user=request.user, patient=patient)
    comparisons = comparisons_for(patient=patient)
    rows = [
        {
            "row": row,
            "item": ReportedItem(row.item).label,
            "words": _row_words(row),
            "mine": row.reported_by == reporter,
        }
        for row in reported_values_for(patient=patient)
    ]
    context = {
        "patient": patient,
        "rows": rows,
        "conflicts": _conflicts(comparisons),
        "open_count": sum(1 for c in comparisons if c.open),
        "reporter": reporter,
        "is_clinic": reporter == ReportedBy.CLINIC,
        "clinical_reporter": clinical_reporter(patient),
        "form": form or ReportForm(),
        "conflict_error": conflict_error,
        "may_edit": user_may_edit_patient(user=request.user, patient=patient),
        "today": timezone.localdate(),
    }
    return render(request, "registry/reported.html", context, status=status)


@signed_in
def registry_page(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_get_for_user(user=request.user, patient_id=patient_id, purpose=Purpose.page("registry"))
    return _render(request, patient=patient)


@signed_in
@require_POST
def report_add(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_get_for_editor(
        user=request.user, patient_id=patient_id, purpose=Purpose.page("registry report")
    )
    form = ReportForm(request.POST)
    if not form.is_valid():
        return _render(request, patient=patient, form=form, status=422)
    try:
        reporting.reported_value_add(
            author=request.user, patient_id=patient.pk, on=timezone.localdate(), **form.report()
        )
    except reporting.ReportRefused as refusal:
        form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        return _render(request, patient=patient, form=form, status=422)
    messages.success(request, _("Thank you: it is in the registry record."))
    return redirect("registry:reported", patient_id=patient.pk)


@signed_in
@require_POST
def report_remove(request: AuthenticatedHttpRequest, patient_id: int, value_id: int) -> HttpResponse:
    patient = patient_get_for_editor(
        user=request.user, patient_id=patient_id, purpose=Purpose.page("registry report taken back")
    )
    try:
        reporting.reported_value_remove(author=request.user, patient_id=patient.pk, value_id=value_id)
    except reporting.ReportRefused as refusal:
        return _render(request, patient=patient, conflict_error=refusal.message, status=422)
    messages.success(request, _("Taken back. It stays in the record's history."))
    return redirect("registry:reported", patient_id=patient.pk)


@signed_in
@require_POST
def conflict_resolve(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_get_for_editor(
        user=request.user, patient_id=patient_id, purpose=Purpose.page("registry disagreement")
    )
    prefix = str(request.POST.get("prefix", ""))[:10]
    form = ConflictForm(request.POST, prefix=prefix or None)
    if not form.is_valid():
        problems = "; ".join(
            f"{form.fields[name].label}: {' '.join(str(e) for e in errors)}"
            if name in form.fields
            else " ".join(str(e) for e in errors)
            for name, errors in form.errors.items()
        )
        return _render(request, patient=patient, conflict_error=problems, status=422)
    try:
        reporting.conflict_resolve(author=request.user, patient_id=patient.pk, **form.cleaned_data)
    except reporting.ReportRefused as refusal:
        words = refusal.message
        if refusal.field in form.fields:
            words = f"{form.fields[refusal.field].label}: {words}"
        return _render(request, patient=patient, conflict_error=words, status=422)
    messages.success(request, _("Decision kept. Both reports stay as they were."))
    return redirect("registry:reported", patient_id=patient.pk)

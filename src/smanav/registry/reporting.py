"""The write path of the registry's reported values: a family or a clinic reports an item, takes a
report back, and a clinician resolves a disagreement. Every change is audited on the record's trail.

Who reported a value is decided here from the author, never from the form: a guardian of the record
(a parent, or the person themselves) reports for the family; a clinician of a clinic the record is
shared with, past a second factor, reports for the clinic. Coordinators only read.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from smanav.accounts.models import User
from smanav.accounts.roles import Role, clinic_of, has_verified_second_factor, role_of
from smanav.audit.models import AuditAction
from smanav.audit.services import audit_record
from smanav.patients.models import ClinicShare, Guardian, Patient
from smanav.registry.models import (
    ConflictDecision,
    ConflictResolution,
    ReportedBy,
    ReportedItem,
    ReportedValue,
)
from smanav.registry.reported import MILESTONE_ORDER
from smanav.registry.selectors_reported import comparisons_for
from smanav_core.codes import Feeding, TreatmentTherapy

HOSPITAL_REASONS = ("breathing", "surgery", "treatment", "other")


class ReportRefused(Exception):
    """The report cannot be kept. `field` names the form's input at fault (`registry.forms`) and
    `message` says what is wrong with it (the page puts the field's label first); with no `field`,
    `message` says it all."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def reporter_of(*, user: User, patient: Patient) -> str | None:
    """ReportedBy.FAMILY for a guardian, ReportedBy.CLINIC for a clinician of a sharing clinic past a
    second factor, None for everyone else (they may not report)."""
    if Guardian.objects.filter(patient=patient, user_id=user.pk).exists():
        return ReportedBy.FAMILY
    if role_of(user) is not Role.CLINICIAN or not has_verified_second_factor(user):
        return None
    shared = ClinicShare.objects.filter(patient=patient, clinic=clinic_of(user), withdrawn_at__isnull=True)
    return ReportedBy.CLINIC if shared.exists() else None


def _check_date(value: dt.date | None, *, patient: Patient, on: dt.date, field: str) -> None:
    if value is None:
        return
    if value > on:
        raise ReportRefused("the date is in the future.", field=field)
    if value < patient.birth_date:
        raise ReportRefused("the date is before the date of birth.", field=field)


def _check(
    *,
    patient: Patient,
    item: str,
    code: str,
    number: float | None,
    date: dt.date | None,
    end_date: dt.date | None,
    note: str,
    on: dt.date,
) -> None:
    """Refuse what the item cannot hold. Field names are the form's (`registry.forms.ReportForm`)."""
    if item == ReportedItem.SYMPTOM_ONSET:
        if number is None:
            raise ReportRefused("enter a number.", field="onset_months")
        age_months = (on - patient.birth_date).days / 30.4375
        if not 0 <= number <= age_months + 1:
            raise ReportRefused(
                "it must be from 0 to the person's age now, in months.",
                field="onset_months",
            )
    elif item in (ReportedItem.MILESTONE_ACHIEVED, ReportedItem.MILESTONE_LOST):
        if code not in MILESTONE_ORDER or code == "none":
            raise ReportRefused("choose one from the list.", field="milestone")
        if date is None:
            raise ReportRefused("enter the date.", field="milestone_on")
        _check_date(date, patient=patient, on=on, field="milestone_on")
    elif item == ReportedItem.VENTILATION_HOURS:
        if number is None or not 0 <= number <= 24:
            raise ReportRefused("enter a number from 0 to 24.", field="ventilation_hours")
        _check_date(date, patient=patient, on=on, field="ventilation_from")
    elif item == ReportedItem.FEEDING:
        if code not in [f.value for f in Feeding]:
            raise ReportRefused("choose one from the list.", field="feeding")
        _check_date(date, patient=patient, on=on, field="feeding_from")
    elif item == ReportedItem.HOSPITAL_STAY:
        if date is None:
            raise ReportRefused("enter the date.", field="admitted_on")
        _check_date(date, patient=patient, on=on, field="admitted_on")
        _check_date(end_date, patient=patient, on=on, field="discharged_on")
        if end_date is not None and end_date < date:
            raise ReportRefused("the date is before the day they went into hospital.", field="discharged_on")
        if code not in HOSPITAL_REASONS:
            raise ReportRefused("choose one from the list.", field="stay_reason")
    elif item == ReportedItem.ADVERSE_EVENT:
        if date is None:
            raise ReportRefused("enter the date.", field="event_on")
        _check_date(date, patient=patient, on=on, field="event_on")
        if code and code not in [t.value for t in TreatmentTherapy]:
            raise ReportRefused("choose one from the list.", field="event_treatment")
        if not note.strip():
            raise ReportRefused("say in a few words.", field="event_what")
    else:
        raise ReportRefused("Choose what you are telling us about.", field="item")


@transaction.atomic
def reported_value_add(
    *,
    author: User,
    patient_id: int,
    item: str,
    on: dt.date,
    code: str = "",
    number: float | None = None,
    date: dt.date | None = None,
    end_date: dt.date | None = None,
    note: str = "",
) -> ReportedValue:
    """Keep one report of `item` for the record, as the family's or the clinic's (from `author`)."""
    patient = Patient.objects.select_for_update().get(pk=patient_id)
    source = reporter_of(user=author, patient=patient)
    if source is None:
        raise ReportRefused("Only the family or the clinic caring for this person can add to the registry.")
    _check(
        patient=patient, item=item, code=code, number=number, date=date, end_date=end_date, note=note, on=on
    )
    row = ReportedValue.objects.create(
        patient=patient,
        item=item,
        reported_by=source,
        code=code,
        number=number,
        date=date,
        end_date=end_date,
        note=note.strip(),
        author=author,
    )
    audit_record(
        actor=author,
        clinic=clinic_of(author),
        patient_id=patient.pk,
        action=AuditAction.CHANGE,
        what=f"registry item {item} {ReportedBy(source).label}",
    )
    return row


@transaction.atomic
def reported_value_remove(*, author: User, patient_id: int, value_id: int) -> ReportedValue:
    """Take back a report: the row stays, marked removed. Each side takes back only its own reports."""
    patient = Patient.objects.select_for_update().get(pk=patient_id)
    source = reporter_of(user=author, patient=patient)
    row = ReportedValue.objects.filter(pk=value_id, patient=patient, removed_at__isnull=True).first()
    if row is None or source is None or row.reported_by != source:
        raise ReportRefused("That entry cannot be taken back here: it is gone, or the other side made it.")
    row.removed_at = timezone.now()
    row.removed_by = author
    row.save(update_fields=["removed_at", "removed_by"])
    audit_record(
        actor=author,
        clinic=clinic_of(author),
        patient_id=patient.pk,
        action=AuditAction.CHANGE,
        what=f"registry item {row.item} {ReportedBy(row.reported_by).label} taken back",
    )
    return row


@transaction.atomic
def conflict_resolve(
    *,
    author: User,
    patient_id: int,
    key: str,
    family_value: str,
    clinic_value: str,
    decision: str,
    note: str = "",
) -> ConflictResolution:
    """A clinician decides a disagreement as it was shown (both values): the family's value is right, the
    clinic's is, or both stand with a note. Nothing is merged or overwritten: the decision is a row of
    its own, and the reports stay as they were."""
    patient = Patient.objects.select_for_update().get(pk=patient_id)
    if reporter_of(user=author, patient=patient) != ReportedBy.CLINIC:
        raise ReportRefused("Only a clinician of the clinic caring for this person can resolve this.")
    if decision not in ConflictDecision.values:
        raise ReportRefused("choose one of the answers.", field="decision")
    if decision == ConflictDecision.NOTED and not note.strip():
        raise ReportRefused("say why both values stand.", field="note")
    current = {c.key: c for c in comparisons_for(patient=patient) if c.open}
    shown = current.get(key)
    if (
        shown is None
        or shown.family is None
        or shown.clinic is None
        or (shown.family.value, shown.clinic.value) != (family_value, clinic_value)
    ):
        raise ReportRefused(
            "This disagreement has changed or was resolved since the page was shown. Look again."
        )
    resolution = ConflictResolution.objects.create(
        patient=patient,
        key=key,
        family_value=family_value,
        clinic_value=clinic_value,
        decision=decision,
        note=note.strip(),
        by=author,
        by_label=author.get_full_name() or author.get_username(),
    )
    audit_record(
        actor=author,
        clinic=clinic_of(author),
        patient_id=patient.pk,
        action=AuditAction.CHANGE,
        what=f"registry disagreement on {key} resolved: {decision}",
    )
    return resolution

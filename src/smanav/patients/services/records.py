"""A record's own fields and its measurements: create, update, record and remove a measurement."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import IntegrityError, transaction

from smanav.accounts.models import User
from smanav.accounts.roles import clinic_of
from smanav.audit.models import AuditAction
from smanav.audit.services import audit_record
from smanav.patients.changes import ChangeKind, RecordChange
from smanav.patients.detail_changes import details_diff
from smanav.patients.models import Assessment, ClinicShare, Guardian, GuardianRelation, Patient
from smanav.patients.seam import assessment_entry, record_draft, record_for_patient
from smanav.patients.services.summaries import patient_summary_refresh
from smanav.patients.services.versioning import (
    NotInRecord,
    StaleRecord,
    already_applied,
    bump,
    lock,
    snapshot,
)
from smanav.patients.services.worklist_counts import counts_follow_share
from smanav_core.codes import Instrument
from smanav_core.validation import validate_record

# Top-level fields of the contract's record that live on `Patient` (besides `birth_date`).
DOCUMENT_FIELDS = (
    "region",
    "sex",
    "gestational_age_weeks",
    "weight_kg",
    "pregnant",
    "genetics",
    "clinical",
    "labs",
)


def _apply_document(patient: Patient, document: Mapping[str, object]) -> None:
    """Copy a validated record document's own fields onto the row (lists are rows of their own)."""
    patient.birth_date = dt.date.fromisoformat(str(document["birth_date"]))
    for name in DOCUMENT_FIELDS:
        value = document.get(name)
        if name in ("region", "sex"):
            value = value or ""
        setattr(patient, name, value)


@transaction.atomic
def patient_create(
    *,
    author: User,
    display_name: str,
    document: Mapping[str, object],
    as_of: dt.date,
    relation: str = GuardianRelation.PARENT,
    creation_key: str | None = None,
) -> Patient:
    """Create a record from a contract document (without treatments and assessments).

    A family member becomes its guardian; clinic staff share it with their clinic at once. The same
    `creation_key` twice (a double-submitted form) answers the record created the first time.
    """
    if creation_key:
        existing = Patient.objects.filter(creation_key=creation_key).first()
        if existing is not None:
            return existing
    validate_record({**document, "treatments": [], "assessments": []}, as_of=as_of)
    patient = Patient(display_name=display_name, creation_key=creation_key or None, created_by=author)
    _apply_document(patient, document)
    try:
        with transaction.atomic():
            patient.save()
    except IntegrityError:
        # Two submissions of one form raced: the other one won, answer its record.
        return Patient.objects.get(creation_key=creation_key)
    clinic = clinic_of(author)
    if clinic is None:
        Guardian.objects.create(patient=patient, user=author, relation=relation)
    else:
        ClinicShare.objects.create(patient=patient, clinic=clinic, invited_by=author)
        counts_follow_share(patient_id=patient.pk, clinic_id=clinic.pk, shared=True)
    # A new record has no measurements or treatments yet: nothing to read.
    record = record_for_patient(patient, assessments=(), treatments=())
    snapshot(
        patient, record=record, author=author, change=RecordChange(ChangeKind.CREATED), idempotency_key=None
    )
    patient_summary_refresh(patient=patient, as_of=as_of, record=record)
    audit_record(
        actor=author,
        clinic=clinic_of(author),
        patient_id=patient.pk,
        action=AuditAction.CREATE,
        what="record created",
    )
    return patient


@transaction.atomic
def patient_update(
    *,
    author: User,
    patient_id: int,
    base_version: int,
    display_name: str,
    document: Mapping[str, object],
    as_of: dt.date,
    idempotency_key: str | None = None,
) -> Patient:
    """Replace the record's own fields. Refused with `StaleRecord` if someone saved in between."""
    if already_applied(idempotency_key):
        return Patient.objects.get(pk=patient_id)
    patient = lock(patient_id)
    if patient.version != base_version:
        raise StaleRecord(current_version=patient.version)
    current = record_for_patient(patient)
    # The record's own fields from the form; its lists as they are.
    lists = {key: current[key] for key in ("treatments", "assessments", "lab_tests") if key in current}
    validate_record({**document, **lists}, as_of=as_of)
    changed = details_diff(current, document, name_before=patient.display_name, name_after=display_name)
    patient.display_name = display_name
    _apply_document(patient, document)
    bump(
        patient,
        author=author,
        change=RecordChange(ChangeKind.DETAILS_CHANGED, {"changed": changed}),
        idempotency_key=idempotency_key,
        as_of=as_of,
    )
    return patient


@transaction.atomic
def assessment_record(
    *,
    author: User,
    patient_id: int,
    date: dt.date,
    instrument: Instrument,
    value: float,
    as_of: dt.date,
    idempotency_key: str | None = None,
) -> Assessment | None:
    """Add one measurement. The core judges it in the whole record (range, not after `as_of`)."""
    if already_applied(idempotency_key):
        return None
    patient = lock(patient_id)
    draft = record_draft(patient)
    draft.assessments.append(assessment_entry(date, instrument, value))
    validate_record(draft.document(), as_of=as_of)
    assessment = Assessment.objects.create(
        patient=patient, date=date, instrument=str(instrument), value=float(value), recorded_by=author
    )
    change = RecordChange(
        ChangeKind.ASSESSMENT_RECORDED,
        {"instrument": assessment.instrument, "value": f"{assessment.value:g}", "date": date.isoformat()},
    )
    bump(patient, author=author, change=change, idempotency_key=idempotency_key, as_of=as_of)
    return assessment


@transaction.atomic
def assessment_delete(*, author: User, patient_id: int, assessment_id: int, as_of: dt.date) -> None:
    """Remove a measurement entered in error. The versions keep the record as it was before."""
    patient = lock(patient_id)
    assessment = patient.assessments.filter(pk=assessment_id).first()
    if assessment is None:
        raise NotInRecord(f"record {patient_id} has no measurement {assessment_id}")
    change = RecordChange(
        ChangeKind.ASSESSMENT_REMOVED,
        {
            "instrument": assessment.instrument,
            "value": f"{assessment.value:g}",
            "date": assessment.date.isoformat(),
        },
    )
    assessment.delete()
    bump(patient, author=author, change=change, idempotency_key=None, as_of=as_of)

"""What every change of a record does, whoever makes it: lock the row, bump its version, keep the whole
record as it stood afterwards, refresh the worklist summary and write the audit event."""

from __future__ import annotations

import datetime as dt

from smanav.accounts.models import User
from smanav.accounts.roles import clinic_of
from smanav.audit.models import AuditAction
from smanav.audit.services import audit_record
from smanav.patients.changes import RecordChange
from smanav.patients.models import Patient, PatientRecordVersion
from smanav.patients.seam import RecordDocument, record_for_patient
from smanav.patients.services.summaries import patient_summary_refresh


class StaleRecord(Exception):
    """The record changed since the form was opened; saving would overwrite someone else's change."""

    def __init__(self, *, current_version: int) -> None:
        self.current_version = current_version
        super().__init__(f"the record is now at version {current_version}")


class NotInRecord(Exception):
    """The measurement or treatment named is not part of the record (any more): removed already, or
    another record's."""


def author_label(user: User | None) -> str:
    return "system" if user is None else user.get_username()


def already_applied(idempotency_key: str | None) -> bool:
    """Whether a change with this key was saved already (a form sent twice, a client that retried)."""
    return (
        bool(idempotency_key)
        and PatientRecordVersion.objects.filter(idempotency_key=idempotency_key).exists()
    )


def lock(patient_id: int) -> Patient:
    return Patient.objects.select_for_update().get(pk=patient_id)


def snapshot(
    patient: Patient,
    *,
    record: RecordDocument,
    author: User | None,
    change: RecordChange,
    idempotency_key: str | None,
) -> None:
    PatientRecordVersion.objects.create(
        patient=patient,
        version=patient.version,
        record=record,
        summary=change.english(),
        change=change.kind.value,
        change_values=dict(change.values),
        author=author,
        author_label=author_label(author),
        idempotency_key=idempotency_key or None,
    )


def bump(
    patient: Patient, *, author: User, change: RecordChange, idempotency_key: str | None, as_of: dt.date
) -> None:
    """Save the row as the next version, keep the record, refresh the summary, audit the change."""
    patient.version += 1
    patient.save()
    # The record as saved, read once for the version that keeps it and for the worklist summary.
    record = record_for_patient(patient)
    snapshot(patient, record=record, author=author, change=change, idempotency_key=idempotency_key)
    patient_summary_refresh(patient=patient, as_of=as_of, record=record)
    audit_record(
        actor=author,
        clinic=clinic_of(author),
        patient_id=patient.pk,
        action=AuditAction.CHANGE,
        what=change.english(),
    )

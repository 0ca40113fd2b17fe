"""Clinicians acknowledge alerts: who saw which alert, when, with what note."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from smanav.accounts.models import User
from smanav.accounts.roles import Role, clinic_of, role_of
from smanav.audit.models import AuditAction
from smanav.audit.services import audit_record
from smanav.patients.alerts import alert_fingerprint
from smanav.patients.models import AlertAcknowledgement
from smanav.patients.seam import evaluate_record, record_for_patient
from smanav.patients.services.versioning import lock

NOTE_MAX_LENGTH = 1000


class AlertNotCurrent(Exception):
    """The alert is no longer what the record's evaluation says today (new data changed or removed it)."""


class NotAClinician(Exception):
    """Only clinicians acknowledge alerts; families and coordinators read them."""


def person_label(user: User) -> str:
    """A person as pages name them: their full name, or the name they sign in with."""
    return user.get_full_name().strip() or user.get_username()


@transaction.atomic
def alert_acknowledge(
    *,
    author: User,
    patient_id: int,
    fingerprint: str,
    note: str,
    as_of: dt.date,
    region: str | None = None,
) -> AlertAcknowledgement:
    """Note that `author` has seen the alert with `fingerprint`, as the record's evaluation on `as_of`
    says it now. Refused (and nothing kept) for anyone but a clinician, and for an alert the evaluation no
    longer gives. Audited."""
    if role_of(author) is not Role.CLINICIAN:
        raise NotAClinician
    patient = lock(patient_id)
    evaluation = evaluate_record(record_for_patient(patient), as_of=as_of, region=region)
    result = evaluation.result
    alerts = () if result is None else result.alerts
    alert = next((alert for alert in alerts if alert_fingerprint(alert) == fingerprint), None)
    if alert is None:
        raise AlertNotCurrent
    clinic = clinic_of(author)
    acknowledgement = AlertAcknowledgement.objects.create(
        patient=patient,
        fingerprint=fingerprint,
        code=alert.code.value,
        text=alert.text[:500],
        note=note.strip()[:NOTE_MAX_LENGTH],
        by=author,
        by_label=person_label(author),
        clinic=clinic,
    )
    audit_record(
        actor=author,
        clinic=clinic,
        patient_id=patient.pk,
        action=AuditAction.ACKNOWLEDGE,
        what=f"alert acknowledged: {alert.code.value.replace('_', ' ')}",
    )
    return acknowledgement

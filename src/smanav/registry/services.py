"""The one write path of consents: give, withdraw, confirm a review. Every change is audited on the
patient's trail (the same chokepoint as every other change of a record)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from smanav.accounts.models import User
from smanav.accounts.roles import clinic_of
from smanav.audit.models import AuditAction
from smanav.audit.services import audit_record
from smanav.patients.models import Guardian, GuardianRelation, Patient
from smanav.registry.consent import decides_for_themselves
from smanav.registry.models import Consent, ConsentGivenAs, ConsentPurpose, ConsentText
from smanav.registry.texts import publish_missing


class ConsentRefused(Exception):
    """The change cannot be made; `message` says why in words the family uses, `field` names the input
    at fault (None: not one input)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _locked(patient_id: int) -> Patient:
    return Patient.objects.select_for_update().get(pk=patient_id)


def _given_as(*, author: User, patient: Patient, on: dt.date) -> str:
    """Who gives the consent: the person, or a parent while the person is a child. A parent of a person
    who has come of age cannot: the person decides."""
    guardianship = Guardian.objects.filter(patient=patient, user_id=author.pk).first()
    if guardianship is None:
        raise ConsentRefused("Only the person, or a parent or carer who keeps the record, can decide this.")
    if guardianship.relation == GuardianRelation.SELF:
        return ConsentGivenAs.SELF
    if decides_for_themselves(birth_date=patient.birth_date, region=patient.region, on=on):
        raise ConsentRefused(
            f"{patient.display_name} is now old enough to decide. "
            f"{patient.display_name} needs to give this consent from their own account."
        )
    return ConsentGivenAs.PARENT


def _purpose_words(purpose: str) -> str:
    return str(ConsentPurpose(purpose).label).lower()


@transaction.atomic
def consent_give(*, author: User, patient_id: int, purpose: str, text_version: int, on: dt.date) -> Consent:
    """Record that the person (or a parent for a child) agrees to `purpose` as worded in `text_version`.

    A consent already in force for the purpose is replaced (withdrawn and given again), so the history
    shows which text each consent was given to."""
    if purpose not in ConsentPurpose.values:
        raise ConsentRefused("Choose what the consent is for.", field="purpose")
    patient = _locked(patient_id)
    publish_missing()
    text = ConsentText.objects.filter(purpose=purpose, version=text_version, published_on__lte=on).first()
    if text is None:
        raise ConsentRefused(
            "That version of the consent text does not exist. Reload the page and read it again.",
            field="text_version",
        )
    given_as = _given_as(author=author, patient=patient, on=on)
    Consent.objects.filter(patient=patient, purpose=purpose, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawn_by=author
    )
    consent = Consent.objects.create(
        patient=patient,
        purpose=purpose,
        text=text,
        given_as=given_as,
        given_on=on,
        given_by=author,
        reviewed_on=on,
    )
    audit_record(
        actor=author,
        clinic=clinic_of(author),
        patient_id=patient.pk,
        action=AuditAction.CHANGE,
        what=f"consent given ({given_as}) to {_purpose_words(purpose)}, text version {text.version}",
    )
    return consent


@transaction.atomic
def consent_withdraw(*, author: User, patient_id: int, purpose: str) -> Consent | None:
    """End the consent to `purpose` now: from this moment the record is left out of every export and
    dashboard for that purpose. Anyone who keeps the record may withdraw (also a parent of an adult, who
    could no longer give it). Withdrawing what is not in force changes nothing and answers None."""
    if purpose not in ConsentPurpose.values:
        raise ConsentRefused("Choose which consent to withdraw.", field="purpose")
    patient = _locked(patient_id)
    if not Guardian.objects.filter(patient=patient, user_id=author.pk).exists():
        raise ConsentRefused("Only the person, or a parent or carer who keeps the record, can decide this.")
    consent = Consent.objects.filter(patient=patient, purpose=purpose, withdrawn_at__isnull=True).first()
    if consent is None:
        return None
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = author
    consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    audit_record(
        actor=author,
        clinic=clinic_of(author),
        patient_id=patient.pk,
        action=AuditAction.CHANGE,
        what=f"consent to {_purpose_words(purpose)} withdrawn",
    )
    return consent


@transaction.atomic
def consent_review_confirm(*, author: User, patient_id: int, on: dt.date) -> int:
    """The participant reviewed their data and consents on `on`: the next invitation is counted from
    then. Answers how many consents in force were confirmed."""
    patient = _locked(patient_id)
    if not Guardian.objects.filter(patient=patient, user_id=author.pk).exists():
        raise ConsentRefused("Only the person, or a parent or carer who keeps the record, can decide this.")
    confirmed: int = Consent.objects.filter(patient=patient, withdrawn_at__isnull=True).update(reviewed_on=on)
    if confirmed:
        audit_record(
            actor=author,
            clinic=clinic_of(author),
            patient_id=patient.pk,
            action=AuditAction.CHANGE,
            what=f"data and consents reviewed ({confirmed} in force)",
        )
    return confirmed

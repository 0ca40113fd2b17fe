"""Which clinics see a record: the family invites a clinic, or withdraws its access."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from smanav.accounts.models import Clinic, User
from smanav.accounts.roles import clinic_of
from smanav.audit.models import AuditAction
from smanav.audit.services import audit_record
from smanav.patients.models import ClinicShare
from smanav.patients.services.versioning import lock
from smanav.patients.services.worklist_counts import counts_follow_share


@transaction.atomic
def clinic_share_invite(*, author: User, patient_id: int, clinic: Clinic) -> ClinicShare:
    """Let a clinic's team see the record (and its clinicians change it). Inviting twice is harmless."""
    patient = lock(patient_id)
    share = ClinicShare.objects.filter(patient=patient, clinic=clinic, withdrawn_at__isnull=True).first()
    if share is not None:
        return share
    share = ClinicShare.objects.create(patient=patient, clinic=clinic, invited_by=author)
    counts_follow_share(patient_id=patient.pk, clinic_id=clinic.pk, shared=True)
    audit_record(
        actor=author,
        clinic=clinic_of(author),
        patient_id=patient.pk,
        action=AuditAction.SHARE,
        what=f"shared with {clinic.name}",
    )
    return share


@transaction.atomic
def clinic_share_withdraw(*, author: User, patient_id: int, share_id: int) -> None:
    """End a clinic's access now. The share row stays, with who withdrew it and when."""
    patient = lock(patient_id)
    share = ClinicShare.objects.select_related("clinic").get(pk=share_id, patient=patient)
    if share.withdrawn_at is not None:
        return
    share.withdrawn_at = timezone.now()
    share.withdrawn_by = author
    share.save(update_fields=["withdrawn_at", "withdrawn_by"])
    counts_follow_share(patient_id=patient.pk, clinic_id=share.clinic_id, shared=False)
    audit_record(
        actor=author,
        clinic=clinic_of(author),
        patient_id=patient.pk,
        action=AuditAction.UNSHARE,
        what=f"access of {share.clinic.name} withdrawn",
    )

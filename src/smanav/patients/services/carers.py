"""Who cares for a record: a guardian invites a second carer by email, the carer accepts with the signed
link (signed in with the invited address) and becomes a guardian; a first guardian can remove a carer,
and a carer can leave. Every step is audited on the record."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from smanav.accounts.links import LinkPurpose, link_token
from smanav.accounts.models import User
from smanav.audit.models import AuditAction
from smanav.audit.services import audit_record
from smanav.patients.models import CarerInvitation, Guardian, GuardianRelation
from smanav.patients.services.versioning import lock


class InvitationRefused(Exception):
    """The invitation cannot be accepted (withdrawn, accepted already, or for another address)."""


def _came_by_invitation(patient_id: int, user_id: int) -> bool:
    # Asked of the accepted invitation, not of `Guardian.invited_by`, which empties if the inviter's
    # account is deleted.
    return CarerInvitation.objects.filter(patient_id=patient_id, accepted_by_id=user_id).exists()


def _may_remove(*, actor: User, guardian: Guardian) -> bool:
    """A carer may leave; a guardian who did not come by invitation (who added the record, or was there
    before invitations) may remove a carer who did. Nobody removes the record's first guardians."""
    if guardian.user_id == actor.pk:
        return True
    if not Guardian.objects.filter(patient_id=guardian.patient_id, user=actor).exists():
        return False
    return not _came_by_invitation(guardian.patient_id, actor.pk) and _came_by_invitation(
        guardian.patient_id, guardian.user_id
    )


@transaction.atomic
def carer_invite(*, author: User, patient_id: int, email: str, accept_url: str) -> CarerInvitation:
    """Email a signed link to `email` inviting them to care for the record (audited). The email names
    who invites and says that the link gives access to a record; it names no health detail."""
    patient = lock(patient_id)
    invitation = CarerInvitation.objects.create(patient=patient, email=email.strip(), invited_by=author)
    token = link_token(LinkPurpose.CARER_INVITATION, {"invitation": invitation.pk, "email": invitation.email})
    context = {"inviter": author, "url": accept_url + token + "/"}
    send_mail(
        subject=render_to_string("patients/carer_invitation_subject.txt", context).strip(),
        message=render_to_string("patients/carer_invitation_email.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
    audit_record(
        actor=author,
        clinic=None,
        patient_id=patient.pk,
        action=AuditAction.CARER_INVITED,
        what="carer invited",
    )
    return invitation


@transaction.atomic
def carer_accept(*, user: User, invitation_id: int, email: str) -> Guardian:
    """Make `user` a guardian of the invited record. Refused unless the invitation is open and the
    signed-in account's address is the one invited."""
    invitation = CarerInvitation.objects.select_for_update().filter(pk=invitation_id).first()
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.withdrawn_at is not None
        or invitation.email.lower() != email.lower()
        or (user.email or "").lower() != invitation.email.lower()
    ):
        raise InvitationRefused(invitation_id)
    patient = lock(invitation.patient_id)
    guardian, _created = Guardian.objects.get_or_create(
        patient=patient,
        user=user,
        defaults={"relation": GuardianRelation.PARENT, "invited_by": invitation.invited_by},
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        actor=user,
        clinic=None,
        patient_id=patient.pk,
        action=AuditAction.CARER_ADDED,
        what="invitation accepted",
    )
    return guardian


@transaction.atomic
def carer_invitation_withdraw(*, author: User, patient_id: int, invitation_id: int) -> None:
    invitation = CarerInvitation.objects.get(pk=invitation_id, patient_id=patient_id)
    if invitation.accepted_at is None and invitation.withdrawn_at is None:
        invitation.withdrawn_at = timezone.now()
        invitation.save(update_fields=["withdrawn_at"])
        audit_record(
            actor=author,
            clinic=None,
            patient_id=patient_id,
            action=AuditAction.CARER_REMOVED,
            what="invitation withdrawn",
        )


@transaction.atomic
def carer_remove(*, author: User, patient_id: int, guardian_id: int) -> bool:
    """End a carer's access to the record (audited). False, and nothing changes, if `author` may not
    remove that carer or the carer is the record's last guardian."""
    lock(patient_id)
    guardian = Guardian.objects.filter(pk=guardian_id, patient_id=patient_id).first()
    if guardian is None or not _may_remove(actor=author, guardian=guardian):
        return False
    if Guardian.objects.filter(patient_id=patient_id).count() < 2:
        return False
    guardian.delete()
    what = "left the record" if guardian.user_id == author.pk else "carer removed"
    audit_record(
        actor=author, clinic=None, patient_id=patient_id, action=AuditAction.CARER_REMOVED, what=what
    )
    return True


def carer_may_remove(*, actor: User, guardian: Guardian) -> bool:
    return _may_remove(actor=actor, guardian=guardian)

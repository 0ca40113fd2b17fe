"""The one write path of the audit trail."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser

from smanav.audit.models import AccountAction, AccountEvent, AuditAction, AuditEvent
from smanav.audit.purposes import Purpose

if TYPE_CHECKING:  # types only: the audit trail imports no app (`accounts` writes to it)
    from smanav.accounts.models import Clinic, User

# Who did what the server's own command line did (createsuperuser, demo data, a migration).
COMMAND_LINE = "the server's command line"


def _label(user: User | AnonymousUser | None) -> str:
    if user is None or isinstance(user, AnonymousUser):
        return "anonymous"
    return user.get_username()


def audit_record(
    *,
    actor: User | AnonymousUser | None,
    clinic: Clinic | None,
    patient_id: int,
    action: AuditAction,
    what: str = "",
) -> AuditEvent:
    """Note that `actor` did `action` to patient `patient_id` (now). `clinic` is the clinic the actor acts
    for, if any (the caller knows it: `accounts.roles.clinic_of`), so coordinators read their team's."""
    person = None if actor is None or isinstance(actor, AnonymousUser) else actor
    return AuditEvent.objects.create(
        actor=person,
        actor_label=_label(actor),
        clinic=None if person is None else clinic,
        patient_id=patient_id,
        action=action,
        what=what[:200],
    )


def audit_reads(*, actor: User, clinic: Clinic | None, patient_ids: Iterable[int], purpose: Purpose) -> None:
    """Note that `actor` (acting for `clinic`, if any) read these records (now) for `purpose`: one event
    per record, in one query.

    Called by the access chokepoints (`patients.access`) as they hand the records out; a view never
    calls it, so it cannot forget to.
    """
    label = _label(actor)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor,
            actor_label=label,
            clinic=clinic,
            patient_id=patient_id,
            action=purpose.action,
            what=purpose.what[:200],
        )
        for patient_id in patient_ids
    )


def audit_reads_many(*, reads: Iterable[tuple[User, Clinic | None, Iterable[int]]], purpose: Purpose) -> int:
    """`audit_reads` for many actors at once (a job that tells many accounts about their records): one
    event per actor and record, in one query. Answers how many events."""
    events = [
        AuditEvent(
            actor=actor,
            actor_label=_label(actor),
            clinic=clinic,
            patient_id=patient_id,
            action=purpose.action,
            what=purpose.what[:200],
        )
        for actor, clinic, patient_ids in reads
        for patient_id in patient_ids
    ]
    AuditEvent.objects.bulk_create(events, batch_size=2000)
    return len(events)


def audit_account(
    *,
    actor: User | None,
    subject: User,
    action: AccountAction,
    clinic: Clinic | None = None,
    single_admin: bool = False,
    what: str = "",
) -> AccountEvent:
    """Note that `actor` (None: the command line) did `action` to the account `subject` (now)."""
    return AccountEvent.objects.create(
        actor=actor,
        actor_label=COMMAND_LINE if actor is None else _label(actor),
        subject=subject,
        subject_label=str(subject.get_username()),
        clinic=clinic,
        action=action,
        single_admin=single_admin,
        what=what[:200],
    )


def audit_by_command_line(*, patient_ids: Iterable[int], action: AuditAction, what: str) -> None:
    """Note that the server's command line did `action` to these records (now), one event per record in
    one query: bulk loads (the synthetic cohort, `smanav synth`) and exports (`smanav registry-export`)."""
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=None, actor_label=COMMAND_LINE, patient_id=patient_id, action=action, what=what[:200]
        )
        for patient_id in patient_ids
    )

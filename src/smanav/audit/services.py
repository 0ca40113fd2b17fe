"""The one write path of the audit trail."""

from __future__ import annotations

from typing import Any

from smanav.accounts.roles import clinic_of
from smanav.audit.models import AuditAction, AuditEvent


def _label(user: Any) -> str:
    if user is None or not user.is_authenticated:
        return "anonymous"
    return str(user.get_username())


def audit_record(*, actor: Any, patient_id: int, action: AuditAction, what: str = "") -> AuditEvent:
    """Note that `actor` did `action` to patient `patient_id` (now). Staff actions carry their clinic."""
    is_person = actor is not None and actor.is_authenticated
    return AuditEvent.objects.create(
        actor=actor if is_person else None,
        actor_label=_label(actor),
        clinic=clinic_of(actor) if is_person else None,
        patient_id=patient_id,
        action=action,
        what=what[:200],
    )

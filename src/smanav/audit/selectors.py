"""Reads of the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from smanav.audit.models import AccountAction, AccountEvent, AuditEvent

if TYPE_CHECKING:  # types only: the audit trail imports no app
    from smanav.accounts.models import Clinic


def audit_events_for_clinic(
    *,
    clinic: Clinic,
    actor_id: int | None = None,
    patient_ids: Collection[int] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """What the clinic's own team did, newest first (the coordinator's view), optionally only one team
    member's, only about some records, or only from `since` to `until` (whole days, both included)."""
    events = AuditEvent.objects.filter(clinic=clinic)
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    if patient_ids is not None:
        events = events.filter(patient_id__in=list(patient_ids))
    if since is not None:
        events = events.filter(at__date__gte=since)
    if until is not None:
        events = events.filter(at__date__lte=until)
    return events.select_related("actor").order_by("-at", "-id")


def audit_events_for_patient(*, patient_id: int) -> QuerySet[AuditEvent]:
    """Who opened or changed one record, newest first (the family's view of their own record)."""
    return AuditEvent.objects.filter(patient_id=patient_id).select_related("clinic").order_by("-at", "-id")


def account_events_recent(*, limit: int = 50) -> QuerySet[AccountEvent]:
    """The latest grants, confirmations, refusals, password resets and second-factor set-ups, newest
    first (the administrators' view). Views of the cohort dashboard are in the trail too, but change no
    account, and would crowd the changes out: they are not among these."""
    return (
        AccountEvent.objects.exclude(action=AccountAction.DASHBOARD_VIEWED)
        .select_related("clinic")
        .order_by("-at", "-id")[:limit]
    )

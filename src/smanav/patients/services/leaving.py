"""Deleting a family account: the records of which it is the only guardian go with it; from records
another carer also keeps, only its access goes. Everything is audited before it is deleted (the audit
trail keeps the names as text)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery

from smanav.accounts.models import User
from smanav.audit.models import AccountAction, AuditAction
from smanav.audit.services import audit_account, audit_record
from smanav.patients.models import Guardian, Patient
from smanav.patients.services.worklist_counts import counts_apply, counts_forget_patients


@dataclass(frozen=True)
class LeavingPlan:
    deleted: list[Patient]  # records only this account keeps: deleted with it
    kept: list[Patient]  # records another carer keeps too: only this account's access ends


def account_leaving_plan(*, user: User) -> LeavingPlan:
    """What deleting `user` would delete, and what it would leave to other carers."""
    # Counted in a subquery: a Count over the join that picks this user's records would count only them.
    carers = (
        Guardian.objects.filter(patient=OuterRef("pk")).values("patient").annotate(n=Count("pk")).values("n")
    )
    rows = (
        Patient.objects.filter(pk__in=Guardian.objects.filter(user=user).values("patient"))
        .annotate(carers=Subquery(carers))
        .order_by("display_name", "id")
    )
    deleted: list[Patient] = [row for row in rows if row.carers == 1]
    kept: list[Patient] = [row for row in rows if row.carers > 1]
    return LeavingPlan(deleted=deleted, kept=kept)


@transaction.atomic
def account_delete(*, user: User) -> LeavingPlan:
    """Delete the account, the records only it keeps, and its access to the others (all audited)."""
    plan = account_leaving_plan(user=user)
    for patient in plan.kept:
        audit_record(
            actor=user,
            clinic=None,
            patient_id=patient.pk,
            action=AuditAction.CARER_REMOVED,
            what="account deleted",
        )
    Guardian.objects.filter(user=user).delete()
    for patient in plan.deleted:
        audit_record(
            actor=user, clinic=None, patient_id=patient.pk, action=AuditAction.DELETE, what="account deleted"
        )
    gone = counts_forget_patients(patient.pk for patient in plan.deleted)
    Patient.objects.filter(pk__in=[patient.pk for patient in plan.deleted]).delete()
    counts_apply(gone)
    audit_account(actor=user, subject=user, action=AccountAction.ACCOUNT_DELETED)
    user.delete()
    return plan

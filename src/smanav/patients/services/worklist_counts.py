"""The worklist's headline numbers per clinic (`ClinicWorklistCounts`), kept up to date as records
change instead of counted on every page (ADR 0026).

Every write that can move a number says so here after it wrote: a summary worked out
(`counts_follow_summaries`, with the flags before and after), a record shared or withdrawn
(`counts_follow_share`), records deleted (`counts_forget_patients`). Each applies the difference with
one `UPDATE … SET n = n + d` per clinic, so concurrent changes add up; the row is locked only from that
statement to the end of the writer's transaction, which is its last step. `clinic_counts_recount`
counts afresh; the nightly refresh runs it for every clinic, which mends a drift.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.db.models import Count, F, Q
from django.utils import timezone

from smanav.patients.models import ClinicShare, ClinicWorklistCounts, PatientSummary
from smanav_core.codes import UrgencyLevel

# What a summary adds to its clinics' numbers, in this order.
FLAG_FIELDS = ("summarised", "urgent", "with_alerts", "overdue", "due_soon")
Flags = tuple[int, int, int, int, int]
NO_SUMMARY: Flags = (0, 0, 0, 0, 0)


def flags_of(*, urgency: str, alert_count: int, overdue_count: int, due_soon_count: int) -> Flags:
    """The numbers one record's summary adds to each clinic it is shared with."""
    return (
        1,
        int(urgency == UrgencyLevel.URGENT.value),
        int(alert_count > 0),
        int(overdue_count > 0),
        int(due_soon_count > 0),
    )


def summary_flags(patient_ids: Iterable[int]) -> dict[int, Flags]:
    """The flags of these records' stored summaries (records without one are left out), one query."""
    rows = PatientSummary.objects.filter(patient_id__in=list(patient_ids)).values_list(
        "patient_id", "urgency", "alert_count", "overdue_count", "due_soon_count"
    )
    return {
        pk: flags_of(urgency=urgency, alert_count=alerts, overdue_count=overdue, due_soon_count=soon)
        for pk, urgency, alerts, overdue, soon in rows
    }


def counts_follow_summaries(*, before: Mapping[int, Flags], after: Mapping[int, Flags]) -> None:
    """Summaries were written: move the numbers of the clinics these records are shared with now by what
    changed (a record absent from `before` had no summary, absent from `after` has none now)."""
    changes = {}
    for pk in set(before) | set(after):
        old, new = before.get(pk, NO_SUMMARY), after.get(pk, NO_SUMMARY)
        if old != new:
            changes[pk] = tuple(n - o for o, n in zip(old, new, strict=True))
    if not changes:
        return
    per_clinic: dict[int, list[int]] = defaultdict(lambda: [0] * (1 + len(FLAG_FIELDS)))
    shares = ClinicShare.objects.filter(patient_id__in=list(changes), withdrawn_at__isnull=True)
    for pk, clinic_id in shares.values_list("patient_id", "clinic_id"):
        for index, step in enumerate(changes[pk], start=1):
            per_clinic[clinic_id][index] += step
    _apply(per_clinic)


def counts_follow_share(*, patient_id: int, clinic_id: int, shared: bool) -> None:
    """A record was shared with the clinic (`shared`) or its share withdrawn: add or take away the
    record and its summary's flags."""
    sign = 1 if shared else -1
    flags = summary_flags([patient_id]).get(patient_id, NO_SUMMARY)
    _apply({clinic_id: [sign, *(sign * flag for flag in flags)]})


def counts_forget_patients(patient_ids: Iterable[int]) -> dict[int, list[int]]:
    """Before records are deleted: what they take away from each clinic's numbers. Pass the answer to
    `counts_apply` once they are gone."""
    ids = list(patient_ids)
    flags = summary_flags(ids)
    per_clinic: dict[int, list[int]] = defaultdict(lambda: [0] * (1 + len(FLAG_FIELDS)))
    shares = ClinicShare.objects.filter(patient_id__in=ids, withdrawn_at__isnull=True)
    for pk, clinic_id in shares.values_list("patient_id", "clinic_id"):
        per_clinic[clinic_id][0] -= 1
        for index, flag in enumerate(flags.get(pk, NO_SUMMARY), start=1):
            per_clinic[clinic_id][index] -= flag
    return dict(per_clinic)


def counts_apply(per_clinic: Mapping[int, list[int]]) -> None:
    """Apply differences from `counts_forget_patients` (after the records are gone)."""
    _apply(per_clinic)


def _apply(per_clinic: Mapping[int, list[int]]) -> None:
    fields = ("shared", *FLAG_FIELDS)
    # In clinic order, so that two writers never wait for each other's rows in opposite orders.
    for clinic_id, steps in sorted(per_clinic.items()):
        changes = {field: F(field) + step for field, step in zip(fields, steps, strict=True) if step}
        if not changes:
            continue
        if not ClinicWorklistCounts.objects.filter(clinic_id=clinic_id).update(**changes):
            # No row yet (a clinic's first record): count it, this change included.
            clinic_counts_recount(clinic_ids=[clinic_id])


def clinic_counts_recount(*, clinic_ids: Iterable[int] | None = None) -> int:
    """Count the numbers afresh, for these clinics or every clinic with a row or a record (one grouped
    query); answers how many clinics were counted."""
    shares = ClinicShare.objects.filter(withdrawn_at__isnull=True)
    wanted = None if clinic_ids is None else list(clinic_ids)
    if wanted is not None:
        shares = shares.filter(clinic_id__in=wanted)
    counted = shares.values("clinic_id").annotate(
        shared=Count("id"),
        summarised=Count("patient__summary"),
        urgent=Count("id", filter=Q(patient__summary__urgency=UrgencyLevel.URGENT.value)),
        with_alerts=Count("id", filter=Q(patient__summary__alert_count__gt=0)),
        overdue=Count("id", filter=Q(patient__summary__overdue_count__gt=0)),
        due_soon=Count("id", filter=Q(patient__summary__due_soon_count__gt=0)),
    )
    now = timezone.now()
    fields = ("shared", *FLAG_FIELDS)
    found: dict[int, dict[str, int]] = {
        int(row["clinic_id"]): {field: int(row[field]) for field in fields}  # type: ignore[literal-required]
        for row in counted
    }
    if wanted is None:
        wanted = sorted(set(found) | set(ClinicWorklistCounts.objects.values_list("clinic_id", flat=True)))
    zero = dict.fromkeys(fields, 0)
    for clinic_id in sorted(wanted):
        ClinicWorklistCounts.objects.update_or_create(
            clinic_id=clinic_id, defaults={**found.get(clinic_id, zero), "counted_at": now}
        )
    return len(wanted)

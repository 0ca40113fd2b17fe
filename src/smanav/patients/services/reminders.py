"""Reminders by email of what is due: for each account that turned them on (`ReminderPreference`), the
dated care-plan items of its records (`due_on`, `due_status` from the core) that are overdue or fall due
within the chosen number of days. One email per account and day at most.

The dated items are read from each record's stored summary (`PatientSummary.dated_items`), as the
worklist reads its due items: a record is evaluated only when its summary was worked out before the day
of the reminders (the nightly refresh had not run yet, or the summary predates the field), and then its
summary is brought up to date at the same time.

The email says that something is due, for which record, how many things and from when, and links to log
in; it names no treatment, test or other health detail, and its subject names nothing at all (email is
read on lock screens and shared devices). Each record read is audited with its purpose.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse

from smanav.accounts.models import ReminderPreference
from smanav.audit.purposes import Purpose
from smanav.outbox.services import message_queue, rendered
from smanav.patients.access import patient_list_for_family
from smanav.patients.models import Patient, PatientSummary
from smanav.patients.services.summaries import patient_summaries_refresh
from smanav_core.codes import DueStatus

REMINDER_PURPOSE = Purpose.job("reminder of what is due (email)")


@dataclass(frozen=True)
class DueSummary:
    display_name: str
    count: int
    first_due_on: dt.date
    overdue: bool


def due_summary(patient: Patient, *, as_of: dt.date, days_before: int) -> DueSummary | None:
    """How many dated care-plan items of the record are overdue or due by `as_of + days_before`, read
    from its stored summary (brought up to `as_of` first if it was worked out before)."""
    summary = current_summaries([patient], as_of=as_of).get(patient.pk)
    return due_summary_of(patient.display_name, summary, as_of=as_of, days_before=days_before)


def due_summary_of(
    display_name: str, summary: PatientSummary | None, *, as_of: dt.date, days_before: int
) -> DueSummary | None:
    """`due_summary` from a summary worked out for `as_of` (its `dated_items`); the record is not
    evaluated again."""
    if summary is None:
        return None
    horizon = as_of + dt.timedelta(days=days_before)
    due = [
        (day, item.get("status") == DueStatus.OVERDUE.value)
        for item in summary.dated_items or []
        if (day := _day(item.get("due_on"))) is not None
        and (item.get("status") == DueStatus.OVERDUE.value or day <= horizon)
    ]
    if not due:
        return None
    return DueSummary(
        display_name=display_name,
        count=len(due),
        first_due_on=min(when for when, _is_overdue in due),
        overdue=any(is_overdue for _when, is_overdue in due),
    )


def current_summaries(patients: Iterable[Patient], *, as_of: dt.date) -> dict[int, PatientSummary | None]:
    """The records' stored summaries, those worked out before `as_of` (or before they kept their dated
    items) worked out again first, in one refresh: overdue and due soon depend on the day."""
    kept: dict[int, PatientSummary | None] = {
        patient.pk: getattr(patient, "summary", None) for patient in patients
    }
    behind = [
        pk
        for pk, summary in kept.items()
        if summary is None or summary.evaluated_on < as_of or summary.dated_items is None
    ]
    if behind:
        patient_summaries_refresh(patient_ids=behind, as_of=as_of)
        kept.update({row.patient_id: row for row in PatientSummary.objects.filter(patient_id__in=behind)})
    return kept


def _day(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def reminders_send(*, as_of: dt.date, site_url: str) -> int:
    """Queue the day's reminders in the outbox; answers how many emails. Safe to run twice a day or late:
    an account already reminded on `as_of` is skipped, and the email and that mark are written together."""
    sent = 0
    preferences = (
        ReminderPreference.objects.filter(enabled=True, user__is_active=True)
        .exclude(last_sent_on=as_of)
        .exclude(user__email="")
        .select_related("user")
        .order_by("id")
    )
    for preference in preferences:
        user = preference.user
        patients = patient_list_for_family(user=user, purpose=REMINDER_PURPOSE)
        stored = current_summaries(patients, as_of=as_of)
        summaries = [
            summary
            for patient in patients
            if (
                summary := due_summary_of(
                    patient.display_name, stored[patient.pk], as_of=as_of, days_before=preference.days_before
                )
            )
        ]
        with transaction.atomic():
            if summaries:
                context = {
                    "user": user,
                    "records": summaries,
                    "site_url": site_url,
                    "as_of": as_of,
                    "preferences_url": f"{site_url}{reverse('notices')}",
                }
                message_queue(
                    rendered(
                        key=f"records.due:{user.pk}:{as_of.isoformat()}",
                        kind="records.due",
                        to=user.email,
                        template="patients/email/reminder",
                        context=context,
                    )
                )
                sent += 1
            ReminderPreference.objects.filter(pk=preference.pk).update(last_sent_on=as_of)
    return sent

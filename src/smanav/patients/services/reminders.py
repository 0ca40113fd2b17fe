"""Reminders by email of what is due: for each account that turned them on (`ReminderPreference`), the
dated care-plan items of its records (`due_on`, `due_status` from the core) that are overdue or fall due
within the chosen number of days. One email per account and day at most.

The email says that something is due, for which record, how many things and from when, and links to log
in; it names no treatment, test or other health detail, and its subject names nothing at all (email is
read on lock screens and shared devices). Each record read is audited with its purpose.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.mail import send_mail
from django.template.loader import render_to_string

from smanav.accounts.models import ReminderPreference
from smanav.audit.purposes import Purpose
from smanav.patients.access import patient_list_for_family
from smanav.patients.models import Patient
from smanav.patients.seam import evaluate_patient
from smanav_core.codes import DueStatus

REMINDER_PURPOSE = Purpose.job("reminder of what is due (email)")


@dataclass(frozen=True)
class DueSummary:
    display_name: str
    count: int
    first_due_on: dt.date
    overdue: bool


def due_summary(patient: Patient, *, as_of: dt.date, days_before: int) -> DueSummary | None:
    """How many dated care-plan items of the record are overdue or due by `as_of + days_before`."""
    result = evaluate_patient(patient, as_of=as_of).result
    if result is None:
        return None
    horizon = as_of + dt.timedelta(days=days_before)
    due = [
        item
        for item in result.care_plan
        if item.due_on is not None
        and item.due_status in (DueStatus.OVERDUE, DueStatus.DUE_SOON, DueStatus.SCHEDULED)
        and (item.due_status is DueStatus.OVERDUE or item.due_on <= horizon)
    ]
    if not due:
        return None
    return DueSummary(
        display_name=patient.display_name,
        count=len(due),
        first_due_on=min(item.due_on for item in due if item.due_on is not None),
        overdue=any(item.due_status is DueStatus.OVERDUE for item in due),
    )


def reminders_send(*, as_of: dt.date, site_url: str) -> int:
    """Send the day's reminders; answers how many emails went. Safe to run twice a day or late: an
    account already reminded on `as_of` is skipped."""
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
        summaries = [
            summary
            for patient in patient_list_for_family(user=user, purpose=REMINDER_PURPOSE)
            if (summary := due_summary(patient, as_of=as_of, days_before=preference.days_before))
        ]
        if summaries:
            context = {"user": user, "records": summaries, "site_url": site_url, "as_of": as_of}
            send_mail(
                subject=render_to_string("patients/reminder_subject.txt", context).strip(),
                message=render_to_string("patients/reminder_email.txt", context),
                from_email=None,
                recipient_list=[user.email],
            )
            sent += 1
        ReminderPreference.objects.filter(pk=preference.pk).update(last_sent_on=as_of)
    return sent

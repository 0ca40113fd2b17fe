"""Reminders by email of what is due (issue 10, part 6): queued by `manage.py reminders_send`, sent by the
real database worker, one email per account and day, naming no health detail in the subject, and every
record it reads audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils.formats import date_format
from tests.web.background import run_worker_fixture, today_fixture  # noqa: F401
from tests.web.personas import AS_OF, Personas, people_fixture  # noqa: F401

from smanav.accounts.services import reminder_preference_set
from smanav.audit.models import AuditEvent
from smanav.patients.models import Patient, PatientSummary
from smanav.patients.services.reminders import REMINDER_PURPOSE, DueSummary, due_summary


@pytest.mark.django_db(transaction=True)
def test_the_daily_job_emails_what_is_due_once_and_audits_the_reads(
    people: Personas, today: Callable[[dt.date], None], run_worker: Callable[[], None]
) -> None:
    # Ada's breathing review (every 6 months) falls due on 15 May 2027: five days after this day.
    day = dt.date(2027, 5, 10)
    today(day)
    reminder_preference_set(user=people.parent, enabled=True, days_before=7)
    reminder_preference_set(user=people.outsider, enabled=True, days_before=7)  # keeps no record
    reminder_preference_set(user=people.adult, enabled=False, days_before=7)
    assert due_summary(people.shared_child, as_of=day, days_before=4) is None  # outside the window
    expected = due_summary(people.shared_child, as_of=day, days_before=7)
    assert expected is not None and (expected.count, expected.overdue) == (1, False)

    call_command("reminders_send")
    assert mail.outbox == []  # queued, not sent by the command
    run_worker()

    [message] = mail.outbox
    assert message.to == [people.parent.email]
    assert message.subject == "Something is due: log in to smanav"
    assert f"Ada: 1 thing, due {date_format(dt.date(2027, 5, 15), 'DATE_FORMAT')}" in message.body
    assert "http://127.0.0.1:8000/accounts/login/?next=/records/" in message.body
    for detail in ("Breathing", "breathing", "review", "SMN"):
        assert detail not in message.body
    reads = AuditEvent.objects.filter(actor=people.parent, what=REMINDER_PURPOSE.what)
    assert set(reads.values_list("patient_id", flat=True)) == {
        people.shared_child.pk,
        people.private_child.pk,
    }

    # The same day again: nothing more is sent.
    call_command("reminders_send")
    run_worker()
    assert len(mail.outbox) == 1
    # Later, once overdue, it is sent again and says so.
    today(dt.date(2027, 6, 1))
    call_command("reminders_send", "--now")
    assert len(mail.outbox) == 2
    assert "(something is overdue)" in mail.outbox[1].body


@pytest.mark.django_db
def test_a_record_without_dated_items_has_nothing_due(people: Personas) -> None:
    # A newborn with nothing known yet has no dated item.
    assert due_summary(people.private_child, as_of=AS_OF, days_before=60) is None


@pytest.mark.django_db
def test_reminders_read_the_stored_summary_and_bring_an_old_one_up_to_the_day(people: Personas) -> None:
    day = dt.date(2027, 5, 10)
    child = Patient.objects.get(pk=people.shared_child.pk)
    assert child.summary.evaluated_on < day
    # An old summary is worked out again for the day first, with the record's dated items.
    found = due_summary(child, as_of=day, days_before=7)
    summary = PatientSummary.objects.get(patient=child)
    assert summary.evaluated_on == day
    assert found is not None and (found.count, found.first_due_on) == (1, dt.date(2027, 5, 15))
    assert {"due_on": "2027-05-15", "status": "due_soon"} in (summary.dated_items or [])
    # A summary of the day is read as kept: the record is not evaluated again.
    PatientSummary.objects.filter(patient=child).update(
        dated_items=[
            {"due_on": "2027-05-01", "status": "overdue"},
            {"due_on": "2027-05-12", "status": "due_soon"},
            {"due_on": "2027-09-01", "status": "scheduled"},
        ]
    )
    child = Patient.objects.select_related("summary").get(pk=child.pk)
    found = due_summary(child, as_of=day, days_before=7)
    assert found == DueSummary(display_name="Ada", count=2, first_due_on=dt.date(2027, 5, 1), overdue=True)
    assert PatientSummary.objects.get(patient=child).dated_items[2]["status"] == "scheduled"

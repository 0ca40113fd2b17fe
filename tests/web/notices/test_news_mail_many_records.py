"""Issue 15: the email about changes to records names every record with news, however many: on SQLite,
whose statements take a limited number of variables (999 in older builds, which Django assumes), the
lists of record ids are read in chunks. Failed with "too many SQL variables" before."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator

import pytest
from django.db import connection

from smanav.accounts.models import ReminderPreference
from smanav.accounts.services import user_create
from smanav.outbox.models import OutgoingMessage
from smanav.patients.models import Guardian, GuardianRelation, NewsKind, Patient, RecordNews
from smanav.patients.services.news_mail import news_emails_send

RECORDS = 1200


@pytest.fixture
def sqlite_limit_999(db: None) -> Iterator[None]:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's limit on variables per statement")
    connection.ensure_connection()
    raw = connection.connection
    before = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    yield
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)


def test_one_email_names_more_records_than_sqlite_takes_variables(sqlite_limit_999: None) -> None:
    user = user_create(username="many", email="many@example.org", password="a long test password 123")
    ReminderPreference.objects.create(user=user, news_by_email=True)
    patients = Patient.objects.bulk_create(
        Patient(display_name=f"Record {n:04d}", birth_date=dt.date(2015, 1, 1), region="EU")
        for n in range(RECORDS)
    )
    Guardian.objects.bulk_create(
        Guardian(patient=patient, user=user, relation=GuardianRelation.PARENT) for patient in patients
    )
    RecordNews.objects.bulk_create(
        RecordNews(
            patient=patient,
            kind=NewsKind.PLAN_NEW,
            subject="test_item",
            text="New in the care plan: a test check.",
            knowledge_before="a",
            knowledge_after="b",
        )
        for patient in patients
    )

    assert news_emails_send(site_url="http://testserver") == 1
    message = OutgoingMessage.objects.get()
    assert "Record 0000: 1 change" in message.body_text
    assert f"Record {RECORDS - 1:04d}: 1 change" in message.body_text

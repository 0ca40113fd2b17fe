"""Emails that something changed (`RecordNews`), to the family and the clinic team who asked for them
(`ReminderPreference.news_by_email`), through the outbox (`smanav.outbox`).

One email per account, after a nightly re-evaluation that found news for its records, or once a week
with all of them (`news_weekly`). It names the records and how many changes. What changed is said only
to an account that asked for it in the body (`news_details`); the subject never names anything (email is
read on lock screens, in previews and on shared devices). Every record named is audited as read by the
account it is sent to.

Each account keeps the last news it was told of (`news_told_until`); the email, that mark and the audit
events are written in one transaction, so a run that stops half-way tells nobody twice, and the outbox
sends each email once. News older than `WINDOW_DAYS` days are not emailed any more (the record's page
still shows them).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from smanav.accounts.models import Clinic, ReminderPreference, StaffMembership, User
from smanav.audit.purposes import Purpose
from smanav.audit.services import audit_reads_many
from smanav.outbox.services import Message, messages_queue, rendered
from smanav.patients.models import ClinicShare, Guardian, NewsKind, Patient, RecordNews

NEWS_PURPOSE = Purpose.job("email that something changed for a record")
WINDOW_DAYS = 30
CHUNK = 500
WEEK = dt.timedelta(days=7)


# Ids per `IN (...)` list: SQLite refuses a statement with more variables than its limit (999 in older
# builds, and Django assumes that), and a registry's news can name 150,000 records.
IN_CHUNK = 500


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    listed = list(ids)
    for start in range(0, len(listed), IN_CHUNK):
        yield listed[start : start + IN_CHUNK]


def _recipients(patient_ids: list[int], wanting: set[int]) -> dict[int, dict[int, int | None]]:
    """Of the accounts `wanting` emails, those who may read these records: account id to the records
    (and the clinic they read them for, None for a family)."""
    found: dict[int, dict[int, int | None]] = defaultdict(dict)
    clinics: dict[int, list[int]] = defaultdict(list)
    for ids in _chunks(patient_ids):
        for user_id, patient_id in Guardian.objects.filter(patient_id__in=ids).values_list(
            "user_id", "patient_id"
        ):
            if user_id in wanting:
                found[user_id][patient_id] = None
        shares = ClinicShare.objects.filter(patient_id__in=ids, withdrawn_at__isnull=True)
        for clinic_id, patient_id in shares.values_list("clinic_id", "patient_id"):
            clinics[clinic_id].append(patient_id)
    for clinic_ids in _chunks(clinics):
        staff = StaffMembership.objects.filter(
            clinic_id__in=clinic_ids, confirmed_at__isnull=False
        ).values_list("user_id", "clinic_id")
        for user_id, clinic_id in staff:
            if user_id not in wanting:
                continue
            for patient_id in clinics[clinic_id]:
                found[user_id].setdefault(patient_id, clinic_id)
    return found


@dataclass(frozen=True, slots=True)
class News:
    id: int
    text: str
    # A trial's news reaches the family by an email of its own (`web/trial_news.py`); the clinic team
    # hears of it here, with the record's other news.
    trial: bool


@dataclass(frozen=True, slots=True)
class RecordLines:
    name: str
    count: int
    # What changed, only for an account that asked for it in the body.
    details: list[str]


def _due(preference: ReminderPreference, now: dt.datetime) -> bool:
    return not (preference.news_weekly and preference.news_sent_at and now - preference.news_sent_at < WEEK)


def news_emails_send(*, site_url: str, now: dt.datetime | None = None) -> int:
    """Queue an email for everyone who asked about the records with news they were not told of yet;
    answers how many emails were queued."""
    at = now or timezone.now()
    preferences = {
        preference.user_id: preference
        for preference in ReminderPreference.objects.filter(news_by_email=True, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
    }
    preferences = {user_id: p for user_id, p in preferences.items() if _due(p, at)}
    if not preferences:
        return 0
    floor = min(preference.news_told_until for preference in preferences.values())
    news = list(
        RecordNews.objects.filter(pk__gt=floor, created_at__gte=at - dt.timedelta(days=WINDOW_DAYS))
        .order_by("pk")
        .values_list("pk", "patient_id", "text", "kind")
    )
    if not news:
        return 0
    by_patient: dict[int, list[News]] = defaultdict(list)
    for news_id, patient_id, text, kind in news:
        by_patient[patient_id].append(News(news_id, text, kind == NewsKind.TRIAL))
    recipients = _recipients(list(by_patient), set(preferences))
    names: dict[int, str] = {}
    for ids in _chunks(by_patient):
        names.update(Patient.objects.filter(pk__in=ids).values_list("pk", "display_name"))
    clinic_ids = {clinic_id for records in recipients.values() for clinic_id in records.values() if clinic_id}
    clinics = Clinic.objects.in_bulk(list(clinic_ids))
    context = {
        "site_url": site_url,
        "login_url": f"{site_url}{reverse('accounts:login')}?next={reverse('patients:dashboard')}",
        "preferences_url": f"{site_url}{reverse('notices')}",
    }
    queued = 0
    users = sorted(recipients)
    # A transaction per chunk of accounts: each account's email, its mark and its audit events commit
    # together, and a large run neither holds one long transaction nor every email in memory.
    for start in range(0, len(users), CHUNK):
        messages: list[Message] = []
        told: list[ReminderPreference] = []
        reads: list[tuple[User, Clinic | None, list[int]]] = []
        with transaction.atomic():
            for user_id in users[start : start + CHUNK]:
                preference = preferences[user_id]
                message = _message_for(
                    preference, recipients[user_id], by_patient, names, clinics, context, reads
                )
                if message is not None:
                    messages.append(message)
                    preference.news_told_until, preference.news_sent_at = _last(message), at
                    told.append(preference)
            audit_reads_many(reads=reads, purpose=NEWS_PURPOSE)
            messages_queue(messages, now=at)
            ReminderPreference.objects.bulk_update(told, ["news_told_until", "news_sent_at"])
        queued += len(messages)
    RecordNews.objects.filter(pk__gt=floor, pk__lte=news[-1][0], emailed_at__isnull=True).update(
        emailed_at=at
    )
    return queued


def _last(message: Message) -> int:
    """The last news an email tells of (the end of its key)."""
    return int(message.key.rpartition(":")[2])


def _message_for(
    preference: ReminderPreference,
    records: dict[int, int | None],
    by_patient: dict[int, list[News]],
    names: dict[int, str],
    clinics: dict[int, Clinic],
    shared: dict[str, str],
    reads: list[tuple[User, Clinic | None, list[int]]],
) -> Message | None:
    """The email to one account about the news of its records it was not told of yet (None: nothing
    new); each record named is added to `reads`, to be audited as read by the account."""
    user: User = preference.user
    fresh = {
        patient_id: [
            item
            for item in by_patient[patient_id]
            if item.id > preference.news_told_until and not (item.trial and records[patient_id] is None)
        ]
        for patient_id in records
    }
    fresh = {patient_id: items for patient_id, items in fresh.items() if items}
    if not fresh:
        return None
    by_clinic: dict[int | None, list[int]] = defaultdict(list)
    for patient_id in fresh:
        by_clinic[records[patient_id]].append(patient_id)
    for clinic_id, ids in by_clinic.items():
        reads.append((user, None if clinic_id is None else clinics[clinic_id], ids))
    lines = sorted(
        (
            RecordLines(
                name=names[patient_id],
                count=len(items),
                details=[item.text for item in items] if preference.news_details else [],
            )
            for patient_id, items in fresh.items()
        ),
        key=lambda line: line.name,
    )
    last = max(item.id for items in fresh.values() for item in items)
    return rendered(
        key=f"records.news:{user.pk}:{last}",
        kind="records.news",
        to=user.email,
        template="patients/email/news",
        context={**shared, "user": user, "records": lines, "details": preference.news_details},
    )
